// A reset costs the server one connection, never the process and never
// another client (reliability notes, case 15).
#include "core/error.hpp"

#include "support/payload.hpp"
#include "tests/fault/server_faults.hpp"

#include <chrono>
#include <optional>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

constexpr int kMidStreamResets = 20;
constexpr int kEarlyResets = 50;
constexpr std::size_t kUnread = 64 * 1024;

// A client that sends size bytes it never reads, then resets.
void reset_after_sending(const ServerProcess& srv, std::size_t size) {
    TestClient client(srv.client_host(), srv.port());
    ASSERT_TRUE(client.connected()) << error_text(client.connect_error());
    client.send(random_payload(size, 5), 2s);
    client.reset();
}

TEST_P(ServerFaults, PeerResetClosesOnlyThatConnection) {
    ServerProcess& srv = start(max_conns(64));
    ASSERT_TRUE(serves_fresh_client(srv));
    Holdings before = settled_holdings(srv);

    // iterative serves one client at a time, so it cannot keep a steady
    // client open while the others come and go.
    std::optional<TestClient> steady;
    if (!one_at_a_time()) {
        steady.emplace(served_client(srv));
    }
    std::string message = random_payload(1024, 6);
    for (int i = 0; i < kMidStreamResets; ++i) {
        reset_after_sending(srv, kUnread);
        if (steady && i % 5 == 4) {
            ASSERT_EQ(
                first_difference(message, steady->round_trip(message, 2s)), "")
                << "steady client after " << i + 1 << " resets";
        }
    }
    // Reset before any data: accept() may hand over a dead socket.
    for (int i = 0; i < kEarlyResets; ++i) {
        reset_after_sending(srv, 0);
    }
    if (steady) {
        EXPECT_EQ(first_difference(message, steady->round_trip(message, 2s)),
                  "");
        EXPECT_TRUE(closes_after_half_close(*steady));
        steady->close();
    }
    ASSERT_TRUE(srv.running()) << srv.wait_exit(0ms).describe();
    EXPECT_TRUE(serves_fresh_client(srv, 64 * 1024, 5s));
    EXPECT_TRUE(returns_to(srv, before));
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(AllVariants, ServerFaults,
                         ::testing::ValuesIn(servers_under_test()),
                         param_label);

}  // namespace echolab::test
