#include "bench/harness/options.hpp"

#include "bench/harness/server_run.hpp"
#include "bench/loadgen/cpu.hpp"

#include <chrono>

#include <gtest/gtest.h>
#include <sched.h>

#include <CLI/CLI.hpp>

namespace echolab::harness {
namespace {

std::vector<std::string> parse(std::vector<std::string> args,
                               HarnessOptions& opts) {
    args.insert(args.begin(), "echo_bench");
    std::vector<char*> argv;
    for (std::string& arg : args) {
        argv.push_back(arg.data());
    }
    return parse_options(static_cast<int>(argv.size()), argv.data(), opts);
}

TEST(HarnessOptions, BenchmarkFlagsPassThrough) {
    HarnessOptions opts;
    auto rest = parse({"--benchmark_out=x.json", "--rounds", "5"}, opts);
    EXPECT_EQ(rest, (std::vector<std::string>{"echo_bench",
                                              "--benchmark_out=x.json"}));
    EXPECT_EQ(opts.rounds, 5);
}

TEST(HarnessOptions, QuickChangesDefaultsAndFlagsStillWin) {
    HarnessOptions opts;
    parse({"--quick", "--conns", "10,1000"}, opts);
    EXPECT_TRUE(opts.quick);
    EXPECT_EQ(opts.conns, (std::vector<int>{10, 1000}));
    EXPECT_EQ(opts.sizes, quick_options().sizes);
    EXPECT_LT(opts.duration_s, HarnessOptions{}.duration_s);
}

TEST(HarnessOptions, ListsAndScenarios) {
    HarnessOptions opts;
    parse({"--variants", "epoll_loop,select_loop", "--scenarios", "micro"},
          opts);
    EXPECT_EQ(opts.variants.size(), 2u);
    EXPECT_TRUE(wants(opts, "micro"));
    EXPECT_FALSE(wants(opts, "throughput"));
}

TEST(HarnessOptions, UnknownScenarioIsAUsageError) {
    HarnessOptions opts;
    EXPECT_THROW(parse({"--scenarios", "speed"}, opts), CLI::ParseError);
}

TEST(HarnessOptions, HelpListsEveryHarnessFlag) {
    CLI::App app;
    HarnessOptions opts;
    add_harness_flags(app, opts);
    std::string help = app.help();
    for (const char* flag :
         {"--quick", "--variants", "--scenarios", "--conns", "--sizes",
          "--accept-conns", "--watched-fds", "--idle-conns", "--rounds",
          "--warmup", "--duration", "--server-cpus", "--client-cpus",
          "--server", "--allow-unpinned", "--benchmark_"}) {
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
    }
}

TEST(HarnessOptions, CpuListsReadLikeTaskset) {
    EXPECT_EQ(parse_cpu_list("0-2,5"), (CpuSet{0, 1, 2, 5}));
    EXPECT_EQ(parse_cpu_list("3,1,1"), (CpuSet{1, 3}));
    EXPECT_EQ(cpu_list_text({0, 1, 2, 5}), "0-2,5");
    EXPECT_EQ(cpu_list_text({0, 1}), "0,1");
    for (const char* bad : {"", "a", "3-1", "1,", "-1", "99999"}) {
        EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument) << bad;
    }
    EXPECT_TRUE(overlap({0, 1}, {1}));
    EXPECT_FALSE(overlap({0}, {1}));
}

TEST(HarnessOptions, ServerCpusRepeatForScaling) {
    HarnessOptions opts;
    parse({"--server-cpus", "0", "--server-cpus", "0-1", "--client-cpus", "1"},
          opts);
    EXPECT_EQ(opts.server_cpu_sets, (std::vector<CpuSet>{{0}, {0, 1}}));
    EXPECT_EQ(opts.client_cpus, (CpuSet{1}));
    EXPECT_EQ(opts.server_cpu, 0);
    EXPECT_EQ(opts.client_cpu, 1);
    HarnessOptions defaults;
    parse({}, defaults);
    EXPECT_EQ(defaults.server_cpu_sets, (std::vector<CpuSet>{{0}}));
    EXPECT_EQ(defaults.client_cpus, (CpuSet{1}));
}

TEST(HarnessOptions, BadCpuSetsAreUsageErrorsNamingTheFlag) {
    HarnessOptions opts;
    try {
        parse({"--client-cpus", "1-0"}, opts);
        FAIL() << "accepted a backwards range";
    } catch (const CLI::ValidationError& e) {
        EXPECT_NE(std::string(e.what()).find("--client-cpus"),
                  std::string::npos)
            << e.what();
    }
    // Two sets of one CPU would be one point of the scaling plot twice.
    EXPECT_THROW(parse({"--server-cpus", "0", "--server-cpus", "1"}, opts),
                 CLI::ParseError);
}

TEST(HarnessOptions, ExternalServersAreNamedCommands) {
    HarnessOptions opts;
    parse({"--server", "mine=./a.out {port}", "--server",
           "go-echo=/usr/bin/echo-server --listen=:{port}"},
          opts);
    ASSERT_EQ(opts.external.size(), 2u);
    EXPECT_EQ(opts.external[0].name, "mine");
    EXPECT_EQ(opts.external[0].command, "./a.out {port}");
    EXPECT_EQ(opts.external[1].command,
              "/usr/bin/echo-server --listen=:{port}");
    for (const char* bad :
         {"nameonly", "=./a.out", "my server=./a.out", "a/b=./a.out", "x="}) {
        HarnessOptions fresh;
        EXPECT_THROW(parse({"--server", bad}, fresh), CLI::ParseError) << bad;
    }
    EXPECT_THROW(parse({"--server", "a=x", "--server", "a=y"}, opts),
                 CLI::ParseError);
}

// A CPU that runs a busy loop is busy in /proc/stat for about that long
// (whatever else runs there counts as busy too, so this cannot fall short
// on a loaded machine; only time the hypervisor steals would).
TEST(CpusBusy, CountsTheTimeThoseCpusWereBusy) {
    cpu_set_t mine;
    CPU_ZERO(&mine);
    ASSERT_EQ(::sched_getaffinity(0, sizeof mine, &mine), 0);
    int cpu = ::sched_getcpu();
    ASSERT_FALSE(loadgen::pin_thread_to_cpu(cpu));
    double before = cpus_busy_s({cpu});
    auto start = std::chrono::steady_clock::now();
    auto spent = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
            .count();
    };
    while (spent() < 0.3) {
    }
    double busy = cpus_busy_s({cpu}) - before;
    double wall = spent();
    ::sched_setaffinity(0, sizeof mine, &mine);
    EXPECT_GE(busy, 0.15);
    EXPECT_LE(busy, wall + 0.05);
    EXPECT_EQ(cpus_busy_s({}), 0);
}

}  // namespace
}  // namespace echolab::harness
