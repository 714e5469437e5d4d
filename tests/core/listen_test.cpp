#include "core/listen.hpp"

#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace echolab;

std::uint16_t port_of_listener(const Fd& listener) {
    return port_of(local_address(listener));
}

// Waits until the listener has a connection to accept (it is non-blocking).
Accepted accept_one(const Fd& listener, ConnMode mode) {
    pollfd pfd{listener.get(), POLLIN, 0};
    EXPECT_EQ(::poll(&pfd, 1, 5000), 1);
    return accept_conn(listener, mode);
}

bool echo_byte(const Fd& listener, const std::string& host) {
    Fd client = connect_tcp(host, port_of_listener(listener));
    Accepted served = accept_one(listener, ConnMode::blocking);
    char byte = 'x';
    return served.result == AcceptResult::accepted &&
           ::send(client.get(), &byte, 1, 0) == 1 &&
           ::recv(served.conn.get(), &byte, 1, 0) == 1 && byte == 'x';
}

TEST(ListenTcp, PortZeroGetsAnEphemeralPort) {
    Fd listener = listen_tcp("127.0.0.1", 0, 16);
    EXPECT_GT(port_of_listener(listener), 0);
    EXPECT_EQ(to_string(local_address(listener)).rfind("127.0.0.1:", 0), 0u);
}

TEST(ListenTcp, ListenerIsNonBlockingAndCloseOnExec) {
    Fd listener = listen_tcp("127.0.0.1", 0, 16);
    EXPECT_NE(::fcntl(listener.get(), F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(::fcntl(listener.get(), F_GETFD) & FD_CLOEXEC, 0);
    Accepted none = accept_conn(listener, ConnMode::blocking);
    EXPECT_EQ(none.result, AcceptResult::retry);
    EXPECT_EQ(none.error, EAGAIN);
}

TEST(ListenTcp, BusyPortThrowsWithCallAndAddress) {
    Fd first = listen_tcp("127.0.0.1", 0, 16);
    std::uint16_t port = port_of_listener(first);
    try {
        Fd second = listen_tcp("127.0.0.1", port, 16);
        FAIL() << "bound a busy port";
    } catch (const SetupError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "bind 127.0.0.1:" + std::to_string(port) +
                      ": Address already in use");
    }
}

TEST(ListenTcp, Ipv6LoopbackServesIpv6Clients) {
    Fd listener = listen_tcp("::1", 0, 16);
    EXPECT_EQ(to_string(local_address(listener)).rfind("[::1]:", 0), 0u);
    EXPECT_TRUE(echo_byte(listener, "::1"));
}

TEST(ListenTcp, DualStackServesIpv4AndIpv6Clients) {
    Fd listener = listen_tcp("::", 0, 16);
    EXPECT_TRUE(echo_byte(listener, "127.0.0.1"));
    EXPECT_TRUE(echo_byte(listener, "::1"));
}

TEST(AcceptConn, SetsNoDelayAndTheRequestedMode) {
    Fd listener = listen_tcp("127.0.0.1", 0, 16);
    Fd client = connect_tcp("127.0.0.1", port_of_listener(listener));
    Accepted served = accept_one(listener, ConnMode::nonblocking);
    ASSERT_EQ(served.result, AcceptResult::accepted);
    int nodelay = 0;
    socklen_t len = sizeof nodelay;
    ASSERT_EQ(::getsockopt(served.conn.get(), IPPROTO_TCP, TCP_NODELAY,
                           &nodelay, &len),
              0);
    EXPECT_EQ(nodelay, 1);
    EXPECT_NE(::fcntl(served.conn.get(), F_GETFL) & O_NONBLOCK, 0);
    EXPECT_EQ(port_of(served.peer), port_of(local_address(client)));
}

TEST(ConnectTcp, RefusedConnectionNamesTheAddress) {
    std::uint16_t port;
    {
        Fd closed = listen_tcp("127.0.0.1", 0, 1);
        port = port_of_listener(closed);
    }
    try {
        Fd client = connect_tcp("127.0.0.1", port);
        FAIL() << "connected to a closed port";
    } catch (const SetupError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "connect 127.0.0.1:" + std::to_string(port) +
                      ": Connection refused");
    }
}

TEST(SetNonblocking, TogglesTheFlag) {
    Fd listener = listen_tcp("127.0.0.1", 0, 1);
    ASSERT_FALSE(set_nonblocking(listener, false));
    EXPECT_EQ(::fcntl(listener.get(), F_GETFL) & O_NONBLOCK, 0);
    ASSERT_FALSE(set_nonblocking(listener, true));
    EXPECT_NE(::fcntl(listener.get(), F_GETFL) & O_NONBLOCK, 0);
}

}  // namespace
