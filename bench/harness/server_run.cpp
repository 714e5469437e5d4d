#include "bench/harness/server_run.hpp"

#include "bench/loadgen/cpu.hpp"
#include "support/proc_stats.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace echolab::harness {
namespace {

using namespace std::chrono_literals;

// Longer than any variant's --grace default needs once clients are gone.
constexpr auto kStopBound = 10s;
constexpr auto kOrphanBound = 2s;

double children_cpu_s() {
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) +
               static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

double cpus_busy_s(const CpuSet& cpus) {
    std::ifstream stat("/proc/stat");
    double ticks = 0;
    for (std::string line; std::getline(stat, line);) {
        int cpu = -1;
        unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0,
                           irq = 0, softirq = 0;
        if (std::sscanf(line.c_str(),
                        "cpu%d %llu %llu %llu %llu %llu %llu %llu", &cpu, &user,
                        &nice, &system, &idle, &iowait, &irq, &softirq) == 8 &&
            std::find(cpus.begin(), cpus.end(), cpu) != cpus.end()) {
            ticks += static_cast<double>(user + nice + system + irq + softirq);
        }
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

long long pss_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string key; in >> key;) {
        if (key == "Pss:") {
            long long kib = 0;
            in >> kib;
            return kib * 1024;
        }
    }
    return 0;
}

// The children every thread of pid forked, from /proc/PID/task/TID/children
// (proc(5)): one read per thread, where scanning all of /proc per process
// would cost a thousand children a million reads.
std::vector<pid_t> children_of(pid_t pid) {
    namespace fs = std::filesystem;
    std::vector<pid_t> out;
    std::error_code ec;
    fs::path tasks = fs::path("/proc") / std::to_string(pid) / "task";
    for (fs::directory_iterator it(tasks, ec), end; !ec && it != end;
         it.increment(ec)) {
        std::ifstream in(it->path() / "children");
        for (pid_t child = 0; in >> child;) {
            out.push_back(child);
        }
    }
    return out;
}

void add_process(pid_t pid, bool with_pss, ServerSnapshot& out) {
    long long rss = support::rss_bytes(pid);
    if (rss == 0) {
        return;  // gone, or a zombie: it holds nothing any more
    }
    out.rss_bytes += rss;
    out.pss_bytes += with_pss ? pss_bytes(pid) : 0;
    out.threads += std::max(0, support::thread_count(pid));
    out.fds += std::max(0, support::fd_count(pid));
    out.processes += 1;
    for (pid_t child : children_of(pid)) {
        add_process(child, with_pss, out);
    }
}

// Children a server left running become ours (PR_SET_CHILD_SUBREAPER);
// they kept the server's process group. Reaping them adds their CPU to
// RUSAGE_CHILDREN.
void reap_group(pid_t group) {
    auto deadline = std::chrono::steady_clock::now() + kOrphanBound;
    while (std::chrono::steady_clock::now() < deadline) {
        pid_t got = ::waitpid(-group, nullptr, WNOHANG);
        if (got < 0 && errno != EINTR) {
            return;  // ECHILD: none left
        }
        if (got == 0) {
            std::this_thread::sleep_for(5ms);
        }
    }
    ::kill(-group, SIGKILL);
    while (::waitpid(-group, nullptr, 0) > 0) {
    }
}

}  // namespace

std::vector<int> cpus_of(pid_t pid) {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (::sched_getaffinity(pid, sizeof set, &set) != 0) {
        return cpus;
    }
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(static_cast<unsigned>(cpu), &set)) {
            cpus.push_back(cpu);
        }
    }
    return cpus;
}

PinnedServer::PinnedServer(const support::ServerUnderTest& server,
                           const std::vector<std::string>& flags,
                           const CpuSet& server_cpus,
                           const CpuSet& client_cpus) {
    // fork() copies the calling thread's mask and exec keeps it, so the
    // server never runs a single instruction outside its set.
    bool pin = server_cpus != client_cpus;
    if (pin && loadgen::pin_thread_to_cpus(server_cpus)) {
        throw std::runtime_error("cannot pin to CPUs " +
                                 cpu_list_text(server_cpus));
    }
    try {
        process_ = std::make_unique<support::ServerProcess>(
            server, support::Launch{flags, "0", true});
    } catch (...) {
        (void)loadgen::pin_thread_to_cpus(client_cpus);
        throw;
    }
    if (pin && loadgen::pin_thread_to_cpus(client_cpus)) {
        throw std::runtime_error("cannot pin back to CPUs " +
                                 cpu_list_text(client_cpus));
    }
    if (pin && cpus_of(pid()) != server_cpus) {
        throw std::runtime_error(command_line() + " is not pinned to CPUs " +
                                 cpu_list_text(server_cpus));
    }
    if (pin) {
        busy_cpus_ = server_cpus;
        busy_at_start_s_ = cpus_busy_s(busy_cpus_);
    }
}

PinnedServer::~PinnedServer() {
    if (!stopped_) {
        stop();
    }
}

ServerSnapshot PinnedServer::snapshot(bool with_pss) const {
    ServerSnapshot out;
    add_process(process_->pid(), with_pss, out);
    return out;
}

ServerEnd PinnedServer::stop() {
    stopped_ = true;
    double before = children_cpu_s();
    support::ExitStatus status = process_->stop(kStopBound);
    reap_group(process_->pid());
    double busy =
        busy_cpus_.empty() ? -1 : cpus_busy_s(busy_cpus_) - busy_at_start_s_;
    return {children_cpu_s() - before, busy, status.clean(0),
            status.describe()};
}

std::string PinnedServer::describe_failure() {
    std::string text =
        process_->running()
            ? std::string("server still running")
            : "server ended: " + process_->wait_exit(0s).describe();
    std::string err = process_->stderr_text();
    if (!err.empty()) {
        text.append("; stderr: ").append(err.substr(0, 300));
    }
    return text;
}

void add_variant_context(const std::vector<support::ServerUnderTest>& servers) {
    nlohmann::json list = nlohmann::json::array();
    for (const support::ServerUnderTest& s : servers) {
        list.push_back({{"name", s.name},
                        {"model", std::string(support::model_name(s.model))},
                        {"unit", s.unit},
                        {"waits_in", s.waits_in},
                        {"pool_flag", s.pool_flag},
                        {"conn_limit", s.conn_limit},
                        {"needs", s.needs}});
    }
    benchmark::AddCustomContext("echolab_variants", list.dump());
}

}  // namespace echolab::harness
