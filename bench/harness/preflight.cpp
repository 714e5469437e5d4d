#include "bench/harness/preflight.hpp"

#include "core/error.hpp"
#include "core/options.hpp"

#include "bench/loadgen/cpu.hpp"
#include "support/fd_limit.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/prctl.h>

namespace echolab::harness {
namespace {

int largest_point(const HarnessOptions& opts) {
    int most = opts.idle_conns;
    for (int n : opts.conns) {
        most = std::max(most, n);
    }
    for (int n : opts.watched_fds) {
        most = std::max(most, n);
    }
    return most;
}

void pin(const HarnessOptions& opts, Preflight& out) {
    const CpuSet& server = opts.server_cpu_sets.front();
    int cpus = usable_cpus();
    if (cpus < 2 || overlap(server, opts.client_cpus)) {
        out.problems.push_back(
            "not pinned: servers (CPUs " + cpu_list_text(server) +
            ") and load generator (CPUs " + cpu_list_text(opts.client_cpus) +
            ") need different CPUs, and " + std::to_string(cpus) +
            " allowed here, so they compete for the same core");
        return;
    }
    for (const CpuSet& set : opts.server_cpu_sets) {
        for (int cpu : set) {
            if (!loadgen::cpu_allowed(cpu)) {
                out.problems.push_back("not pinned: CPU " +
                                       std::to_string(cpu) +
                                       " is not available to this process");
                return;
            }
        }
    }
    if (loadgen::pin_thread_to_cpus(opts.client_cpus)) {
        out.problems.push_back("not pinned: client CPUs " +
                               cpu_list_text(opts.client_cpus) +
                               " are not available to this process");
        return;
    }
    out.pinned = true;  // this thread, and the load's threads, on the
                        // client CPUs from here on
}

void raise_descriptors(const HarnessOptions& opts, Preflight& out) {
    long need = descriptors_needed(largest_point(opts));
    try {
        out.descriptors = support::raise_descriptor_limit(need);
    } catch (const SetupError& e) {
        out.problems.push_back(e.what());
        out.descriptors = support::descriptor_limit();
    }
    if (out.descriptors < need) {
        out.problems.push_back(
            "RLIMIT_NOFILE is " + std::to_string(out.descriptors) +
            " (hard limit), the largest point needs " + std::to_string(need) +
            ": points above it report an error instead of a figure");
    }
}

}  // namespace

long descriptors_needed(int conns) {
    return 2L * conns + 256;
}

Preflight prepare_machine(const HarnessOptions& opts) {
    Preflight out;
    pin(opts, out);
    raise_descriptors(opts, out);
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        out.problems.push_back(
            "prctl(PR_SET_CHILD_SUBREAPER): " + error_text(errno) +
            ": CPU of server children that outlive their parent is lost");
    }
    return out;
}

}  // namespace echolab::harness
