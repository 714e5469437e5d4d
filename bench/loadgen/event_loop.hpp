// bench/loadgen/event_loop.hpp: EventLoop, one epoll instance per load
// thread, level-triggered, returning up to 512 events per wait. It only
// waits; what an event means is the worker's business (loadgen's workers,
// or the reliability swarm's scripted clients).
#pragma once

#include "core/fd.hpp"

#include "bench/loadgen/clock.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <system_error>

#include <sys/epoll.h>

namespace echolab::loadgen {

class EventLoop {
public:
    // The token of the run's stop descriptor, registered by the
    // constructor; no connection uses it.
    static constexpr std::uint64_t kStopToken = UINT64_MAX;
    // Large batches amortise the wait over many connections.
    static constexpr int kBatch = 512;

    // Creates the epoll instance and watches stop_fd, if given, for input.
    // A loop with no stop_fd (the reliability swarm's: one thread, no one
    // to stop it) ends by its own deadlines. Throws SetupError.
    explicit EventLoop(int stop_fd = -1);

    // Level-triggered: an event repeats until the condition is handled,
    // so a partial read can never lose a wake-up.
    [[nodiscard]] std::error_code add(int fd, std::uint32_t events,
                                      std::uint64_t token) noexcept;
    [[nodiscard]] std::error_code modify(int fd, std::uint32_t events,
                                         std::uint64_t token) noexcept;

    // Waits until something is ready or the monotonic clock reaches
    // `deadline`, with nanosecond resolution (epoll_pwait2), so an open
    // loop can keep a schedule finer than a millisecond. Returns the
    // ready events (empty on timeout or EINTR), valid until the next call.
    std::span<const epoll_event> wait(Nanos deadline) noexcept;

private:
    Fd epoll_;
    std::array<epoll_event, kBatch> events_{};
};

}  // namespace echolab::loadgen
