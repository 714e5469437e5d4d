// epoll_reactors' own promises, beyond what every variant keeps: one
// SO_REUSEPORT listener per thread on one port (also with --port 0), one
// --max-conns shared by all loops, a stop that reaches every loop, and a
// kernel without SO_REUSEPORT refused as a setup error naming the call.
#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <signal.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// Listening TCP sockets on port in /proc/net/tcp (IPv4), this namespace.
int listeners_on(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the column titles
    int count = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        auto colon = local.find(':');
        if (colon != std::string::npos && state == "0A" &&
            std::stoul(local.substr(colon + 1), nullptr, 16) == port) {
            ++count;
        }
    }
    return count;
}

// How many of clients have their one-byte echo by now (each is read once).
int count_served(std::vector<TestClient>& clients, std::vector<bool>& served) {
    int count = 0;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (!served[i]) {
            served[i] = clients[i].receive(1, 1ms).data == "x";
        }
        count += served[i] ? 1 : 0;
    }
    return count;
}

class Reactors : public ServerTest {};

TEST_P(Reactors, EveryThreadListensOnThePortTheFirstGot) {
    ServerProcess& srv = start({"--threads", "3"});
    EXPECT_EQ(listeners_on(srv.port()), 3)
        << "--threads 3 with --port 0 should make three listeners on port "
        << srv.port();
    EXPECT_TRUE(serves_fresh_client(srv));
}

// Four loops, --max-conns 4, twelve clients: wherever the kernel puts
// them, exactly four are served at once; as they leave, four more are,
// including those queued at loops that had no connection to close.
TEST_P(Reactors, MaxConnsIsSharedByAllLoops) {
    ServerProcess& srv = start({"--threads", "4", "--max-conns", "4"});
    std::vector<TestClient> clients;
    for (int i = 0; i < 12; ++i) {
        clients.emplace_back(srv.client_host(), srv.port());
        ASSERT_TRUE(clients.back().connected());
        ASSERT_EQ(clients.back().send("x", 1s), 1U);
    }
    std::vector<bool> served(clients.size(), false);
    EXPECT_TRUE(
        eventually([&] { return count_served(clients, served) >= 4; }, 3s));
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(count_served(clients, served), 4)
        << "--max-conns 4 over 4 loops should serve exactly 4 at once";
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (served[i]) {
            clients[i].close();
        }
    }
    EXPECT_TRUE(
        eventually([&] { return count_served(clients, served) >= 8; }, 3s))
        << "after 4 clients left, 4 waiting ones should be served";
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(count_served(clients, served), 8);
}

// Clients on every loop, mid-stream when SIGTERM comes: each loop closes
// its listener, echoes what its clients still send, and the server exits
// 0 once they have all left.
TEST_P(Reactors, StopReachesEveryLoop) {
    ServerProcess& srv = start({"--threads", "4", "--grace", "10"});
    std::vector<TestClient> clients;
    for (int i = 0; i < 16; ++i) {
        clients.emplace_back(srv.client_host(), srv.port());
        ASSERT_EQ(clients.back().round_trip("before", 3s), "before");
    }
    srv.send_signal(SIGTERM);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(listeners_on(srv.port()), 0)
        << "every loop should close its listener at the stop";
    for (TestClient& client : clients) {
        Received rest = client.exchange("after", 3s, true);
        EXPECT_EQ(rest.data, "after") << rest.describe();
        EXPECT_EQ(rest.end, StreamEnd::eof) << rest.describe();
    }
    EXPECT_TRUE(srv.wait_exit(5s).clean(0));
}

// One client, so most loops are idle when SIGTERM comes: an idle loop
// must close its listener too, at once, not when the busy loop's grace
// period ends (a loop woken by EINTR used to leave without closing it).
TEST_P(Reactors, IdleLoopsCloseTheirListenersAtTheStop) {
    for (int round = 0; round < 5; ++round) {
        ServerProcess& srv = start({"--threads", "4", "--grace", "10"});
        TestClient open = served_client(srv);
        srv.send_signal(SIGTERM);
        EXPECT_TRUE(
            eventually([&] { return listeners_on(srv.port()) == 0; }, 1s))
            << "round " << round << ": " << listeners_on(srv.port())
            << " listeners still open 1 s after SIGTERM";
        EXPECT_EQ(open.round_trip("still here", 2s), "still here");
        open.half_close();
        EXPECT_EQ(open.read_to_eof(2s).end, StreamEnd::eof);
        EXPECT_TRUE(srv.wait_exit(5s).clean(0));
    }
}

TEST_P(Reactors, ZeroThreadsIsAUsageError) {
    Launch launch;
    launch.flags = {"--threads", "0"};
    launch.wait_ready = false;
    ServerProcess& srv = start(launch);
    EXPECT_TRUE(srv.wait_exit(5s).clean(2));
    EXPECT_NE(srv.stderr_text().find("--threads"), std::string::npos)
        << srv.stderr_text();
}

// A kernel without SO_REUSEPORT answers setsockopt with ENOPROTOOPT; the
// second setsockopt of the start-up is that one (the first is
// SO_REUSEADDR).
TEST_P(Reactors, NoReusePortIsASetupErrorNamingTheCall) {
    std::string strace = find_tool("strace");
    if (strace.empty()) {
        GTEST_SKIP() << "strace not found (apt-get install strace)";
    }
    Launch launch;
    launch.wait_ready = false;
    ServerProcess srv(
        wrapped(server(), strace +
                              " -f -qq -o /dev/null -e "
                              "inject=setsockopt:error=ENOPROTOOPT:when=2"),
        launch);
    ExitStatus status = srv.wait_exit(10s);
    EXPECT_TRUE(status.clean(1)) << status.describe();
    EXPECT_NE(srv.stderr_text().find("error: setsockopt(SO_REUSEPORT) "),
              std::string::npos)
        << srv.stderr_text();
    EXPECT_EQ(srv.stdout_text(), "") << "no ready line after a setup error";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(
    Reuseport, Reactors,
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& v) {
        return v.model == Model::event_loop && v.unit == "thread";
    })),
    param_label);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Reactors);

}  // namespace echolab::test
