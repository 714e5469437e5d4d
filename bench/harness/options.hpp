// bench/harness/options.hpp: what echo_bench measures and for how long.
// Google Benchmark's own --benchmark_* flags pass through untouched.
#pragma once

#include <string>
#include <vector>

namespace echolab::harness {

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
    int server_cpu = 0;
    int client_cpu = 1;
    bool allow_unpinned = false;
    bool quick = false;
};

// The --quick preset: the points that separate the models, shorter runs.
HarnessOptions quick_options();

bool wants(const HarnessOptions& opts, const std::string& scenario);

// Parses the harness flags out of argv. Returns the arguments left for
// benchmark::Initialize (argv[0] first). Throws CLI::ParseError; help and
// usage errors are the caller's to print with CLI11's exit().
std::vector<std::string> parse_options(int argc, char** argv,
                                       HarnessOptions& opts);

}  // namespace echolab::harness
