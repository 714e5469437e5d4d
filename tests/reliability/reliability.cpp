#include "tests/reliability/reliability.hpp"

#include "support/fd_limit.hpp"
#include "support/proc_stats.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string_view>
#include <thread>

#include <signal.h>
#include <unistd.h>

namespace echolab::test {
std::vector<ServerUnderTest> variants_where(
    const std::function<bool(const ServerUnderTest&)>& pick) {
    std::vector<ServerUnderTest> out;
    for (const ServerUnderTest& server : servers_under_test()) {
        if (server.command.empty() && pick(server)) {
            out.push_back(server);
        }
    }
    return out;
}

std::vector<ServerUnderTest> all_variants() {
    return variants_where([](const ServerUnderTest&) { return true; });
}

bool serves_many(const ServerUnderTest& server) {
    return server.model != Model::one_at_a_time;
}

bool waits_in_select(const ServerUnderTest& server) {
    return server.waits_in == "pselect6" || server.waits_in == "select";
}

std::string descriptors_missing(long count) {
    long limit = raise_descriptor_limit(count);
    if (limit >= count) {
        return "";
    }
    return "RLIMIT_NOFILE hard limit " + std::to_string(limit) + " < " +
           std::to_string(count) + " (raise it, e.g. ulimit -Hn 20000)";
}

bool long_run() {
    const char* value = std::getenv("ECHOLAB_LONG");
    return value != nullptr && std::string_view(value) == "1";
}

std::string describe(const SwarmStats& stats) {
    std::ostringstream out;
    out << "finished " << stats.finished << " of " << stats.added << ", failed "
        << stats.failed << ", parked " << stats.parked << ", peak open "
        << stats.peak_open << ", bytes verified " << stats.bytes_verified;
    for (const std::string& failure : stats.failures) {
        out << "\n  " << failure;
    }
    return out.str();
}

std::string find_tool(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "/usr/sbin:/usr/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    for (const char* dir : {"/usr/sbin", "/sbin"}) {
        std::string candidate = std::string(dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return "";
}

ServerUnderTest wrapped(const ServerUnderTest& variant,
                        const std::string& prefix) {
    ServerUnderTest out = variant;
    out.command = prefix + " " + variant.binary;
    out.binary.clear();
    return out;
}

pid_t first_child(pid_t pid) {
    using namespace std::chrono_literals;
    for (int i = 0; i < 200; ++i) {
        std::vector<ChildProcess> children = children_of(pid);
        if (!children.empty()) {
            return children.front().pid;
        }
        std::this_thread::sleep_for(10ms);
    }
    return 0;
}

ExitStatus stop_traced(ServerProcess& strace) {
    using namespace std::chrono_literals;
    pid_t server_pid = first_child(strace.pid());
    if (server_pid > 0) {
        ::kill(server_pid, SIGTERM);
    }
    return strace.wait_exit(15s);
}

}  // namespace echolab::test
