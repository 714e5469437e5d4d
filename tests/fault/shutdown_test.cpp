// SIGTERM and SIGINT: stop accepting, let open connections finish within
// --grace without dropping a byte already received, exit 0 (reliability
// notes, cases 6 and 7).
#include "core/error.hpp"

#include "support/payload.hpp"
#include "tests/fault/server_faults.hpp"

#include <cerrno>
#include <chrono>
#include <string_view>
#include <thread>

#include <signal.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMiB = 1024 * 1024;

TEST_P(ServerFaults, SigtermDeliversEveryEchoAndExitsZero) {
    ServerProcess& srv = start({"--grace", "5"});
    TestClient client(srv.client_host(), srv.port());
    ASSERT_TRUE(client.connected()) << error_text(client.connect_error());
    std::string payload = random_payload(2 * kMiB, 9);
    std::string_view view(payload);

    std::string head(view.substr(0, kMiB));
    ASSERT_EQ(first_difference(head, client.round_trip(head, 5s)), "");
    // In flight when the signal comes: received, maybe not yet echoed.
    ASSERT_EQ(client.send(view.substr(kMiB, kMiB / 4), 2s), kMiB / 4);
    srv.send_signal(SIGTERM);
    std::this_thread::sleep_for(200ms);
    // Sent after the signal, within the grace period.
    Received tail = client.exchange(view.substr(kMiB + kMiB / 4), 10s, true);
    EXPECT_EQ(tail.end, StreamEnd::eof) << tail.describe();
    EXPECT_EQ(first_difference(view.substr(kMiB), tail.data), "");

    ExitStatus status = srv.wait_exit(7s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
}

}  // namespace

// The suite's shared check (server_faults.hpp), for SIGTERM here and
// SIGHUP in signal_test.cpp.
void ServerFaults::expect_stop_closes_listener_then_serves(
    int signo, const std::string& name) {
    ServerProcess& srv = start({"--grace", "3"});
    TestClient open = served_client(srv);
    srv.send_signal(signo);
    int error = 0;
    bool refused = eventually(
        [&] {
            error = connect_with_timeout(srv.client_host(), srv.port(), 200ms)
                        .error;
            return error == ECONNREFUSED;
        },
        1s);
    EXPECT_TRUE(refused) << "1 s after " << name << " a connect still gets "
                         << (error == 0 ? "through" : error_text(error));
    EXPECT_EQ(open.round_trip("still here", 2s), "still here")
        << "after " << name << " an open connection must still be served";
    EXPECT_TRUE(closes_after_half_close(open));
    ExitStatus status = srv.wait_exit(5s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
}

namespace {

TEST_P(ServerFaults, SigtermClosesListenerAtOnce) {
    expect_stop_closes_listener_then_serves(SIGTERM, "SIGTERM");
}

TEST_P(ServerFaults, StopSignalWhenIdleExitsZeroPromptly) {
    for (int sig : {SIGTERM, SIGINT}) {
        ServerProcess& srv = start();
        ASSERT_TRUE(serves_fresh_client(srv));
        srv.send_signal(sig);
        ExitStatus status = srv.wait_exit(1500ms);
        EXPECT_TRUE(status.clean(0))
            << "signal " << sig << ": " << status.describe();
    }
}

// A second signal during the grace period must neither crash nor hang the
// server (docs/decisions.md: it changes nothing).
TEST_P(ServerFaults, SigtermWithSilentClientExitsWithinGrace) {
    ServerProcess& srv = start({"--grace", "1"});
    TestClient silent = served_client(srv);
    auto begin = Clock::now();
    srv.send_signal(SIGTERM);
    std::this_thread::sleep_for(200ms);
    srv.send_signal(SIGTERM);
    Received end = silent.read_to_eof(4s);
    EXPECT_TRUE(end.end == StreamEnd::eof || end.end == StreamEnd::reset)
        << "the silent client after the grace period: " << end.describe();
    ExitStatus status = srv.wait_exit(3s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
    EXPECT_LT(Clock::now() - begin, 3s) << "--grace 1 bounds the shutdown";
}

}  // namespace
}  // namespace echolab::test
