// bench/loadgen/result.hpp: RunResult, every figure one run produced. It
// holds data only; report.hpp turns it into a table or JSON.
#pragma once

#include "bench/loadgen/cpu.hpp"
#include "bench/loadgen/errors.hpp"
#include "bench/loadgen/histogram.hpp"

#include <cstdint>
#include <string>

namespace echolab::loadgen {

enum class Verdict {
    ok,             // completed, every echoed byte matched
    mismatch,       // some echoed byte differed, was missing or extra
    stalled,        // a connection made no progress for the stall timeout
    server_failed,  // refused, reset or closed connections
};

const char* to_string(Verdict verdict) noexcept;

// The open-loop bookkeeping: did the client keep to its schedule?
struct OpenLoopStats {
    std::uint64_t scheduled = 0;   // sends (connects) due in the window
    std::uint64_t started = 0;     // of those, started before the window end
    std::uint64_t max_lag_ns = 0;  // latest start behind its schedule
    // The server (or the client) fell behind: fewer than 99 % of the sends
    // due in the window were started in it.
    bool kept_up() const noexcept { return started * 100 >= scheduled * 99; }
};

// Throughput mode: how evenly the round trips of the window were spread
// over the connections. A server that serves one client at a time shows
// min 0 and starved > 0 while the rate alone looks healthy.
struct Fairness {
    std::uint64_t connections = 0;
    std::uint64_t min = 0;      // round trips of the least served one
    std::uint64_t max = 0;      // round trips of the most served one
    std::uint64_t starved = 0;  // connections with none at all

    void add(std::uint64_t round_trips) noexcept;
    void merge(const Fairness& other) noexcept;
};

struct RunResult {
    Verdict verdict = Verdict::ok;
    // Why the verdict is not ok: the stalled connection and what it waited
    // for, or the first error.
    std::string detail;
    // The address the run connected to, e.g. "127.0.0.1:7007".
    std::string target;

    // Length of the measured window (messages mode: first send to last
    // echo).
    double window_s = 0;
    // Round trips (connect mode: connections) completed in the window; in
    // open loop, those scheduled in the window.
    std::uint64_t completed = 0;

    // Throughput mode: send of a message to the last byte of its echo;
    // open loop: from the scheduled send time. Connect mode: start of
    // connect() to the last byte of the echo.
    Histogram latency;
    // Open loop only: from the actual send, which is what a closed-loop
    // tool would report; compare it with latency to see what it hides.
    Histogram service_latency;
    // Connect mode only: connect() until the handshake completes, and
    // until the first echoed byte arrives.
    Histogram connect_latency;
    Histogram first_echo_latency;

    // Totals over the whole run, warm-up and drain included.
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_verified = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;  // every one checked
    std::uint64_t connections_opened = 0;

    OpenLoopStats open_loop;
    Fairness fairness;
    ErrorCounts errors;
    CpuTimes cpu_window;  // this process, during the window
    CpuTimes cpu_total;   // this process, the whole run

    double rate_per_s() const noexcept {
        return window_s > 0 ? static_cast<double>(completed) / window_s : 0;
    }
    // Client CPU time per completed round trip (connection).
    double cpu_us_per_op() const noexcept {
        return completed
                   ? cpu_window.total_s() * 1e6 / static_cast<double>(completed)
                   : 0;
    }
    // Share of one core the client used in the window.
    double cpu_load() const noexcept {
        return window_s > 0 ? cpu_window.total_s() / window_s : 0;
    }
};

// Adds a loop thread's figures into the total (the window and CPU times
// are the caller's).
void merge_into(RunResult& total, const RunResult& part);

// Sets the verdict from the errors counted: a mismatch outranks a stall,
// which outranks every other error.
void settle_verdict(RunResult& result);

// Exit status for the CLI: 0 for ok, 1 otherwise.
int exit_status(const RunResult& result) noexcept;

}  // namespace echolab::loadgen
