#include "bench/loadgen/cpu.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

namespace echolab::loadgen {
namespace {

double seconds_of(const timeval& tv) noexcept {
    return static_cast<double>(tv.tv_sec) +
           static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

CpuTimes operator-(const CpuTimes& a, const CpuTimes& b) noexcept {
    return {a.user_s - b.user_s, a.system_s - b.system_s};
}

CpuTimes process_cpu_times() noexcept {
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) {
        return {};
    }
    return {seconds_of(usage.ru_utime), seconds_of(usage.ru_stime)};
}

std::error_code pin_thread_to_cpu(int cpu) noexcept {
    return pin_thread_to_cpus(std::vector<int>{cpu});
}

std::error_code pin_thread_to_cpus(const std::vector<int>& cpus) noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : cpus) {
        if (cpu >= 0 && cpu < CPU_SETSIZE) {
            CPU_SET(static_cast<unsigned>(cpu), &set);
        }
    }
    if (CPU_COUNT(&set) == 0) {
        return {EINVAL, std::generic_category()};
    }
    // pthread_setaffinity_np returns the error instead of setting errno.
    int rc = ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
    return {rc, std::generic_category()};
}

bool cpu_allowed(int cpu) noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu < 0 || cpu >= CPU_SETSIZE ||
        ::sched_getaffinity(0, sizeof set, &set) != 0) {
        return false;
    }
    return CPU_ISSET(static_cast<unsigned>(cpu), &set);
}

}  // namespace echolab::loadgen
