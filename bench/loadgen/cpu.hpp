// bench/loadgen/cpu.hpp: the CPU time this process has used, and pinning a
// thread to one CPU or a set (core's usable_cpus counts the set we have). A
// load generator reports its own CPU use so that a saturated client is visible
// instead of passing for a slow server.
#pragma once

#include <system_error>
#include <vector>

namespace echolab::loadgen {

struct CpuTimes {
    double user_s = 0;
    double system_s = 0;

    double total_s() const noexcept { return user_s + system_s; }
};

CpuTimes operator-(const CpuTimes& a, const CpuTimes& b) noexcept;

// User and system time of every thread of this process (getrusage(2),
// RUSAGE_SELF).
CpuTimes process_cpu_times() noexcept;

// Restricts the calling thread to CPU `cpu` (threads it creates later
// inherit this). Returns EINVAL when that CPU is not available to us.
std::error_code pin_thread_to_cpu(int cpu) noexcept;

// Restricts the calling thread to the set `cpus` (threads and processes
// it starts later inherit this); EINVAL when none of them is available.
std::error_code pin_thread_to_cpus(const std::vector<int>& cpus) noexcept;

// Whether this process may run on CPU `cpu`.
bool cpu_allowed(int cpu) noexcept;

}  // namespace echolab::loadgen
