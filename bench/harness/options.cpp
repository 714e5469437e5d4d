#include "bench/harness/options.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
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

namespace {

// The set of one --server-cpus or --client-cpus value, or a usage error
// naming the flag.
CpuSet cpu_set_of(const std::string& flag, const std::string& text) {
    try {
        return parse_cpu_list(text);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError(flag, e.what());
    }
}

void add_cpu_flags(CLI::App& app, HarnessOptions& opts) {
    app.add_option_function<std::vector<std::string>>(
           "--server-cpus",
           [&opts](const std::vector<std::string>& lists) {
               opts.server_cpu_sets.clear();
               for (const std::string& text : lists) {
                   CpuSet set = cpu_set_of("--server-cpus", text);
                   for (const CpuSet& seen : opts.server_cpu_sets) {
                       if (seen.size() == set.size()) {
                           throw CLI::ValidationError(
                               "--server-cpus",
                               "two sets of " + std::to_string(set.size()) +
                                   " CPUs: each set is one point of the "
                                   "scaling plot, so their sizes differ");
                       }
                   }
                   opts.server_cpu_sets.push_back(set);
               }
               opts.server_cpu = opts.server_cpu_sets.front().front();
           },
           "CPU list of the servers (0, 0-3, 0,2); repeat the flag for a "
           "scaling plot: every point runs on the first set, and the "
           "throughput scaling points on every set")
        ->type_name("LIST")
        ->default_str("0");
    app.add_option_function<std::string>(
           "--client-cpus",
           [&opts](const std::string& text) {
               opts.client_cpus = cpu_set_of("--client-cpus", text);
               opts.client_cpu = opts.client_cpus.front();
           },
           "CPU list of the load generator: one thread per CPU (at most "
           "one per connection)")
        ->type_name("LIST")
        ->default_str("1");
}

// NAME=COMMAND of --server into opts.external, or a usage error.
void add_external(HarnessOptions& opts, const std::string& spec) {
    auto eq = spec.find('=');
    std::string name = spec.substr(0, eq);
    bool name_ok =
        !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                   c == '-' || c == '.';
        });
    if (eq == std::string::npos || !name_ok || eq + 1 == spec.size()) {
        throw CLI::ValidationError(
            "--server", "'" + spec +
                            "': expected NAME=COMMAND, NAME of letters, "
                            "digits, '_', '-' or '.'");
    }
    for (const ExternalServer& seen : opts.external) {
        if (seen.name == name) {
            throw CLI::ValidationError("--server",
                                       "'" + name + "' is given twice");
        }
    }
    opts.external.push_back({name, spec.substr(eq + 1)});
}

}  // namespace

bool wants(const HarnessOptions& opts, const std::string& scenario) {
    return std::find(opts.scenarios.begin(), opts.scenarios.end(), scenario) !=
           opts.scenarios.end();
}

void add_harness_flags(CLI::App& app, HarnessOptions& opts) {
    app.name("echo_bench");
    app.description("echo_bench: every echolab variant under the same load");
    app.footer(
        "Google Benchmark's own --benchmark_* flags pass through, e.g. "
        "--benchmark_filter=echo/epoll_loop --benchmark_out=x.json. "
        "scripts/run-comparison runs this and writes the report.");
    app.allow_extras();
    app.add_flag("--quick", opts.quick,
                 "short runs of the key points: conns 1,100, 64 B, "
                 "accept 10, idle 100, 1 s windows");
    app.add_option("--variants", opts.variants,
                   "variants (and --server names) to measure; default all")
        ->delimiter(',');
    app.add_option("--scenarios", opts.scenarios, "which benchmarks to run")
        ->delimiter(',')
        ->check(
            CLI::IsMember({"throughput", "accept", "cost", "micro", "floor"}))
        ->capture_default_str();
    app.add_option("--conns", opts.conns, "throughput connections")
        ->delimiter(',')
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    app.add_option("--sizes", opts.sizes, "message bytes")
        ->delimiter(',')
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    app.add_option("--accept-conns", opts.accept_conns, "concurrent connectors")
        ->delimiter(',')
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--watched-fds", opts.watched_fds,
                   "descriptors in the select/poll/epoll micro-benchmarks")
        ->delimiter(',')
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
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
    add_cpu_flags(app, opts);
    app.add_option_function<std::vector<std::string>>(
           "--server",
           [&opts](const std::vector<std::string>& specs) {
               for (const std::string& spec : specs) {
                   add_external(opts, spec);
               }
           },
           "NAME=COMMAND: measure this server too, marked external "
           "(repeatable); COMMAND may hold {port}, else --port P is "
           "appended and the server must print the ready line")
        ->type_name("NAME=COMMAND");
    app.add_flag("--allow-unpinned", opts.allow_unpinned,
                 "run (and say so) when the CPUs cannot be pinned");
}

std::vector<std::string> parse_options(int argc, char** argv,
                                       HarnessOptions& opts) {
    // --quick only changes defaults, so it is read before the flags that
    // may override them.
    bool quick = std::any_of(argv + 1, argv + argc, [](const char* arg) {
        return std::string_view(arg) == "--quick";
    });
    opts = quick ? quick_options() : HarnessOptions{};
    CLI::App app;
    add_harness_flags(app, opts);
    app.parse(argc, argv);
    std::vector<std::string> rest{argv[0]};
    for (const std::string& arg : app.remaining()) {
        rest.push_back(arg);
    }
    return rest;
}

}  // namespace echolab::harness
