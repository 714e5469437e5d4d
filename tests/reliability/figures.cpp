#include "tests/reliability/figures.hpp"

#include "support/proc_stats.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

namespace echolab::test {

using namespace echolab::support;

namespace {

namespace fs = std::filesystem;

// Pss from /proc/PID/smaps_rollup, in bytes; 0 if it cannot be read.
long long pss_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    constexpr std::string_view kKey = "Pss:";
    for (std::string line; std::getline(in, line);) {
        if (line.compare(0, kKey.size(), kKey) == 0) {
            return std::atoll(line.c_str() + kKey.size()) * 1024;
        }
    }
    return 0;
}

int highest_fd(pid_t pid) {
    std::error_code ec;
    int high = -1;
    fs::path dir = "/proc/" + std::to_string(pid) + "/fd";
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        high = std::max(high, std::atoi(it->path().filename().c_str()));
    }
    return high;
}

double mib(long long bytes) {
    return static_cast<double>(bytes) / (1 << 20);
}

}  // namespace

Holding holding_of(pid_t pid) {
    Holding now;
    now.fds = fd_count(pid);
    now.max_fd = highest_fd(pid);
    now.threads = thread_count(pid);
    now.rss = tree_rss_bytes(pid);
    now.pss = pss_bytes(pid);
    now.processes = 1;
    for (const ChildProcess& child : children_of(pid)) {
        if (child.state != 'Z') {
            ++now.processes;
            now.pss += pss_bytes(child.pid);
        }
    }
    return now;
}

void keep_peak(Holding& peak, const Holding& now) {
    peak.fds = std::max(peak.fds, now.fds);
    peak.max_fd = std::max(peak.max_fd, now.max_fd);
    peak.threads = std::max(peak.threads, now.threads);
    peak.processes = std::max(peak.processes, now.processes);
    peak.rss = std::max(peak.rss, now.rss);
    peak.pss = std::max(peak.pss, now.pss);
}

void print_figure(const std::string& what, const Holding& peak) {
    std::printf(
        "figure: %s: fds=%d max_fd=%d threads=%d processes=%d "
        "rss_mib=%.1f pss_mib=%.1f\n",
        what.c_str(), peak.fds, peak.max_fd, peak.threads, peak.processes,
        mib(peak.rss), mib(peak.pss));
    std::fflush(stdout);
}

}  // namespace echolab::test
