// Resources come back: after many connections the server holds the same
// descriptors and threads as before, and no child, dead or alive.
#include "core/error.hpp"

#include "tests/conformance/echo_conformance.hpp"
#include "tests/support/payload.hpp"
#include "tests/support/proc_stats.hpp"

#include <chrono>
#include <thread>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// Once the last client has its EOF the server may still be closing,
// joining or reaping for a moment; this is how long that may take.
constexpr auto kSettle = 2s;

struct Holdings {
    int fds = 0;
    int threads = 0;
    std::size_t children = 0;
};

Holdings holdings(pid_t pid) {
    return {fd_count(pid), thread_count(pid), children_of(pid).size()};
}

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
    ASSERT_TRUE(
        eventually([&] { return children_of(srv.pid()).empty(); }, kSettle));
    std::this_thread::sleep_for(200ms);
    Holdings before = holdings(srv.pid());

    ASSERT_EQ(run_bursts(srv, 300, 30), "");

    Holdings after;
    bool settled = eventually(
        [&] {
            after = holdings(srv.pid());
            return after.fds == before.fds && after.threads == before.threads &&
                   after.children == 0;
        },
        kSettle);
    EXPECT_TRUE(settled) << "after 300 connections and " << kSettle.count()
                         << " s: descriptors " << before.fds << " -> "
                         << after.fds << ", threads " << before.threads
                         << " -> " << after.threads << ", children "
                         << after.children << " (zombies "
                         << zombie_count(srv.pid()) << ")";
    EXPECT_TRUE(srv.running());
}

}  // namespace
}  // namespace echolab::test
