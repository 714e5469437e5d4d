// coroutine_loop's own risks, beyond the suites every variant runs: a
// coroutine frame must be destroyed exactly once however its connection
// ends (run this under the asan preset to check that), epoll_ctl failing
// inside a co_await must end only that client, and time the server was
// stopped must not count as a client's idleness.
#include "support/proc_stats.hpp"
#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <csignal>
#include <string>
#include <thread>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// Server RSS may rise this much from the first round of clients to the
// last: each round holds well over this in buffers at its peak, so a leak
// of frames or buffers would exceed it within a round or two.
constexpr long long kRssDrift = 8LL << 20;

// Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
// default) before reuse, so RSS grows by design; there LeakSanitizer
// checks at the server's exit instead that no frame or buffer leaked
// (a report fails the test in ServerTest::TearDown and the exit status).
#ifdef __SANITIZE_ADDRESS__
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif

class CoroutineLoop : public ServerTest {};

// One round of `each` clients per way a coroutine can end: after EOF,
// parked in a write to a client that reset without reading, parked in a
// read when the client resets.
void round_of_endings(const ServerProcess& srv, int each) {
    const std::string message(1024, 'c');
    std::vector<TestClient> stuck;
    std::vector<TestClient> quitters;
    for (int i = 0; i < each; ++i) {
        EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1024, 5s), "");
        stuck.emplace_back(srv.client_host(), srv.port());
        stuck.back().send_until_stalled(4 << 20, 200ms, 3s);
        quitters.emplace_back(srv.client_host(), srv.port());
        EXPECT_EQ(quitters.back().round_trip(message, 3s), message);
    }
    for (TestClient& client : stuck) {
        client.reset();
    }
    for (TestClient& client : quitters) {
        client.reset();
    }
}

TEST_P(CoroutineLoop, FramesEndingEveryWayLeaveNothingBehind) {
    ServerProcess& srv = start({"--idle-timeout", "1", "--grace", "1"});
    ASSERT_TRUE(serves_fresh_client(srv));
    const Holdings before = settled_holdings(srv);
    round_of_endings(srv, 20);
    ASSERT_TRUE(returns_to(srv, before, 3s));
    const long long rss_first = rss_bytes(srv.pid());
    for (int round = 0; round < 4; ++round) {
        round_of_endings(srv, 20);
    }
    // Silent clients: their frames are destroyed by the idle timeout while
    // parked in a read.
    std::vector<TestClient> silent;
    for (int i = 0; i < 20; ++i) {
        silent.push_back(served_client(srv));
    }
    ASSERT_TRUE(returns_to(srv, before, 4s));
    if (kRssIsMeaningful) {
        EXPECT_LE(rss_bytes(srv.pid()), rss_first + kRssDrift);
    }
    for (TestClient& client : silent) {
        EXPECT_NE(client.read_to_eof(1s).end, StreamEnd::timeout);
    }
    // Frames still parked when the grace period ends are destroyed too.
    for (int i = 0; i < 20; ++i) {
        silent.push_back(served_client(srv));
    }
    ExitStatus status = srv.stop(3s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
}

// A pause of the whole server (SIGSTOP, Ctrl-Z, a debugger) longer than
// the idle timeout: a client that was silent for less than the timeout of
// the server's running time is still served afterwards.
TEST_P(CoroutineLoop, PausedServerTimeIsNotIdleTime) {
    ServerProcess& srv = start({"--idle-timeout", "2"});
    TestClient client = served_client(srv);
    std::this_thread::sleep_for(300ms);
    srv.send_signal(SIGSTOP);
    std::this_thread::sleep_for(3s);
    srv.send_signal(SIGCONT);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(client.round_trip("after the pause", 2s), "after the pause");
}

// epoll_ctl fails (ENOSPC, as past fs.epoll.max_user_watches) for the
// 4th call: the listener and the stop pipe take two, the first client's
// EPOLL_CTL_ADD the third, and the fourth is the EPOLL_CTL_MOD of that
// client's co_await on a blocked write. That client is closed; the next
// is served.
TEST_P(CoroutineLoop, FailedEpollCtlInAwaitEndsOnlyThatClient) {
    std::string strace = find_tool("strace");
    if (strace.empty()) {
        GTEST_SKIP() << "strace not found (apt-get install strace)";
    }
    Launch launch;
    launch.flags = {"--verbose"};
    ServerProcess traced(
        wrapped(server(), "env ASAN_OPTIONS=detect_leaks=0 " + strace +
                              " -f -qq -o /dev/null -e "
                              "inject=epoll_ctl:error=ENOSPC:when=4"),
        launch);
    TestClient stuck(traced.client_host(), traced.port());
    ASSERT_TRUE(stuck.connected());
    // Sending stalls for good only once the server has stopped reading,
    // that is, once its write has blocked; a busy machine may pause
    // shorter stalls on the way.
    stuck.send_until_stalled(64 << 20, 1s, 10s);
    EXPECT_NE(stuck.read_to_eof(5s).end, StreamEnd::timeout);
    EXPECT_EQ(echo_problem(traced.client_host(), traced.port(), 4096, 5s), "");
    EXPECT_TRUE(traced.running());
    std::string err = traced.stderr_text();
    EXPECT_NE(err.find("epoll_ctl: No space left on device"), std::string::npos)
        << err;
    ::kill(first_child(traced.pid()), SIGTERM);
    EXPECT_TRUE(traced.wait_exit(10s).clean(0));
}

INSTANTIATE_TEST_SUITE_P(
    Models, CoroutineLoop,
    // Its own machinery (coroutine_loop/task.hpp) is what is tested here.
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& v) {
        return v.name == "coroutine_loop";
    })),
    param_label);

}  // namespace
}  // namespace echolab::test
