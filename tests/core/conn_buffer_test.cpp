#include "core/conn_buffer.hpp"

#include "core/listen.hpp"

#include <string>

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace {

using namespace echolab;

constexpr int kClientSndbuf = 256 * 1024;

struct Pair {
    Fd server;  // non-blocking, inside the ConnBuffer
    Fd client;  // blocking, the test's end
};

Pair make_pair(int server_sndbuf = 0) {
    int ends[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
    if (server_sndbuf > 0) {
        ::setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &server_sndbuf,
                     sizeof server_sndbuf);
    }
    Fd server(ends[0]);
    EXPECT_FALSE(set_nonblocking(server, true));
    return {std::move(server), Fd(ends[1])};
}

std::string read_available(const Fd& fd) {
    std::string got;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
        got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
}

void send_all(const Fd& fd, const std::string& data) {
    ASSERT_EQ(::send(fd.get(), data.data(), data.size(), 0),
              static_cast<ssize_t>(data.size()));
}

TEST(ConnBuffer, EchoesWhatItReads) {
    Pair pair = make_pair();
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, 4096);
    EXPECT_TRUE(conn.wants_read());
    EXPECT_FALSE(conn.wants_write());
    send_all(pair.client, "hello");
    conn.on_ready(true, false);
    EXPECT_EQ(read_available(pair.client), "hello");
    EXPECT_EQ(conn.bytes_echoed(), 5u);
    EXPECT_EQ(conn.pending(), 0u);
    EXPECT_FALSE(conn.done());
}

// What the loop last registered starts empty with each connection, so a
// loop that remembers it there asks the kernel on the first turn, and a
// reused descriptor number cannot inherit an old connection's value.
TEST(ConnBuffer, WatchedIsNothingUntilTheLoopSetsIt) {
    Pair pair = make_pair();
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, 4096);
    EXPECT_EQ(conn.watched(), 0u);
    conn.set_watched(1u);
    conn.on_ready(false, true);
    EXPECT_EQ(conn.watched(), 1u) << "on_ready changed what the loop set";
}

TEST(ConnBuffer, ReadsAtMostItsCapacity) {
    Pair pair = make_pair();
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, 100);
    send_all(pair.client, std::string(1000, 'x'));
    conn.on_ready(true, false);
    EXPECT_EQ(read_available(pair.client).size(), 100u);
}

TEST(ConnBuffer, StopsReadingWhenFullAndResumesWhenDrained) {
    Pair pair = make_pair(4096);
    const std::size_t capacity = 8192;
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, capacity);
    std::string data(256 * 1024, 'y');
    ASSERT_EQ(::setsockopt(pair.client.get(), SOL_SOCKET, SO_SNDBUF,
                           &kClientSndbuf, sizeof kClientSndbuf),
              0);
    ssize_t queued =
        ::send(pair.client.get(), data.data(), data.size(), MSG_DONTWAIT);
    ASSERT_GT(queued, 0);
    // The client does not read: the server fills its socket, then its own
    // buffer, then must stop asking for input.
    for (int i = 0; i < 1000 && conn.wants_read(); ++i) {
        conn.on_ready(true, true);
        ASSERT_LE(conn.pending(), capacity);
    }
    EXPECT_FALSE(conn.wants_read());
    EXPECT_TRUE(conn.wants_write());
    EXPECT_EQ(conn.pending(), capacity);
    // Once the client reads, the buffer drains and input is wanted again.
    std::string echoed = read_available(pair.client);
    conn.on_ready(false, true);
    EXPECT_LT(conn.pending(), capacity);
    EXPECT_TRUE(conn.wants_read());
    EXPECT_FALSE(echoed.empty());
}

TEST(ConnBuffer, HalfCloseFinishesWritingThenIsDone) {
    Pair pair = make_pair();
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, 4096);
    send_all(pair.client, "last words");
    ::shutdown(pair.client.get(), SHUT_WR);
    for (int i = 0; i < 10 && !conn.done(); ++i) {
        conn.on_ready(true, true);
    }
    EXPECT_TRUE(conn.done());
    EXPECT_FALSE(conn.wants_read());
    EXPECT_EQ(read_available(pair.client), "last words");
    EXPECT_EQ(conn.end_reason(), "client closed");
}

TEST(ConnBuffer, PeerGoneEndsWithTheError) {
    Pair pair = make_pair();
    ConnBuffer conn(std::move(pair.server), SocketAddress{}, 4096);
    send_all(pair.client, "echo me");
    pair.client.reset();
    conn.on_ready(true, true);
    for (int i = 0; i < 10 && !conn.done(); ++i) {
        conn.on_ready(true, true);
    }
    EXPECT_TRUE(conn.done());
}

}  // namespace
