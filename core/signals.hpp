// core/signals.hpp: SIGPIPE ignored, SIGINT/SIGTERM turned into a stop
// request that every thread can wait on with poll/select/epoll.
// It does not decide what stopping means; each variant does.
#pragma once

#include <chrono>

namespace echolab {

enum class Wake { ready, timeout, stop };

// The process-wide stop request. A signal handler can only touch static
// state, so this is the one global object in the core.
class StopSignal {
public:
    // Ignores SIGPIPE (a peer that resets must cost one connection, not the
    // process; the setting survives fork) and routes SIGINT and SIGTERM to
    // request(). Safe to call more than once. Throws SetupError.
    static StopSignal& install();

    // Readable from the moment a stop is requested, and it stays readable,
    // so any number of threads can watch it. Never read from it.
    int fd() const noexcept;
    bool requested() const noexcept;
    // When the stop was requested (steady clock); meaningful once requested.
    std::chrono::steady_clock::time_point requested_at() const noexcept;

    // Blocks until fd is readable, the timeout passes (a negative timeout
    // never does), or a stop is requested; fd < 0 just sleeps. A stop wins
    // over readiness. This is how blocking accept loops stay stoppable.
    Wake wait(int fd, std::chrono::milliseconds timeout) const;

    // Requests a stop; async-signal-safe.
    void request() noexcept;

    // For a forked child: forget the parent's state and start with a fresh
    // pipe, so a signal sent to the child alone stops only the child.
    void reset_after_fork();

private:
    StopSignal() = default;
};

}  // namespace echolab
