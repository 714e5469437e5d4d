// Real network conditions: server and clients in two network namespaces
// of our own, joined by a veth pair (192.0.2.1 and .2, TEST-NET-1, which
// exist only inside them), with 5 % of packets dropped by nftables
// (numgen random) and the rate limited by tc tbf. Every variant must still
// echo every byte. Needs root, ip, nft and tc; skips with the reason
// otherwise. The namespaces are deleted after each test. This kernel has
// no netem, so latency comes from delay_relay, a relay of our own in the
// client's namespace that holds every chunk 20 ms each way.
#include "core/listen.hpp"

#include "tests/reliability/reliability.hpp"
#include "tests/reliability/swarm.hpp"
#include "tests/support/server_test.hpp"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

bool run(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// Two namespaces and the impaired link between them, torn down on exit.
class ImpairedLink {
public:
    ImpairedLink() {
        std::string id = std::to_string(::getpid());
        server_ns_ = "echolab-s-" + id;
        client_ns_ = "echolab-c-" + id;
        std::string veth = "elv" + id;
        std::string s = "ip -n " + server_ns_ + " ";
        std::string c = "ip -n " + client_ns_ + " ";
        const std::vector<std::string> steps = {
            "ip netns add " + server_ns_,
            "ip netns add " + client_ns_,
            "ip link add " + veth + "s netns " + server_ns_ + " type veth " +
                "peer name " + veth + "c netns " + client_ns_,
            s + "addr add 192.0.2.1/24 dev " + veth + "s",
            c + "addr add 192.0.2.2/24 dev " + veth + "c",
            s + "link set lo up",
            c + "link set lo up",
            s + "link set " + veth + "s up",
            c + "link set " + veth + "c up",
            "ip netns exec " + server_ns_ +
                " nft 'add table inet loss; add chain inet loss out "
                "{ type filter hook output priority 0; }; add rule inet "
                "loss out numgen random mod 100 < 5 drop'",
            "ip netns exec " + client_ns_ +
                " nft 'add table inet loss; add chain inet loss out "
                "{ type filter hook output priority 0; }; add rule inet "
                "loss out numgen random mod 100 < 5 drop'",
            "ip netns exec " + server_ns_ + " tc qdisc add dev " + veth +
                "s root tbf rate 20mbit burst 32kb latency 400ms",
        };
        for (const std::string& step : steps) {
            if (!run(step)) {
                failed_ = step;
                return;
            }
        }
    }
    ~ImpairedLink() {
        run("ip netns del " + server_ns_);
        run("ip netns del " + client_ns_);
    }
    ImpairedLink(const ImpairedLink&) = delete;
    ImpairedLink& operator=(const ImpairedLink&) = delete;

    const std::string& failed_step() const { return failed_; }
    const std::string& server_ns() const { return server_ns_; }
    const std::string& client_ns() const { return client_ns_; }

private:
    std::string server_ns_;
    std::string client_ns_;
    std::string failed_;
};

// Puts the calling thread into a namespace until destroyed, so that the
// sockets it creates meanwhile live there.
class InNamespace {
public:
    explicit InNamespace(const std::string& name)
        : home_(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) {
        Fd target(
            ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC));
        entered_ = target && ::setns(target.get(), CLONE_NEWNET) == 0;
    }
    ~InNamespace() { (void)::setns(home_.get(), CLONE_NEWNET); }
    InNamespace(const InNamespace&) = delete;
    InNamespace& operator=(const InNamespace&) = delete;
    bool entered() const { return entered_; }

private:
    Fd home_;
    bool entered_ = false;
};

// Why this machine cannot run the impaired-network tests, or "".
std::string missing_prerequisite() {
    if (::geteuid() != 0) {
        return "network namespaces need root";
    }
    for (const char* tool : {"ip", "nft", "tc"}) {
        if (find_tool(tool).empty()) {
            return std::string(tool).append(
                " not found (apt-get install iproute2 nftables)");
        }
    }
    return "";
}

