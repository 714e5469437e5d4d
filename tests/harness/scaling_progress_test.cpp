// The plan's scaling points and external servers, and the progress line
// a person reads during a run.
#include "bench/harness/plan.hpp"
#include "bench/harness/progress.hpp"

#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace echolab::harness {
namespace {

using support::Model;
using support::ServerUnderTest;

std::vector<ServerUnderTest> two_servers() {
    ServerUnderTest iterative;
    iterative.name = "iterative";
    iterative.model = Model::one_at_a_time;
    iterative.conn_limit = 1;
    ServerUnderTest epoll;
    epoll.name = "epoll_loop";
    epoll.model = Model::event_loop;
    return {iterative, epoll};
}

HarnessOptions throughput_only() {
    HarnessOptions opts;
    opts.scenarios = {"throughput"};
    opts.conns = {1, 100, 1000};
    opts.sizes = {64};
    return opts;
}

TEST(Scaling, OnlyWithMoreThanOneServerCpuSet) {
    HarnessOptions opts = throughput_only();
    auto plan = plan_round(opts, two_servers());
    EXPECT_EQ(plan.size(), 6u);  // echo only: 3 counts x 2 servers
    opts.server_cpu_sets = {{0}, {0, 1}};
    plan = plan_round(opts, two_servers());
    ASSERT_EQ(plan.size(), 10u);
    EXPECT_EQ(plan[6].name,
              "scaling/iterative/server_cpus:1/conns:100/"
              "bytes:64");
    EXPECT_EQ(plan[9].name,
              "scaling/epoll_loop/server_cpus:2/conns:100/"
              "bytes:64");
    EXPECT_EQ(plan[9].server_cpus, (CpuSet{0, 1}));
    EXPECT_TRUE(plan[4].server_cpus.empty());  // the first set, implied
    EXPECT_NE(plan[6].cannot_serve, "");       // iterative at 100 clients
}

TEST(Scaling, PointIsTheLargestConnsUpTo100) {
    HarnessOptions opts = throughput_only();
    EXPECT_EQ(scaling_conns(opts), 100);
    opts.conns = {1000, 5000};
    EXPECT_EQ(scaling_conns(opts), 1000);
    opts.conns = {1, 10};
    EXPECT_EQ(scaling_conns(opts), 10);
}

TEST(External, ServersJoinTheSweepAndCanBeChosenAlone) {
    HarnessOptions opts = throughput_only();
    opts.external = {{"mine", "./a.out {port}"}};
    auto all = select_servers(opts, two_servers());
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2].name, "mine");
    EXPECT_EQ(all[2].command, "./a.out {port}");
    EXPECT_TRUE(
        server_flags({Scenario::throughput, "", "", all[2], 100, 64, ""})
            .empty());  // a foreign server gets no echolab flags
    opts.variants = {"mine"};
    auto alone = select_servers(opts, two_servers());
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(alone[0].name, "mine");
}

TEST(External, NameOfAVariantIsRefused) {
    HarnessOptions opts = throughput_only();
    opts.external = {{"epoll_loop", "./a.out"}};
    EXPECT_THROW(select_servers(opts, two_servers()), std::invalid_argument);
}

// Takes the raw lines the way the console reporter would, and drops them.
class Silent : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override {
        seen += runs.size();
    }
    std::size_t seen = 0;
};

TEST(Progress, OneLinePerPointWithCountVariantAndTimeLeft) {
    HarnessOptions opts = throughput_only();
    opts.conns = {100};
    opts.rounds = 2;
    auto round = plan_round(opts, two_servers());
    Silent inner;
    std::ostringstream out;
    ProgressReporter progress(inner, round, opts, out);
    benchmark::BenchmarkReporter::Run ok;
    ok.run_name.function_name = round[1].name;
    ok.counters["msgs_per_s"] = benchmark::Counter(98000);
    benchmark::BenchmarkReporter::Run refused;
    refused.run_name.function_name = round[0].name;
    refused.error_occurred = true;
    refused.error_message = "model cannot serve 100 concurrent clients";
    progress.ReportRuns({refused});
    progress.ReportRuns({ok});
    EXPECT_EQ(inner.seen, 2u);  // the raw lines still go through
    std::string text = out.str();
    EXPECT_NE(text.find("[1/4] echo     iterative"), std::string::npos) << text;
    EXPECT_NE(text.find("cannot serve"), std::string::npos) << text;
    EXPECT_NE(text.find("[2/4] echo     epoll_loop"), std::string::npos)
        << text;
    EXPECT_NE(text.find("conns:100 bytes:64"), std::string::npos) << text;
    EXPECT_NE(text.find("ok 98,000 msgs/s"), std::string::npos) << text;
    EXPECT_NE(text.find(" left\n"), std::string::npos) << text;
}

TEST(Progress, CountsOnlyWhatTheBenchmarkFilterLetsRun) {
    HarnessOptions opts = throughput_only();
    opts.conns = {1, 100};
    auto round = plan_round(opts, two_servers());
    ASSERT_EQ(round.size(), 4u);
    auto names = [](const std::vector<BenchSpec>& specs) {
        std::vector<std::string> out;
        for (const BenchSpec& spec : specs) {
            out.push_back(spec.name);
        }
        return out;
    };
    EXPECT_EQ(selected_by_filter(round, "").size(), 4u);
    EXPECT_EQ(selected_by_filter(round, "all").size(), 4u);
    EXPECT_EQ(names(selected_by_filter(round, "epoll_loop/conns:(1|5)/")),
              std::vector<std::string>{"echo/epoll_loop/conns:1/bytes:64"});
    auto not_epoll = selected_by_filter(round, "-epoll_loop");
    ASSERT_EQ(not_epoll.size(), 2u);
    for (const std::string& name : names(not_epoll)) {
        EXPECT_EQ(name.find("epoll_loop"), std::string::npos) << name;
    }
}

TEST(Progress, DurationsReadAsMinutesAndSeconds) {
    EXPECT_EQ(duration_text(42), "42 s");
    EXPECT_EQ(duration_text(190), "3 min 10 s");
    EXPECT_EQ(duration_text(3720), "1 h 02 min");
}

}  // namespace
}  // namespace echolab::harness
