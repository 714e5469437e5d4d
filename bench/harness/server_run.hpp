// bench/harness/server_run.hpp: PinnedServer, one variant process for one
// benchmark run: started on the server CPU, measured from /proc while it
// runs, and stopped with SIGTERM so that wait4 accounts all its CPU time.
#pragma once

#include "bench/harness/cpu_set.hpp"
#include "support/server_process.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace echolab::harness {

// What the server and all its descendants hold at one moment.
struct ServerSnapshot {
    long long rss_bytes = 0;  // VmRSS summed: shared pages count per process
    long long pss_bytes = 0;  // proportional share: shared pages split
    int threads = 0;
    int processes = 0;
    int fds = 0;
};

// How the server ended.
struct ServerEnd {
    double cpu_s = 0;  // user + system of the server and reaped children
    // Busy time of the server's CPUs from its ready line to its exit
    // (/proc/stat), whoever ran there: a check on cpu_s, which holds only
    // what was charged to the server (not interrupt work that ran while
    // another task was current, nor other programs on those CPUs). -1
    // when not pinned.
    double cpus_busy_s = -1;
    bool clean = false;  // exit 0 after SIGTERM, as docs/contract.md requires
    std::string status;  // "exit 0", "killed by signal 9", ...
};

class PinnedServer {
public:
    // Starts server with --port 0 and flags on server_cpus (the affinity
    // is set in the forking thread, so it holds from before exec), waits
    // for the ready line and checks the pinning; the calling thread goes
    // back to client_cpus. Sets that are equal pin nothing. Throws
    // std::runtime_error.
    PinnedServer(const support::ServerUnderTest& server,
                 const std::vector<std::string>& flags,
                 const CpuSet& server_cpus, const CpuSet& client_cpus);
    ~PinnedServer();
    PinnedServer(const PinnedServer&) = delete;
    PinnedServer& operator=(const PinnedServer&) = delete;

    pid_t pid() const noexcept { return process_->pid(); }
    std::string host() const { return process_->client_host(); }
    std::uint16_t port() const noexcept { return process_->port(); }
    std::string command_line() const { return process_->command_line(); }
    bool running() { return process_->running(); }

    // What the server and its descendants hold now. PSS walks every
    // memory mapping, so the sampling during a load leaves it out.
    ServerSnapshot snapshot(bool with_pss = true) const;
    // SIGTERM, then waits for the server and every child it left; their
    // CPU comes from the kernel's rusage of reaped children (wait4).
    ServerEnd stop();
    // "exited early: exit 1; stderr: ..." for a failed run's message.
    std::string describe_failure();

private:
    std::unique_ptr<support::ServerProcess> process_;
    bool stopped_ = false;
    CpuSet busy_cpus_;  // the server's CPUs, empty when not pinned
    double busy_at_start_s_ = 0;
};

// Seconds the given CPUs have spent busy since boot: user, nice, system,
// irq and softirq of their /proc/stat lines (not idle, iowait or steal).
double cpus_busy_s(const CpuSet& cpus);

// Records each server's traits (support/variants.hpp) in the benchmark
// context as "echolab_variants", a JSON array like build/variants.json, so
// that the report reads models from the run it describes.
void add_variant_context(const std::vector<support::ServerUnderTest>& servers);

// The affinity mask of pid as a list of CPUs; empty if it cannot be read.
std::vector<int> cpus_of(pid_t pid);

}  // namespace echolab::harness
