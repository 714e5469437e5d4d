// bench/loadgen/report.hpp: a run's figures as a table for people and as
// JSON for tools. Both are returned, never printed: the caller chooses
// where they go.
#pragma once

#include "bench/loadgen/config.hpp"
#include "bench/loadgen/machine.hpp"
#include "bench/loadgen/result.hpp"

#include <string>

#include <nlohmann/json.hpp>

namespace echolab::loadgen {

// A few aligned lines: what ran, the rates, the latency percentiles, the
// client's own CPU use, the errors and the verdict.
std::string format_table(const RunConfig& config, const RunResult& result);

// Every figure, the parameters and the machine. Every key is present in
// every mode (histograms that do not apply have count 0), so a consumer
// never has to guess. Latencies are in microseconds.
nlohmann::json to_json(const RunConfig& config, const RunResult& result,
                       const MachineInfo& machine);

// The one-line progress display: "[3 s] measure  241,022/s  errors 0".
// `per_second` is the rate since the last line.
std::string format_progress(const Progress& progress, double per_second);

}  // namespace echolab::loadgen
