// bench/harness/scenarios.hpp: the benchmark bodies, one per scenario.
// Each takes its point from a BenchSpec, measures, and sets the manual
// time and the counters; a point that cannot be measured honestly ends in
// state.SkipWithError with the reason, which the report shows.
#pragma once

#include "bench/harness/options.hpp"
#include "bench/harness/plan.hpp"
#include "bench/harness/preflight.hpp"
#include "bench/loadgen/config.hpp"
#include "bench/loadgen/result.hpp"

#include <benchmark/benchmark.h>

namespace echolab::harness {

struct Env {
    const HarnessOptions& opts;
    const Preflight& preflight;
};

void run_echo(benchmark::State& state, const BenchSpec& spec, const Env& env);
void run_accept(benchmark::State& state, const BenchSpec& spec, const Env& env);
void run_cost(benchmark::State& state, const BenchSpec& spec, const Env& env);
void run_micro(benchmark::State& state, const BenchSpec& spec, const Env& env);
void run_floor(benchmark::State& state, const BenchSpec& spec, const Env& env);

// The CPUs spec's server runs on: its own set, else the first
// --server-cpus set; the client's set when the run is not pinned.
CpuSet server_cpus_of(const BenchSpec& spec, const Env& env);

// The load of a throughput point against host:port, pinned as env says.
loadgen::RunConfig throughput_config(const std::string& host,
                                     std::uint16_t port, const BenchSpec& spec,
                                     const Env& env);

// Sets the counters every throughput run reports (rates, round-trip
// percentiles, client CPU); server_cpu_s < 0 leaves the server's out, and
// server_cpus_busy_s < 0 the busy time of its CPUs (ServerEnd).
void set_throughput_counters(benchmark::State& state,
                             const loadgen::RunResult& result, std::size_t size,
                             double server_cpu_s,
                             double server_cpus_busy_s = -1);

}  // namespace echolab::harness