// Each test gets the two namespaces and the server, listening on
// 192.0.2.1 in the server's namespace; it skips where they cannot be made.
class ImpairedNetwork : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        if (std::string why = missing_prerequisite(); !why.empty()) {
            GTEST_SKIP() << why << ": impaired-network tests skipped";
        }
        auto link = std::make_unique<ImpairedLink>();
        if (!link->failed_step().empty()) {
            GTEST_SKIP() << "cannot set up the namespaces: "
                         << link->failed_step();
        }
        Launch launch;
        launch.flags = {"--host", "192.0.2.1"};
        server_ = std::make_unique<ServerProcess>(
            wrapped(server(), "ip netns exec " + link->server_ns()), launch);
        link_ = std::move(link);
    }
    void TearDown() override {
        server_.reset();  // before the namespaces go
        link_.reset();
    }

    std::unique_ptr<ImpairedLink> link_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_P(ImpairedNetwork, EchoesEveryByteThroughLossAndRateLimit) {
    if (link_ == nullptr) {
        return;  // skipped in SetUp
    }
    ImpairedLink& link = *link_;
    ServerProcess& srv = *server_;
    const std::size_t big = sized<std::size_t>(1 << 20, 4 << 20);
    const std::size_t each = sized<std::size_t>(128 * 1024, 256 * 1024);
    InNamespace client(link.client_ns());
    ASSERT_TRUE(client.entered());
    Swarm swarm(srv.host(), srv.port());
    swarm.add({.seed = 1, .bytes = big});
    for (int i = 0; i < 8; ++i) {
        swarm.add({.seed = static_cast<std::uint64_t>(i + 2), .bytes = each});
    }
    const SwarmStats& done = swarm.run(60s);
    EXPECT_EQ(done.finished, 9) << describe(done);
    EXPECT_EQ(done.bytes_verified, big + 8 * each);
    ExitStatus status = srv.stop(15s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
    EXPECT_EQ(srv.stderr_text(), "");
}

// One small round trip through the relay, in milliseconds.
double round_trip_ms(const std::string& host, std::uint16_t port) {
    Fd conn = connect_tcp(host, port);
    auto start = std::chrono::steady_clock::now();
    char ping[64] = "ping";
    char pong[64];
    if (::send(conn.get(), ping, sizeof ping, MSG_NOSIGNAL) != sizeof ping ||
        ::recv(conn.get(), pong, sizeof pong, MSG_WAITALL) != sizeof pong) {
        return -1;
    }
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start)
        .count();
}

TEST_P(ImpairedNetwork, EchoesEveryByteThroughAddedDelay) {
    if (link_ == nullptr) {
        return;  // skipped in SetUp
    }
    ImpairedLink& link = *link_;
    ServerProcess& srv = *server_;
    ServerUnderTest relay_binary;
    relay_binary.name = "delay_relay";
    relay_binary.binary = ECHOLAB_DELAY_RELAY;
    Launch relay_launch;
    relay_launch.flags = {"--to-host",  "192.0.2.1",
                          "--to-port",  std::to_string(srv.port()),
                          "--delay-ms", "20"};
    ServerProcess relay(
        wrapped(relay_binary, "ip netns exec " + link.client_ns()),
        relay_launch);
    InNamespace client(link.client_ns());
    ASSERT_TRUE(client.entered());
    // 20 ms each way: a round trip can never be faster than 40 ms.
    double rtt = round_trip_ms(relay.host(), relay.port());
    EXPECT_GE(rtt, 40.0);
    EXPECT_LT(rtt, 5000.0);
    const std::size_t each = sized<std::size_t>(64 * 1024, 1 << 20);
    Swarm swarm(relay.host(), relay.port());
    for (int i = 0; i < 4; ++i) {
        swarm.add({.seed = static_cast<std::uint64_t>(i + 1), .bytes = each});
    }
    const SwarmStats& done = swarm.run(60s);
    EXPECT_EQ(done.finished, 4) << describe(done);
    EXPECT_EQ(done.bytes_verified, 4 * each);
    ExitStatus status = srv.stop(15s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
    EXPECT_EQ(srv.stderr_text(), "");
}

INSTANTIATE_TEST_SUITE_P(Models, ImpairedNetwork,
                         ::testing::ValuesIn(all_variants()), param_label);

}  // namespace
}  // namespace echolab::test
