// The command-line contract: exit 2 for a usage error, exit 1 with
// "error: bind <address>: <reason>" for a setup failure, and the --host
// forms every server must accept (::1, and :: serving both families).
#include "tests/conformance/echo_conformance.hpp"

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// A usage or setup error ends the server at once; the bound is for
// interpreters that take seconds just to start.
constexpr auto kExitBound = 6s;

bool has_ipv6_loopback() {
    std::ifstream in("/proc/net/if_inet6");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("00000000000000000000000000000001", 0) == 0) {
            return true;
        }
    }
    return false;
}

struct BadArgs {
    std::string port;
    std::vector<std::string> flags;
    std::vector<std::string> named;  // the message names one of these
};

bool names_any(const std::string& line, const std::vector<std::string>& w) {
    for (const std::string& word : w) {
        if (line.find(word) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST_P(EchoConformance, RejectsBadFlagWithExitTwo) {
    const std::vector<BadArgs> cases = {
        {"0", {"--no-such-flag"}, {"--no-such-flag"}},
        {"70000", {}, {"--port", "70000"}},
        {"abc", {}, {"--port", "abc"}},
        {"0", {"--max-conns", "0"}, {"--max-conns"}},
        {"0", {"--idle-timeout", "soon"}, {"--idle-timeout", "soon"}},
    };
    for (const BadArgs& bad : cases) {
        Launch launch{bad.flags, bad.port, false};
        ServerProcess& srv = start(launch);
        ExitStatus status = srv.wait_exit(kExitBound);
        EXPECT_TRUE(status.clean(2))
            << "a usage error must exit 2 within "
            << std::chrono::seconds(kExitBound).count() << " s; "
            << srv.command_line() << ": " << status.describe();
        std::string err = srv.stderr_text();
        std::string first_line = err.substr(0, err.find('\n'));
        EXPECT_TRUE(names_any(first_line, bad.named))
            << srv.command_line() << ": the first stderr line should name '"
            << bad.named.front() << "': " << first_line;
        EXPECT_EQ(srv.stdout_text(), "") << srv.command_line();
    }
}

void expect_busy_port_fails(const ServerProcess& holder, ServerProcess& second,
                            const std::string& addr) {
    ExitStatus status = second.wait_exit(kExitBound);
    EXPECT_TRUE(status.clean(1))
        << second.command_line() << ": " << status.describe();
    std::string want = "error: bind " + addr + ": Address already in use";
    EXPECT_NE(second.stderr_text().find(want), std::string::npos)
        << "stderr should hold '" << want << "':\n"
        << second.stderr_text();
    EXPECT_TRUE(serves_fresh_client(holder));
}

TEST_P(EchoConformance, BusyPortExitsOneNamingBind) {
    ServerProcess& holder = start();
    std::string port = std::to_string(holder.port());
    ServerProcess& second = start(Launch{{}, port, false});
    expect_busy_port_fails(holder, second, "127.0.0.1:" + port);

    if (!has_ipv6_loopback()) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    ServerProcess& holder6 = start({"--host", "::1"});
    std::string port6 = std::to_string(holder6.port());
    ServerProcess& second6 = start(Launch{{"--host", "::1"}, port6, false});
    expect_busy_port_fails(holder6, second6, "[::1]:" + port6);
}

TEST_P(EchoConformance, ServesIpv6Loopback) {
    if (!has_ipv6_loopback()) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    ServerProcess& srv = start({"--host", "::1"});
    EXPECT_EQ(srv.host(), "::1")
        << "with --host ::1 the ready line must name [::1]";
    std::string ready = "listening on [::1]:" + std::to_string(srv.port());
    EXPECT_EQ(srv.stdout_text(), ready + "\n")
        << "the ready line must be exactly '" << ready << "'";
    EXPECT_TRUE(serves_fresh_client(srv, 64 * 1024));
}

TEST_P(EchoConformance, DualStackServesIpv4AndIpv6) {
    if (!has_ipv6_loopback()) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    ServerProcess& srv = start({"--host", "::"});
    for (const char* host : {"127.0.0.1", "::1"}) {
        EXPECT_EQ(echo_problem(host, srv.port(), 4096, 3s), "")
            << "client from " << host;
    }
}

}  // namespace
}  // namespace echolab::test
