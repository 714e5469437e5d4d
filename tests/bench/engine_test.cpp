// run(): exact counts against real variants, a corrupting and a stalling
// test server, connect mode over many connections, open loop, IPv6.
#include "bench/loadgen/engine.hpp"

#include "tests/bench/bench_test_util.hpp"

#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace {

using namespace echolab::loadgen;
using echolab::test::config_for;
using echolab::test::start_server;

void expect_every_byte_back(const RunResult& r, std::uint64_t messages,
                            std::uint64_t size) {
    EXPECT_EQ(r.verdict, Verdict::ok) << r.detail;
    EXPECT_EQ(r.errors.total(), 0u);
    EXPECT_EQ(r.messages_sent, messages);
    EXPECT_EQ(r.messages_verified, messages);
    EXPECT_EQ(r.completed, messages);
    EXPECT_EQ(r.bytes_sent, messages * size);
    EXPECT_EQ(r.bytes_received, messages * size);
}

TEST(Engine, CountsEveryRoundTripAgainstEpollLoop) {
    auto server = start_server("epoll_loop");
    RunConfig c = config_for(*server);
    c.connections = 3;
    c.pipeline = 4;
    c.size = 1000;  // echoes arrive split across reads
    c.messages = 300;
    c.threads = 2;
    RunResult r = run(c);
    expect_every_byte_back(r, 900, 1000);
    EXPECT_EQ(r.latency.count(), 900u);
    EXPECT_EQ(r.connections_opened, 3u);
}

TEST(Engine, CountsEveryRoundTripAgainstIterative) {
    auto server = start_server("iterative");
    RunConfig c = config_for(*server);
    c.connections = 1;
    c.size = 70000;  // larger than one read, one send, one window
    c.messages = 20;
    expect_every_byte_back(run(c), 20, 70000);
}

TEST(Engine, FairnessShowsClientsAnIterativeServerStarves) {
    // iterative serves the second connection only once the first closes,
    // which is in the drain: in the window it got nothing.
    auto server = start_server("iterative");
    RunConfig c = config_for(*server);
    c.connections = 2;
    c.duration_s = 0.3;
    RunResult r = run(c);
    EXPECT_EQ(r.verdict, Verdict::ok) << r.detail;
    EXPECT_EQ(r.fairness.connections, 2u);
    EXPECT_EQ(r.fairness.starved, 1u);
    EXPECT_EQ(r.fairness.min, 0u);
    EXPECT_EQ(r.fairness.max, r.completed);
    EXPECT_EQ(r.messages_sent, r.messages_verified);
}

TEST(Engine, ConnectModeCountsEveryConnection) {
    auto server = start_server("epoll_loop");
    RunConfig c = config_for(*server);
    c.mode = Mode::connect;
    c.connections = 4;
    c.messages = 50;
    RunResult r = run(c);
    expect_every_byte_back(r, 200, 64);
    EXPECT_EQ(r.connections_opened, 200u);
    EXPECT_EQ(r.connect_latency.count(), 200u);
    EXPECT_EQ(r.first_echo_latency.count(), 200u);
    EXPECT_LE(r.connect_latency.max(), r.latency.max());
}

TEST(Engine, ConnectModeOutlastsTheEphemeralPorts) {
    // More connections than ip_local_port_range holds (28k), all closed by
    // us into TIME_WAIT: without spread source addresses the kernel runs
    // out of four-tuples (EADDRNOTAVAIL).
    auto server = start_server("epoll_loop");
    RunConfig c = config_for(*server);
    c.mode = Mode::connect;
    c.connections = 8;
    c.messages = 4000;
    c.duration_s = 50;
    RunResult r = run(c);
    EXPECT_EQ(r.errors.count(ErrorKind::other), 0u)
        << r.errors.first(ErrorKind::other);
    expect_every_byte_back(r, 32000, 64);
}

TEST(Engine, FlippedByteIsAMismatch) {
    auto server = start_server("fault_echo_server", {"--flip-at", "1000"});
    RunConfig c = config_for(*server);
    c.connections = 1;
    c.messages = 100;
    RunResult r = run(c);
    EXPECT_EQ(r.verdict, Verdict::mismatch);
    EXPECT_EQ(r.errors.count(ErrorKind::mismatch), 1u);
    EXPECT_NE(r.detail.find("echoed byte 1000 (message 15, byte 40 of 64)"),
              std::string::npos)
        << r.detail;
    EXPECT_EQ(exit_status(r), 1);
}

