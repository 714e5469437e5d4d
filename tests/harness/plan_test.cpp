#include "bench/harness/plan.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace echolab::harness {
namespace {

using support::Model;
using support::ServerUnderTest;

ServerUnderTest server(const char* name, Model model,
                       const char* pool_flag = "", int conn_limit = 0) {
    ServerUnderTest s;
    s.name = name;
    s.binary = std::string("/bin/") + name;
    s.model = model;
    s.pool_flag = pool_flag;
    s.conn_limit = conn_limit;
    return s;
}

std::vector<ServerUnderTest> three_servers() {
    return {server("iterative", Model::one_at_a_time, "", 1),
            server("thread_pool", Model::worker_pool, "--threads"),
            server("epoll_loop", Model::event_loop)};
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

TEST(Plan, PoolIsSizedToTheLoadByItsOwnFlag) {
    auto plan = plan_round(echo_only(), three_servers());
    EXPECT_EQ(server_flags(plan[1]),
              (std::vector<std::string>{"--threads", "9", "--max-conns", "9"}));
    EXPECT_EQ(
        server_flags(plan[4]),
        (std::vector<std::string>{"--threads", "108", "--max-conns", "108"}));
    EXPECT_EQ(server_flags(plan[5]),
              (std::vector<std::string>{"--max-conns", "108"}));
    ServerUnderTest workers = server("pool", Model::worker_pool, "--workers");
    BenchSpec spec{Scenario::throughput, "", "", workers, 4, 64, ""};
    EXPECT_EQ(server_flags(spec), (std::vector<std::string>{
                                      "--workers", "12", "--max-conns", "12"}));
}

TEST(Plan, ConnLimitCapsTheSlackAndRefusesMore) {
    HarnessOptions opts = echo_only();
    opts.conns = {1000, 2000};
    auto plan =
        plan_round(opts, {server("select_like", Model::event_loop, "", 1008)});
    ASSERT_EQ(plan.size(), 2u);
    EXPECT_TRUE(plan[0].cannot_serve.empty());
    EXPECT_EQ(server_flags(plan[0]),
              (std::vector<std::string>{"--max-conns", "1008"}));
    EXPECT_NE(plan[1].cannot_serve.find("stops at 1008"), std::string::npos)
        << plan[1].cannot_serve;
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
    EXPECT_TRUE(has("micro/switch_processes/tasks:100"));
    EXPECT_TRUE(has("micro/switch_threads/tasks:100"));
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
