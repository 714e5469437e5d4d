#include "support/proc_stats.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace echolab::support {
namespace {

namespace fs = std::filesystem;

fs::path proc_path(pid_t pid, const char* leaf) {
    return fs::path("/proc") / std::to_string(pid) / leaf;
}

int count_entries(const fs::path& dir) {
    std::error_code ec;
    int n = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        ++n;
    }
    return ec && n == 0 ? -1 : n;
}

// The fields of /proc/PID/stat after "(comm)", which may itself hold
// spaces and parentheses; fields[0] is the state (field 3 in proc(5)).
std::vector<std::string> stat_fields(pid_t pid) {
    std::ifstream in(proc_path(pid, "stat"));
    std::string line;
    std::getline(in, line);
    auto close = line.rfind(')');
    std::vector<std::string> fields;
    if (close == std::string::npos) {
        return fields;
    }
    std::istringstream rest(line.substr(close + 1));
    for (std::string field; rest >> field;) {
        fields.push_back(field);
    }
    return fields;
}

// proc(5) field number n (1-based) from stat_fields().
double stat_number(const std::vector<std::string>& fields, std::size_t n) {
    return n - 3 < fields.size() ? std::strtod(fields[n - 3].c_str(), nullptr)
                                 : 0.0;
}

struct ProcessEntry {
    pid_t pid;
    pid_t ppid;
    char state;
};

// One pass over /proc; processes that vanish meanwhile are skipped.
std::vector<ProcessEntry> scan_processes() {
    std::vector<ProcessEntry> all;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        std::string name = it->path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        auto pid = static_cast<pid_t>(std::atoi(name.c_str()));
        auto fields = stat_fields(pid);
        if (fields.size() > 1) {
            auto ppid = static_cast<pid_t>(std::atoi(fields[1].c_str()));
            all.push_back({pid, ppid, fields[0][0]});
        }
    }
    return all;
}

// pid and all its descendants.
std::vector<pid_t> process_tree(pid_t pid) {
    auto all = scan_processes();
    std::vector<pid_t> tree{pid};
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (const ProcessEntry& entry : all) {
            if (entry.ppid == tree[i]) {
                tree.push_back(entry.pid);
            }
        }
    }
    return tree;
}

}  // namespace

int fd_count(pid_t pid) {
    return count_entries(proc_path(pid, "fd"));
}

int thread_count(pid_t pid) {
    return count_entries(proc_path(pid, "task"));
}

long long rss_bytes(pid_t pid) {
    std::ifstream in(proc_path(pid, "status"));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atoll(line.c_str() + 6) * 1024;
        }
    }
    return 0;
}

double cpu_seconds(pid_t pid) {
    auto fields = stat_fields(pid);
    double ticks = stat_number(fields, 14) + stat_number(fields, 15) +
                   stat_number(fields, 16) + stat_number(fields, 17);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<ChildProcess> children_of(pid_t pid) {
    std::vector<ChildProcess> children;
    for (const ProcessEntry& entry : scan_processes()) {
        if (entry.ppid == pid) {
            children.push_back({entry.pid, entry.state});
        }
    }
    return children;
}

int zombie_count(pid_t pid) {
    int n = 0;
    for (const ChildProcess& child : children_of(pid)) {
        n += child.state == 'Z' ? 1 : 0;
    }
    return n;
}

std::string Holdings::describe() const {
    std::string text = std::to_string(fds);
    text.append(" fds, ")
        .append(std::to_string(threads))
        .append(" threads, ")
        .append(std::to_string(children))
        .append(" children (")
        .append(std::to_string(zombies))
        .append(" zombies)");
    return text;
}

Holdings holdings(pid_t pid) {
    Holdings now{fd_count(pid), thread_count(pid), 0, 0};
    for (const ChildProcess& child : children_of(pid)) {
        ++now.children;
        now.zombies += child.state == 'Z' ? 1 : 0;
    }
    return now;
}

long long tree_rss_bytes(pid_t pid) {
    long long total = 0;
    for (pid_t member : process_tree(pid)) {
        total += rss_bytes(member);
    }
    return total;
}

double tree_cpu_seconds(pid_t pid) {
    double total = 0;
    for (pid_t member : process_tree(pid)) {
        total += cpu_seconds(member);
    }
    return total;
}

}  // namespace echolab::support
