#include "bench/harness/options.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace echolab::harness
