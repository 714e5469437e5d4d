#include "bench/harness/plan.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace echolab::harness {
namespace {

using test::Model;
using test::ServerUnderTest;

std::vector<ServerUnderTest> three_servers() {
    return {{"iterative", "/bin/iterative", "", Model::one_at_a_time},
            {"thread_pool", "/bin/thread_pool", "", Model::worker_pool},
            {"epoll_loop", "/bin/epoll_loop", "", Model::per_connection}};
}

HarnessOptions echo_only() {
    HarnessOptions opts;
    opts.scenarios = {"throughput"};
    opts.conns = {1, 100};
    opts.sizes = {64};
    return opts;
}

TEST(Plan, NamesFollowTheBenchmarkConvention) {
    auto plan = plan_round(echo_only(), three_servers());
    ASSERT_EQ(plan.size(), 6u);
    EXPECT_EQ(plan[0].name, "echo/iterative/conns:1/bytes:64");
    EXPECT_EQ(plan[5].name, "echo/epoll_loop/conns:100/bytes:64");
}

TEST(Plan, VariantsTakeTurnsWithinEachPoint) {
    auto plan = plan_round(echo_only(), three_servers());
    std::vector<std::string> order;
    for (const BenchSpec& spec : plan) {
        order.push_back(spec.server.name);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"iterative", "thread_pool",
                                               "epoll_loop", "iterative",
                                               "thread_pool", "epoll_loop"}));
}

TEST(Plan, IterativeCannotServeConcurrentClients) {
    auto plan = plan_round(echo_only(), three_servers());
    EXPECT_TRUE(plan[0].cannot_serve.empty());
    EXPECT_NE(plan[3].cannot_serve.find("cannot serve 100"), std::string::npos);
    EXPECT_TRUE(plan[5].cannot_serve.empty());
}

TEST(Plan, AcceptModeServesEveryModel) {
    HarnessOptions opts;
    opts.scenarios = {"accept"};
    opts.accept_conns = {100};
    for (const BenchSpec& spec : plan_round(opts, three_servers())) {
        EXPECT_TRUE(spec.cannot_serve.empty()) << spec.name;
        EXPECT_TRUE(server_flags(spec).empty()) << spec.name;
    }
}

TEST(Plan, PoolGrowsToTheLoadAndKeepsItsDefaultBelow) {
    auto plan = plan_round(echo_only(), three_servers());
    EXPECT_EQ(
        server_flags(plan[1]),
        (std::vector<std::string>{"--threads", "16", "--max-conns", "24"}));
    EXPECT_EQ(
        server_flags(plan[4]),
        (std::vector<std::string>{"--threads", "100", "--max-conns", "108"}));
    EXPECT_EQ(server_flags(plan[5]),
              (std::vector<std::string>{"--max-conns", "108"}));
}

TEST(Plan, CostKeepsThePoolBound) {
    HarnessOptions opts;
    opts.scenarios = {"cost"};
    opts.idle_conns = 300;
    auto plan = plan_round(opts, three_servers());
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[1].name, "cost/thread_pool/idle:300");
    EXPECT_TRUE(server_flags(plan[1]).empty());
    EXPECT_EQ(server_flags(plan[2]),
              (std::vector<std::string>{"--max-conns", "308"}));
}

TEST(Plan, MicroAndFloorNameWhatTheyMeasure) {
    HarnessOptions opts;
    opts.scenarios = {"micro", "floor"};
    opts.sizes = {64};
    opts.watched_fds = {1, 1000};
    auto plan = plan_round(opts, three_servers());
    auto has = [&](const std::string& name) {
        return std::any_of(plan.begin(), plan.end(),
                           [&](const BenchSpec& s) { return s.name == name; });
    };
    EXPECT_TRUE(has("micro/select/fds:1000"));
    EXPECT_TRUE(has("micro/epoll_wait/fds:1"));
    EXPECT_TRUE(has("micro/fork_exit_wait"));
    EXPECT_TRUE(has("floor/pingpong_cross_cpu/bytes:64"));
    EXPECT_TRUE(has("floor/epoll_echo/conns:100/bytes:64"));
}

TEST(SelectServers, UnknownVariantIsAnError) {
    HarnessOptions opts;
    opts.variants = {"epoll_loop", "nope"};
    EXPECT_THROW(select_servers(opts, three_servers()), std::invalid_argument);
    opts.variants = {"epoll_loop"};
    EXPECT_EQ(select_servers(opts, three_servers()).size(), 1u);
}

}  // namespace
}  // namespace echolab::harness