TEST(Engine, DroppedByteIsAMismatch) {
    auto server = start_server("fault_echo_server", {"--drop-at", "1000"});
    RunConfig c = config_for(*server);
    c.connections = 2;
    c.messages = 100;
    RunResult r = run(c);
    EXPECT_EQ(r.verdict, Verdict::mismatch) << r.detail;
    EXPECT_EQ(r.errors.count(ErrorKind::mismatch), 2u);
    EXPECT_LT(r.messages_verified, 200u);
}

TEST(Engine, StallEndsTheRunNamingTheConnection) {
    auto server = start_server("fault_echo_server",
                               {"--stall-after", "640", "--stall-ms", "30000"});
    RunConfig c = config_for(*server);
    c.connections = 1;
    c.messages = 100;
    c.stall_timeout_s = 0.3;
    RunResult r = run(c);
    EXPECT_EQ(r.verdict, Verdict::stalled);
    EXPECT_NE(r.detail.find("connection 0"), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("waiting for the echo of message 10"),
              std::string::npos)
        << r.detail;
    EXPECT_EQ(exit_status(r), 1);
}

TEST(Engine, OpenLoopShowsAStallThatClosedLoopWouldHide) {
    // 2000 messages/s; the server stalls once for 200 ms a quarter second
    // in. Measured from the schedule, the messages due during the stall
    // waited for it, so the tail must show about 200 ms.
    auto server = start_server("fault_echo_server",
                               {"--stall-after", "32000", "--stall-ms", "200"});
    RunConfig c = config_for(*server);
    c.connections = 2;
    c.rate = 2000;
    c.warmup_s = 0.1;
    c.duration_s = 1.5;
    RunResult r = run(c);
    ASSERT_EQ(r.verdict, Verdict::ok) << r.detail;
    EXPECT_GE(r.latency.max(), 190'000'000u);
    EXPECT_GE(r.latency.percentile(0.999), 100'000'000u);
    // Sends still queued at the window's end are never started (a busy
    // test machine may leave a few); nothing is counted twice.
    EXPECT_LE(r.completed, r.open_loop.scheduled);
    EXPECT_GE(r.completed, r.open_loop.scheduled / 2);
    EXPECT_GE(r.open_loop.max_lag_ns, 100'000'000u);
}

TEST(Engine, NothingListeningThrowsNamingTheAddress) {
    RunConfig c;
    c.port = echolab::test::pick_free_port();
    try {
        (void)run(c);
        FAIL() << "run() returned";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ECONNREFUSED);
        EXPECT_NE(std::string(e.what()).find("connect 127.0.0.1:"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Engine, WorksOverIpv6) {
    auto server = start_server("reference_server", {"--host", "::1"});
    RunConfig c = config_for(*server);
    ASSERT_EQ(c.host, "::1");
    c.connections = 2;
    c.messages = 100;
    RunResult r = run(c);
    expect_every_byte_back(r, 200, 64);
    EXPECT_EQ(r.target.rfind("[::1]:", 0), 0u) << r.target;
}

TEST(Engine, DurationRunReportsTheWindowAndCpu) {
    auto server = start_server("epoll_loop");
    RunConfig c = config_for(*server);
    c.connections = 4;
    c.warmup_s = 0.1;
    int reports = 0;
    c.duration_s = 1.2;
    c.on_progress = [&](const Progress&) { ++reports; };
    RunResult r = run(c);
    EXPECT_EQ(r.verdict, Verdict::ok) << r.detail;
    EXPECT_DOUBLE_EQ(r.window_s, 1.2);
    EXPECT_GT(r.completed, 0u);
    EXPECT_EQ(r.latency.count(), r.completed);
    // The drain brings every echo home: nothing is left unchecked.
    EXPECT_EQ(r.messages_sent, r.messages_verified);
    EXPECT_EQ(r.bytes_sent, r.bytes_received);
    EXPECT_GT(r.cpu_window.total_s(), 0.0);
    EXPECT_GE(r.cpu_total.total_s(), r.cpu_window.total_s());
    EXPECT_GE(reports, 1);
}

TEST(Engine, RejectsAnInvalidConfig) {
    RunConfig c;
    c.threads = 4;
    c.connections = 2;
    EXPECT_THROW((void)run(c), std::invalid_argument);
    auto error = validate(c);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "threads");
}

}  // namespace
