// A client that sends without ever reading (reliability notes, case 12).
// A correct server stops reading from it once its echo cannot be written,
// so TCP flow control stalls the hog's sends: that is the point. A server
// that keeps reading and buffers instead grows by everything the hog sends.
#include "core/error.hpp"

#include "support/payload.hpp"
#include "support/proc_stats.hpp"
#include "tests/fault/server_faults.hpp"

#include <chrono>
#include <thread>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kHogLimit = 64 * 1024 * 1024;
constexpr long long kRssGrowthBound = 16 * 1024 * 1024;
// A spinning loop burns a whole core; an idle one almost nothing.
constexpr double kSpinBound = 0.3;
constexpr int kRounds = 20;

TEST_P(ServerFaults, NonReadingClientDoesNotStarveOthers) {
    ServerProcess& srv = start();
    ASSERT_TRUE(serves_fresh_client(srv));
    Holdings before = settled_holdings(srv);
    long long rss_before = tree_rss_bytes(srv.pid());

    TestClient hog = served_client(srv);
    std::size_t sent = hog.send_until_stalled(kHogLimit, 1s, 8s);
    long long growth = tree_rss_bytes(srv.pid()) - rss_before;
    EXPECT_LT(growth, kRssGrowthBound)
        << "server memory grew by " << growth / 1024 << " KiB while a client "
        << "that never reads sent " << sent / 1024 << " KiB";

    TestClient other(srv.client_host(), srv.port());
    ASSERT_TRUE(other.connected()) << error_text(other.connect_error());
    std::string message = random_payload(1024, 12);
    if (one_at_a_time()) {
        // The lesson: the hog holds the only server.
        ASSERT_EQ(other.send(message, 1s), message.size());
        Received early = other.receive(message.size(), 600ms);
        EXPECT_EQ(early.end, StreamEnd::timeout) << early.describe();
        hog.reset();
        Received later = other.receive(message.size() - early.data.size(), 3s);
        EXPECT_EQ(first_difference(message, early.data + later.data), "")
            << "once the hog left: " << later.describe();
    } else {
        double cpu_before = tree_cpu_seconds(srv.pid());
        for (int i = 0; i < kRounds; ++i) {
            ASSERT_EQ(first_difference(message, other.round_trip(message, 1s)),
                      "")
                << "round trip " << i << " while the hog is stalled";
            std::this_thread::sleep_for(50ms);
        }
        double cpu = tree_cpu_seconds(srv.pid()) - cpu_before;
        EXPECT_LT(cpu, kSpinBound)
            << "server CPU seconds over ~1 s while the hog is stalled";
        hog.reset();
    }
    EXPECT_TRUE(closes_after_half_close(other));
    other.close();
    EXPECT_TRUE(returns_to(srv, before)) << "after the hog left";
}

}  // namespace
}  // namespace echolab::test
