// echo_bench: every registered variant under the same load, as Google
// Benchmark benchmarks. Servers run pinned to one CPU, the load generator
// on the other; each benchmark is registered once per round, and within
// a round every variant is visited in turn, so that the drift of a shared
// machine spreads over all models instead of masquerading as a
// difference between them. The medians come from RoundsReporter; one
// readable line per point goes to stderr (ProgressReporter).
#include "bench/harness/aggregate.hpp"
#include "bench/harness/options.hpp"
#include "bench/harness/plan.hpp"
#include "bench/harness/preflight.hpp"
#include "bench/harness/progress.hpp"
#include "bench/harness/scenarios.hpp"
#include "bench/harness/server_run.hpp"
#include "bench/loadgen/machine.hpp"

#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

namespace {

using namespace echolab::harness;

void run_spec(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    switch (spec.scenario) {
        case Scenario::throughput:
        case Scenario::scaling:
            return run_echo(state, spec, env);
        case Scenario::accept:
            return run_accept(state, spec, env);
        case Scenario::cost:
            return run_cost(state, spec, env);
        case Scenario::micro:
            return run_micro(state, spec, env);
        case Scenario::floor:
            return run_floor(state, spec, env);
    }
}

// One load run per benchmark, timed by the load generator's window; the
// micro-benchmarks and the cheap floors let Google Benchmark pick the
// iteration count.
void register_all(const std::vector<BenchSpec>& round, const Env& env) {
    for (int r = 0; r < env.opts.rounds; ++r) {
        for (const BenchSpec& spec : round) {
            auto* b = benchmark::RegisterBenchmark(
                spec.name.c_str(), [spec, &env](benchmark::State& state) {
                    run_spec(state, spec, env);
                });
            bool one_run =
                spec.scenario != Scenario::micro &&
                (spec.scenario != Scenario::floor || spec.kind == "epoll_echo");
            if (one_run) {
                b->UseManualTime()->Iterations(1)->Unit(
                    benchmark::kMillisecond);
            } else {
                b->UseRealTime()
                    ->MinTime(env.opts.quick ? 0.1 : 0.3)
                    ->Unit(benchmark::kMicrosecond);
            }
        }
    }
}

void add_context(const HarnessOptions& opts, const Preflight& pre, int argc,
                 char** argv) {
    std::string command;
    for (int i = 0; i < argc; ++i) {
        command.append(i ? " " : "").append(argv[i]);
    }
    auto machine = echolab::loadgen::describe_machine();
    benchmark::AddCustomContext("echolab_command", command);
    benchmark::AddCustomContext("echolab_cpu_model", machine.cpu_model);
    benchmark::AddCustomContext("echolab_kernel", machine.kernel);
    benchmark::AddCustomContext("echolab_cpus_online",
                                std::to_string(machine.cpus_online));
    benchmark::AddCustomContext("echolab_compiler", "g++ " __VERSION__);
    std::string server_sets;
    for (const CpuSet& set : opts.server_cpu_sets) {
        server_sets.append(server_sets.empty() ? "" : " | ")
            .append(cpu_list_text(set));
    }
    benchmark::AddCustomContext("echolab_server_cpus", server_sets);
    benchmark::AddCustomContext("echolab_client_cpus",
                                cpu_list_text(opts.client_cpus));
    benchmark::AddCustomContext(
        "echolab_pinning",
        pre.pinned
            ? "servers on CPUs " + cpu_list_text(opts.server_cpu_sets.front()) +
                  ", load generator on CPUs " + cpu_list_text(opts.client_cpus)
            : "NOT PINNED");
    for (const ExternalServer& e : opts.external) {
        benchmark::AddCustomContext("echolab_external_" + e.name, e.command);
    }
    benchmark::AddCustomContext("echolab_rounds", std::to_string(opts.rounds));
    std::ostringstream window;
    window << opts.warmup_s << " s warm-up, " << opts.duration_s
           << " s measured";
    benchmark::AddCustomContext("echolab_window", window.str());
    std::string problems;
    for (const std::string& p : pre.problems) {
        problems.append(problems.empty() ? "" : " | ").append(p);
    }
    benchmark::AddCustomContext("echolab_problems", problems);
}

bool has_out_file(const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
        if (arg.rfind("--benchmark_out=", 0) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    HarnessOptions opts;
    std::vector<std::string> rest;
    try {
        rest = parse_options(argc, argv, opts);
    } catch (const CLI::ParseError& e) {
        // The same flags on a fresh app, so that --help lists them all.
        CLI::App usage;
        HarnessOptions ignored;
        add_harness_flags(usage, ignored);
        // CLI11's own codes (105 for a bad value) would break the
        // contract's usage-error status 2.
        return usage.exit(e) == 0 ? 0 : 2;
    }
    std::vector<echolab::support::ServerUnderTest> servers;
    try {
        servers = select_servers(opts, echolab::support::servers_under_test());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    Preflight pre = prepare_machine(opts);
    for (const std::string& p : pre.problems) {
        std::cerr << "echo_bench: " << p << "\n";
    }
    if (!pre.pinned && !opts.allow_unpinned) {
        std::cerr << "error: refusing to measure unpinned (the figures "
                     "would mix server and client on one CPU); pass "
                     "--allow-unpinned to run anyway, marked as such\n";
        return 1;
    }
    std::vector<char*> bench_argv;
    for (std::string& arg : rest) {
        bench_argv.push_back(arg.data());
    }
    int bench_argc = static_cast<int>(bench_argv.size());
    benchmark::Initialize(&bench_argc, bench_argv.data());
    if (benchmark::ReportUnrecognizedArguments(bench_argc, bench_argv.data())) {
        return 2;
    }
    add_context(opts, pre, argc, argv);
    add_variant_context(servers);
    Env env{opts, pre};
    std::vector<BenchSpec> round = plan_round(opts, servers);
    register_all(round, env);

    benchmark::ConsoleReporter console(
        ::isatty(1) ? benchmark::ConsoleReporter::OO_Color
                    : benchmark::ConsoleReporter::OO_None);
    RoundsReporter rounds(console, opts.rounds);
    ProgressReporter display(
        rounds, selected_by_filter(round, benchmark::GetBenchmarkFilter()),
        opts, std::cerr);
    benchmark::JSONReporter json;
    RoundsReporter file(json, opts.rounds);
    benchmark::RunSpecifiedBenchmarks(&display,
                                      has_out_file(rest) ? &file : nullptr);
    benchmark::Shutdown();
    return 0;
}
