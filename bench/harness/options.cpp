#include "bench/harness/options.hpp"

#include <algorithm>
#include <string_view>

#include <CLI/CLI.hpp>

namespace echolab::harness {

HarnessOptions quick_options() {
    HarnessOptions opts;
    opts.conns = {1, 100};
    opts.sizes = {64};
    opts.accept_conns = {10};
    opts.watched_fds = {1, 100, 1000};
    opts.idle_conns = 100;
    opts.warmup_s = 0.2;
    opts.duration_s = 1.0;
    opts.quick = true;
    return opts;
}

bool wants(const HarnessOptions& opts, const std::string& scenario) {
    return std::find(opts.scenarios.begin(), opts.scenarios.end(), scenario) !=
           opts.scenarios.end();
}

std::vector<std::string> parse_options(int argc, char** argv,
                                       HarnessOptions& opts) {
    // --quick only changes defaults, so it is read before the flags that
    // may override them.
    bool quick = std::any_of(argv + 1, argv + argc, [](const char* arg) {
        return std::string_view(arg) == "--quick";
    });
    opts = quick ? quick_options() : HarnessOptions{};
    CLI::App app{"echo_bench: every echolab variant under the same load"};
    app.allow_extras();
    app.add_flag("--quick", opts.quick, "short runs of the key points");
    app.add_option("--variants", opts.variants, "variants to measure")
        ->delimiter(',');
    app.add_option("--scenarios", opts.scenarios,
                   "throughput,accept,cost,micro,floor")
        ->delimiter(',')
        ->check(
            CLI::IsMember({"throughput", "accept", "cost", "micro", "floor"}))
        ->capture_default_str();
    app.add_option("--conns", opts.conns, "throughput connections")
        ->delimiter(',')
        ->check(CLI::Range(1, 10000));
    app.add_option("--sizes", opts.sizes, "message bytes")
        ->delimiter(',')
        ->check(CLI::Range(1, 65536));
    app.add_option("--accept-conns", opts.accept_conns, "concurrent connectors")
        ->delimiter(',')
        ->check(CLI::Range(1, 1000));
    app.add_option("--watched-fds", opts.watched_fds,
                   "descriptors in the select/poll/epoll micro-benchmarks")
        ->delimiter(',')
        ->check(CLI::Range(1, 1000));
    app.add_option("--idle-conns", opts.idle_conns,
                   "idle connections for memory per connection")
        ->check(CLI::Range(1, 5000))
        ->capture_default_str();
    app.add_option("--rounds", opts.rounds, "repetitions, interleaved")
        ->check(CLI::Range(1, 50))
        ->capture_default_str();
    app.add_option("--warmup", opts.warmup_s, "seconds before measuring")
        ->check(CLI::Range(0.0, 60.0))
        ->capture_default_str();
    app.add_option("--duration", opts.duration_s, "measured seconds")
        ->check(CLI::Range(0.05, 600.0))
        ->capture_default_str();
    app.add_option("--server-cpu", opts.server_cpu, "CPU of the servers")
        ->capture_default_str();
    app.add_option("--client-cpu", opts.client_cpu, "CPU of the load")
        ->capture_default_str();
    app.add_flag("--allow-unpinned", opts.allow_unpinned,
                 "run (and say so) when the CPUs cannot be pinned");
    app.parse(argc, argv);
    std::vector<std::string> rest{argv[0]};
    for (const std::string& arg : app.remaining()) {
        rest.push_back(arg);
    }
    return rest;
}

}  // namespace echolab::harness
