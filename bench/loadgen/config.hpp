// bench/loadgen/config.hpp: RunConfig, everything that defines one run of
// the load generator, and its validation. The CLI and the benchmark harness
// both fill one in and hand it to run() (engine.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace echolab::loadgen {

enum class Mode {
    // Long-lived connections, each with `pipeline` messages in flight.
    throughput,
    // Each worker repeats connect, send `size` bytes, read the echo, close
    // (netperf's TCP_CRR).
    connect,
};

enum class Phase { setup, warmup, measure, drain, done };

// A snapshot for a progress display, taken about once a second.
struct Progress {
    double elapsed_s = 0;  // since the first message
    Phase phase = Phase::setup;
    std::uint64_t done = 0;  // round trips (connect mode: connections) so far
    std::uint64_t errors = 0;
};

struct RunConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7007;
    Mode mode = Mode::throughput;
    // Concurrent connections (connect mode: concurrent workers).
    int connections = 10;
    // Messages in flight per connection (open loop: the most in flight).
    int pipeline = 1;
    std::size_t size = 64;  // bytes per message
    double warmup_s = 0.5;
    double duration_s = 4.0;
    // When non-zero, each connection (connect mode: each worker) does
    // exactly this many round trips and the run ends when all are done;
    // there is no warm-up and duration_s is only a time limit.
    std::uint64_t messages = 0;
    // Open loop when non-zero: messages per second (connect mode:
    // connections per second) over all connections, on a fixed schedule.
    double rate = 0;
    int threads = 1;  // event-loop threads; connections are dealt out
    // Pin loop thread i to cpus[i % cpus.size()], one thread per CPU when
    // there are as many threads as CPUs (empty: leave them be).
    std::vector<int> cpus;
    // A connection that waits this long without progress ends the run.
    double stall_timeout_s = 3.0;
    // Connect mode against 127.0.0.0/8: bind each connection to one of
    // kSourceAddresses loopback addresses, so that TIME_WAIT cannot
    // exhaust the ephemeral ports (see docs/echoload.md).
    bool spread_sources = true;
    // Called from the thread that called run(), about once a second.
    std::function<void(const Progress&)> on_progress;
};

// A configuration error: which field (spelled like its CLI flag, without
// the dashes) and why.
struct ConfigError {
    std::string field;
    std::string message;
};

// Checks the ranges and the fields that depend on each other.
std::optional<ConfigError> validate(const RunConfig& config);

const char* to_string(Mode mode) noexcept;

}  // namespace echolab::loadgen
