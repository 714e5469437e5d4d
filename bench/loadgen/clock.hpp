// bench/loadgen/clock.hpp: the one clock of the load generator, the
// monotonic clock in nanoseconds. Wall-clock time never enters a latency.
#pragma once

#include <chrono>
#include <cstdint>

#include <time.h>

namespace echolab::loadgen {

using Nanos = std::int64_t;

constexpr Nanos kNanosPerSecond = 1'000'000'000;

// CLOCK_MONOTONIC, read through the vDSO (no system call).
inline Nanos now_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return Nanos{ts.tv_sec} * kNanosPerSecond + ts.tv_nsec;
}

inline Nanos from_seconds(double seconds) noexcept {
    return static_cast<Nanos>(seconds * static_cast<double>(kNanosPerSecond));
}

inline double to_seconds(Nanos ns) noexcept {
    return static_cast<double>(ns) / static_cast<double>(kNanosPerSecond);
}

// The same instant as a std::chrono time point (libstdc++'s steady_clock
// is CLOCK_MONOTONIC), for condition-variable waits.
inline std::chrono::steady_clock::time_point to_time_point(Nanos ns) {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace echolab::loadgen
