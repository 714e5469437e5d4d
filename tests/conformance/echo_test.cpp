// What every echo server must do with the bytes of one client: send them
// back in order, unchanged, promptly, and honour a half-close (RFC 862).
#include "core/error.hpp"

#include "support/payload.hpp"
#include "tests/conformance/echo_conformance.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_P(EchoConformance, EchoesBytesBack) {
    ServerProcess& srv = start();
    TestClient client(srv.client_host(), srv.port());
    ASSERT_TRUE(client.connected()) << error_text(client.connect_error());

    EXPECT_EQ(client.round_trip("hello\n", 2s), "hello\n")
        << "sent \"hello\\n\"; its echo did not come back within 2 s";
    std::string every_byte;
    for (int b = 0; b < 256; ++b) {
        every_byte.push_back(static_cast<char>(b));
    }
    std::string differs =
        first_difference(every_byte, client.round_trip(every_byte, 2s));
    EXPECT_TRUE(differs.empty()) << "the 256 byte values 0-255: " << differs;
    EXPECT_TRUE(closes_after_half_close(client));
}

TEST_P(EchoConformance, ImmediateHalfCloseGetsPromptEof) {
    ServerProcess& srv = start();
    TestClient client(srv.client_host(), srv.port());
    ASSERT_TRUE(client.connected()) << error_text(client.connect_error());
    EXPECT_TRUE(closes_after_half_close(client, 1s));
}

// A server that closes while input is still unread sends RST and throws
// away its own unsent output (RFC 1122 4.2.2.13), so the end must be a FIN.
TEST_P(EchoConformance, HalfCloseEchoesEverythingThenCloses) {
    constexpr std::size_t kPayload = 8 * 1024 * 1024;
    ServerProcess& srv = start();
    TestClient client(srv.client_host(), srv.port());
    ASSERT_TRUE(client.connected()) << error_text(client.connect_error());

    std::string payload = random_payload(kPayload, 8);
    Received got = client.exchange(payload, 30s, true);
    std::string problem = half_close_problem(payload, got);
    EXPECT_TRUE(problem.empty())
        << "sent 8 MiB while reading, then half-closed: " << problem;
}

// Nagle plus delayed ACKs turn a 4 KiB echo into a 40 ms wait; a server
// with TCP_NODELAY that reads what is there answers in well under 1 ms on
// loopback, so 5 ms for the median leaves room for a busy machine.
TEST_P(EchoConformance, MessagesRoundTripPromptly) {
    constexpr int kRounds = 50;
    constexpr auto kMedianBound = 5ms;
    ServerProcess& srv = start();
    for (std::size_t size : {4096U, 65536U}) {
        TestClient client(srv.client_host(), srv.port());
        ASSERT_TRUE(client.connected()) << error_text(client.connect_error());
        std::string message = random_payload(size, 4);
        ASSERT_EQ(client.round_trip(message, 2s), message)
            << "warm-up: a " << size
            << "-byte message's echo did not come back whole within 2 s";

        std::vector<Clock::duration> times;
        for (int i = 0; i < kRounds; ++i) {
            auto begin = Clock::now();
            std::string echo = client.round_trip(message, 2s);
            times.push_back(Clock::now() - begin);
            ASSERT_EQ(first_difference(message, echo), "") << "round " << i;
        }
        std::nth_element(times.begin(), times.begin() + kRounds / 2,
                         times.end());
        auto median = std::chrono::duration_cast<std::chrono::microseconds>(
            times[kRounds / 2]);
        EXPECT_LT(median, kMedianBound)
            << size << "-byte messages: median round trip " << median.count()
            << " us (a Nagle/delayed-ACK stall costs about 40 ms)";
    }
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(AllVariants, EchoConformance,
                         ::testing::ValuesIn(servers_under_test()),
                         param_label);

}  // namespace echolab::test
