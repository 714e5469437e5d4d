// bench/loadgen/worker.hpp: what the loop threads of one run share
// (RunContext) and the base of the per-thread engines (Worker). Internal to
// the library: the harness calls run() in engine.hpp instead.
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"

#include "bench/loadgen/clock.hpp"
#include "bench/loadgen/config.hpp"
#include "bench/loadgen/event_loop.hpp"
#include "bench/loadgen/result.hpp"
#include "support/pattern.hpp"

#include <atomic>
#include <cstdint>
#include <string>

namespace echolab::loadgen {

// The byte stream lives in echolab::support, shared with the tests.
using support::Pattern;
using support::shared_pattern;

// The run's timetable, fixed once every thread has its connections.
struct Timeline {
    Nanos start = 0;         // first message (warm-up begins)
    Nanos window_start = 0;  // measurement begins
    Nanos window_end = 0;    // no new messages from here on; drain
};

class RunContext {
public:
    // Throws SetupError if the stop descriptor cannot be made.
    RunContext(const RunConfig& config, const SocketAddress& target);

    // Ends every loop soon: sets the flag and wakes every epoll_wait.
    void request_stop() noexcept;
    bool stop_requested() const noexcept {
        return stop_.load(std::memory_order_relaxed);
    }
    int stop_fd() const noexcept { return stop_fd_.get(); }

    const RunConfig& config;
    const Pattern& pattern;
    const SocketAddress target;  // the address the first connect reached
    Timeline times;              // written before the loops start

private:
    Fd stop_fd_;  // an eventfd that becomes readable on stop
    std::atomic<bool> stop_{false};
};

// One event-loop thread's share of the connections. setup() runs first
// (it may throw SetupError), then run() on the same thread once the
// Timeline is set; afterwards the owner reads result().
class Worker {
public:
    Worker(RunContext& ctx, int index, int connections);
    virtual ~Worker() = default;
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    virtual void setup() = 0;
    virtual void run() = 0;

    RunResult& result() noexcept { return result_; }
    Nanos finished_at() const noexcept { return finished_at_; }
    // Read by the progress display on another thread while run() goes on.
    std::uint64_t done_so_far() const noexcept {
        return done_.load(std::memory_order_relaxed);
    }
    std::uint64_t errors_so_far() const noexcept {
        return errors_.load(std::memory_order_relaxed);
    }

protected:
    // Counts an error; ends the run if nothing is listening.
    void count_error(ErrorKind kind, std::string example, Nanos now);
    // Ends the run with the "stalled" verdict.
    void report_stall(std::string what);
    // The watchdog's turn: true at most every stall_timeout / 10.
    bool watchdog_due(Nanos now) noexcept;
    // Open loop: a send (connect) due at `due` starts at `now`.
    void note_start(Nanos due, Nanos now) noexcept;
    bool stalled_since(Nanos last_progress, Nanos now) const noexcept {
        return now - last_progress > stall_after_;
    }
    // A plain store of a counter only this thread writes: no lock, no
    // read-modify-write on the per-message path.
    void publish_done(std::uint64_t done) noexcept {
        done_.store(done, std::memory_order_relaxed);
    }
    void finish(Nanos now) noexcept { finished_at_ = now; }

    RunContext& ctx_;
    const RunConfig& config_;
    const int index_;
    const int connections_;
    EventLoop loop_;
    RunResult result_;
    Nanos next_check_ = 0;

private:
    Nanos stall_after_;
    Nanos finished_at_ = 0;
    std::atomic<std::uint64_t> done_{0};
    std::atomic<std::uint64_t> errors_{0};
};

}  // namespace echolab::loadgen
