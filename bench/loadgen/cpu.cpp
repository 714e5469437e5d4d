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
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return {EINVAL, std::generic_category()};
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<unsigned>(cpu), &set);
    // pthread_setaffinity_np returns the error instead of setting errno.
    int rc = ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
    return {rc, std::generic_category()};
}

int allowed_cpu_count() noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) {
        return 1;
    }
    return CPU_COUNT(&set);
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
