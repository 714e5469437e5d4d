// Many clients, silent clients and the idle timeout. Here the models
// differ on purpose: iterative serves one client at a time and a pool
// serves --threads, so for them the tests assert the limit that is the
// lesson (reliability notes, section 3).
#include "core/error.hpp"

#include "support/payload.hpp"
#include "tests/conformance/echo_conformance.hpp"

#include <chrono>
#include <thread>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMessage = 1024;

TEST_P(EchoConformance, ServesManyConcurrentClients) {
    constexpr int kClients = 200;
    ServerProcess& srv = start(max_conns(kClients + 56));
    std::vector<TestClient> clients;
    std::vector<std::string> payloads;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back(srv.client_host(), srv.port());
        ASSERT_TRUE(clients.back().connected())
            << "client " << i << ": "
            << error_text(clients.back().connect_error());
        payloads.push_back(random_payload(kMessage, static_cast<unsigned>(i)));
        ASSERT_EQ(clients.back().send(payloads.back(), 2s), kMessage);
    }
    std::vector<std::string> echoed(kClients);
    if (serves_all_at_once(server().model)) {
        // All 200 at once: every echo arrives before any client leaves.
        auto first = receive_all(clients, kMessage, false, 10s);
        for (int i = 0; i < kClients; ++i) {
            auto k = static_cast<std::size_t>(i);
            ASSERT_EQ(first[k].data.size(), kMessage)
                << "client " << i
                << " while all are open: " << first[k].describe();
            echoed[k] = first[k].data;
        }
    }
    // One after another (iterative) or a pool's worth at a time: each
    // client half-closes so that the next one gets its turn.
    for (TestClient& client : clients) {
        client.half_close();
    }
    auto rest = receive_all(clients, 0, true, 30s);
    for (int i = 0; i < kClients; ++i) {
        auto k = static_cast<std::size_t>(i);
        EXPECT_EQ(rest[k].end, StreamEnd::eof)
            << "client " << i << ": " << rest[k].describe();
        EXPECT_EQ(first_difference(payloads[k], echoed[k] + rest[k].data), "")
            << "client " << i << "'s echo differs: "
            << first_difference(payloads[k], echoed[k] + rest[k].data);
    }
}

TEST_P(EchoConformance, SilentClientDoesNotBlockOthers) {
    if (one_at_a_time()) {
        GTEST_SKIP() << "serves one client at a time; "
                        "IdleClientsStallOthersUntilIdleTimeout asserts that";
    }
    ServerProcess& srv = start();
    TestClient silent = served_client(srv);
    TestClient other(srv.client_host(), srv.port());
    ASSERT_TRUE(other.connected()) << error_text(other.connect_error());
    std::string message = random_payload(kMessage, 2);
    std::string problem =
        first_difference(message, other.round_trip(message, 2s));
    EXPECT_TRUE(problem.empty())
        << "a second client's echo while the first one stays silent: "
        << problem << " (is the server blocked reading the silent one?)";
}

// The lesson of the blocking models with a fixed number of servers: a
// silent client holds one for as long as it likes, and only the idle
// timeout gives it back. iterative has one; the pool has --threads.
TEST_P(EchoConformance, IdleClientsStallOthersUntilIdleTimeout) {
    std::vector<std::string> flags{"--idle-timeout", "1"};
    int holders = 1;
    if (server().model == Model::worker_pool) {
        holders = 2;
        flags.insert(flags.end(), {server().pool_flag, "2"});
    } else if (!one_at_a_time()) {
        GTEST_SKIP() << "serves every client at once; "
                        "SilentClientDoesNotBlockOthers asserts that";
    }
    ServerProcess& srv = start(flags);
    std::vector<TestClient> silent;
    for (int i = 0; i < holders; ++i) {
        silent.push_back(served_client(srv));
    }
    TestClient waiting(srv.client_host(), srv.port());
    ASSERT_TRUE(waiting.connected()) << error_text(waiting.connect_error());
    std::string message = random_payload(kMessage, 3);
    ASSERT_EQ(waiting.send(message, 1s), kMessage);

    Received early = waiting.receive(kMessage, 600ms);
    EXPECT_EQ(early.end, StreamEnd::timeout)
        << "expected no echo while every server is held: " << early.describe();
    Received later = waiting.receive(kMessage - early.data.size(), 4s);
    EXPECT_EQ(first_difference(message, early.data + later.data), "")
        << "the idle timeout should have freed a server: " << later.describe();
    for (TestClient& client : silent) {
        Received end = client.read_to_eof(1s);
        EXPECT_TRUE(end.end == StreamEnd::eof || end.end == StreamEnd::reset)
            << "silent client: " << end.describe();
    }
}

// A pool sized on the command line serves that many at once: its default
// --max-conns follows the pool flag (issue 12, item 5: --threads 128 once
// served 80, its cap computed from the defaults before parsing).
TEST_P(EchoConformance, PoolServesAsManyAsItsFlagSays) {
    if (server().model != Model::worker_pool) {
        GTEST_SKIP() << "no pool to size";
    }
    constexpr int kPool = 128;
    ServerProcess& srv = start({server().pool_flag, std::to_string(kPool)});
    std::vector<TestClient> held;
    for (int i = 0; i < kPool; ++i) {
        held.emplace_back(srv.client_host(), srv.port());
        ASSERT_TRUE(held.back().connected())
            << error_text(held.back().connect_error());
        ASSERT_EQ(held.back().round_trip("x", 3s), "x")
            << "client " << i + 1 << " of " << kPool << " while " << i
            << " are held open";
    }
}

// Idle means no progress: a client that trickles a byte every 300 ms
// stays open past a 1 s timeout, and a silent one is closed after about 1 s.
TEST_P(EchoConformance, IdleTimeoutClosesSilentConnection) {
    ServerProcess& srv = start({"--idle-timeout", "1"});
    {
        TestClient trickle = served_client(srv);
        for (int i = 0; i < 7; ++i) {
            std::this_thread::sleep_for(300ms);
            ASSERT_EQ(trickle.round_trip("t", 1s), "t")
                << "byte " << i << ": closed while it was not idle";
        }
        EXPECT_TRUE(closes_after_half_close(trickle));
    }
    TestClient silent = served_client(srv);
    auto begin = Clock::now();
    Received end = silent.read_to_eof(5s);
    auto waited = Clock::now() - begin;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited);
    EXPECT_TRUE(end.end == StreamEnd::eof || end.end == StreamEnd::reset)
        << "a client silent for 5 s with --idle-timeout 1 was not closed: "
        << end.describe();
    EXPECT_GT(waited, 700ms)
        << "closed after " << ms.count() << " ms, before the 1 s idle timeout";
    EXPECT_LT(waited, 3500ms)
        << "closed after " << ms.count() << " ms with --idle-timeout 1";
}

}  // namespace
}  // namespace echolab::test
