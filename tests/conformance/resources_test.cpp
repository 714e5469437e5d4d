// Resources come back: after many connections the server holds the same
// descriptors and threads as before, and no child, dead or alive.
#include "core/error.hpp"

#include "support/payload.hpp"
#include "support/proc_stats.hpp"
#include "tests/conformance/echo_conformance.hpp"

#include <chrono>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// count clients in bursts of `burst` at once: each sends 1 KiB,
// half-closes and reads to EOF. Returns the first failure, or "".
std::string run_bursts(const ServerProcess& srv, int count, int burst) {
    for (int done = 0; done < count; done += burst) {
        std::vector<TestClient> clients;
        std::string payload = random_payload(1024, static_cast<unsigned>(done));
        for (int i = 0; i < burst; ++i) {
            clients.emplace_back(srv.client_host(), srv.port());
            if (!clients.back().connected()) {
                return "connect: " + error_text(clients.back().connect_error());
            }
            clients.back().send(payload, 2s);
            clients.back().half_close();
        }
        for (const Received& got : receive_all(clients, 0, true, 10s)) {
            if (got.end != StreamEnd::eof || got.data != payload) {
                return "client after " + std::to_string(done) +
                       " connections: " + got.describe();
            }
        }
    }
    return "";
}

TEST_P(EchoConformance, LeavesNoZombiesThreadsOrDescriptors) {
    ServerProcess& srv = start(max_conns(64));
    ASSERT_TRUE(serves_fresh_client(srv));
    Holdings before = settled_holdings(srv);

    std::string problem = run_bursts(srv, 300, 30);
    ASSERT_TRUE(problem.empty()) << problem;

    EXPECT_TRUE(returns_to(srv, before)) << "after 300 connections";
    EXPECT_TRUE(srv.running())
        << "the server ended: " << srv.wait_exit(Millis{0}).describe();
}

}  // namespace
}  // namespace echolab::test
