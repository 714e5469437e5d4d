// bench/harness/options.hpp: what echo_bench measures and for how long.
// Google Benchmark's own --benchmark_* flags pass through untouched.
#pragma once

#include "bench/harness/cpu_set.hpp"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace echolab::harness {

// A server from outside the registry (--server NAME=COMMAND): run through
// /bin/sh like ECHOLAB_SERVER_CMD, measured like a variant, marked
// external in the report.
struct ExternalServer {
    std::string name;
    std::string command;  // may hold {port}; else --port P is appended
};

struct HarnessOptions {
    std::vector<std::string> variants;  // empty: every registered one
    std::vector<std::string> scenarios = {"throughput", "accept", "cost",
                                          "micro", "floor"};
    std::vector<int> conns = {1, 10, 100, 1000};
    std::vector<int> sizes = {64, 4096};
    std::vector<int> accept_conns = {1, 10, 100};
    std::vector<int> watched_fds = {1, 10, 100, 1000};
    int idle_conns = 500;
    // Every benchmark runs once per round; rounds give the repetitions
    // whose median is reported, and each round visits every variant.
    int rounds = 3;
    double warmup_s = 0.3;
    double duration_s = 1.5;
    // The servers' CPU sets: the first is where every point runs; each
    // further set adds the scaling points (throughput against the
    // number of server CPUs).
    std::vector<CpuSet> server_cpu_sets = {{0}};
    CpuSet client_cpus = {1};  // one load generator thread per CPU
    // The first CPU of each set, for the floors that use one CPU a side.
    int server_cpu = 0;
    int client_cpu = 1;
    std::vector<ExternalServer> external;
    bool allow_unpinned = false;
    bool quick = false;
};

// The --quick preset: the points that separate the models, shorter runs.
HarnessOptions quick_options();

bool wants(const HarnessOptions& opts, const std::string& scenario);

// Declares every harness flag on app, writing into opts; --help shows
// them all.
void add_harness_flags(CLI::App& app, HarnessOptions& opts);

// Parses the harness flags out of argv. Returns the arguments left for
// benchmark::Initialize (argv[0] first). Throws CLI::ParseError; help and
// usage errors are the caller's to print with CLI11's exit() on an app
// that add_harness_flags() filled, so that --help lists every flag.
std::vector<std::string> parse_options(int argc, char** argv,
                                       HarnessOptions& opts);

}  // namespace echolab::harness
