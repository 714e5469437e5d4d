#include "core/session.hpp"

#include "core/listen.hpp"

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

struct Pair {
    Fd server;
    Fd client;
};

// A connected stream pair; the server end gets a tiny send buffer, so the
// session's writes come back short and it must loop and wait.
Pair make_pair(int server_sndbuf = 0) {
    int ends[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
    if (server_sndbuf > 0) {
        ::setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &server_sndbuf,
                     sizeof server_sndbuf);
    }
    return {Fd(ends[0]), Fd(ends[1])};
}

std::string pattern(std::size_t size) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        data[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    }
    return data;
}

// Sends data, half-closes, and reads everything back, concurrently, so a
// payload larger than the socket buffers cannot deadlock.
std::string round_trip(const Fd& client, const std::string& data) {
    auto reader = std::async(std::launch::async, [&client] {
        std::string got;
        char buffer[65536];
        ssize_t n;
        while ((n = ::recv(client.get(), buffer, sizeof buffer, 0)) > 0) {
            got.append(buffer, static_cast<std::size_t>(n));
        }
        return got;
    });
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(client.get(), data.data() + sent, data.size() - sent,
                           MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(client.get(), SHUT_WR);
    return reader.get();
}

// Runs serve_blocking on the server end in a thread and closes that end
// when the session returns, as serve_blocking's caller does.
std::future<SessionResult> start_session(Fd& server,
                                         const ServerOptions& opts) {
    return std::async(std::launch::async, [&server, &opts] {
        SessionResult result =
            serve_blocking(server, SocketAddress{}, opts,
                           StopSignal::install(StopWake::interrupt));
        server.reset();
        return result;
    });
}

TEST(EchoBlocking, HalfCloseEchoesEverythingThenReturns) {
    Pair pair = make_pair();
    ServerOptions opts;
    auto session = start_session(pair.server, opts);
    std::string data = pattern(3 * 1024 * 1024 + 17);
    EXPECT_EQ(round_trip(pair.client, data), data);
    SessionResult result = session.get();
    EXPECT_EQ(result.end, SessionEnd::client_closed);
    EXPECT_EQ(result.bytes, data.size());
    EXPECT_EQ(describe(result), "client closed");
}

TEST(EchoBlocking, ShortWritesAreCompleted) {
    Pair pair = make_pair(1024);  // the kernel takes little per send
    ServerOptions opts;
    auto session = start_session(pair.server, opts);
    std::string data = pattern(1024 * 1024);
    EXPECT_EQ(round_trip(pair.client, data), data);
    EXPECT_EQ(session.get().bytes, data.size());
}

TEST(EchoBlocking, EmptySessionEndsAtOnce) {
    Pair pair = make_pair();
    ServerOptions opts;
    auto session = start_session(pair.server, opts);
    EXPECT_EQ(round_trip(pair.client, ""), "");
    SessionResult result = session.get();
    EXPECT_EQ(result.end, SessionEnd::client_closed);
    EXPECT_EQ(result.bytes, 0u);
}

TEST(EchoBlocking, IdleTimeoutEndsASilentClient) {
    Pair pair = make_pair();
    ServerOptions opts;
    opts.idle_timeout_s = 0.2;
    auto started = std::chrono::steady_clock::now();
    SessionResult result =
        serve_blocking(pair.server, SocketAddress{}, opts,
                       StopSignal::install(StopWake::interrupt));
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.end, SessionEnd::idle_timeout);
    EXPECT_EQ(describe(result), "idle timeout");
    EXPECT_GE(waited, 200ms);
}

TEST(EchoBlocking, ClientThatNeverReadsTimesOutInsteadOfBlocking) {
    Pair pair = make_pair(4096);
    ServerOptions opts;
    opts.idle_timeout_s = 0.3;
    auto session = start_session(pair.server, opts);
    std::string data = pattern(4 * 1024 * 1024);
    // The client writes until flow control stops it and never reads.
    timeval give_up{1, 0};
    ::setsockopt(pair.client.get(), SOL_SOCKET, SO_SNDTIMEO, &give_up,
                 sizeof give_up);
    std::size_t sent = 0;
    ssize_t n;
    while ((n = ::send(pair.client.get(), data.data() + sent,
                       data.size() - sent, MSG_NOSIGNAL)) > 0) {
        sent += static_cast<std::size_t>(n);
    }
    SessionResult result = session.get();
    EXPECT_EQ(result.end, SessionEnd::idle_timeout);
    EXPECT_LT(sent, data.size());
}

TEST(EchoBlocking, PeerResetEndsWithTheError) {
    Fd listener = listen_tcp("127.0.0.1", 0, 4);
    Fd client = connect_tcp("127.0.0.1", port_of(local_address(listener)));
    pollfd ready{listener.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&ready, 1, 5000), 1);
    Accepted served = accept_conn(listener, ConnMode::blocking);
    ASSERT_EQ(served.result, AcceptResult::accepted);
    ServerOptions opts;
    auto session = start_session(served.conn, opts);
    ASSERT_EQ(::send(client.get(), "ping", 4, 0), 4);
    char echo[4];
    ASSERT_EQ(::recv(client.get(), echo, 4, MSG_WAITALL), 4);
    linger abort_on_close{1, 0};  // close sends RST instead of FIN
    ::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &abort_on_close,
                 sizeof abort_on_close);
    client.reset();
    SessionResult result = session.get();
    EXPECT_EQ(result.end, SessionEnd::reset);
    EXPECT_EQ(result.error, ECONNRESET);
    EXPECT_EQ(result.bytes, 4u);
}

// Last in this file, because a stop cannot be taken back in this process
// (ctest runs every test in a process of its own anyway).
TEST(EchoSession, StopInterruptsThenGraceEndsTheSession) {
    Pair pair = make_pair();
    ServerOptions opts;
    opts.grace_s = 0.4;
    StopSignal& stop = StopSignal::install(StopWake::interrupt);
    EchoSession session(pair.server, SocketAddress{}, opts);
    // The client thread blocks the stop signals, so SIGTERM interrupts the
    // recv that this thread is blocked in.
    auto client = std::async(std::launch::async, [&pair] {
        block_stop_signals();
        std::this_thread::sleep_for(100ms);
        ::kill(::getpid(), SIGTERM);
        std::this_thread::sleep_for(100ms);
        EXPECT_EQ(::send(pair.client.get(), "late", 4, 0), 4);
        char echo[4];
        return ::recv(pair.client.get(), echo, 4, MSG_WAITALL);
    });
    EXPECT_EQ(session.run(stop), SessionEnd::interrupted);
    EXPECT_TRUE(stop.requested());
    // Within the grace period the session goes on echoing; SIGALRM, every
    // 100 ms from the stop on, keeps interrupting it until the grace
    // period is over, though the client stays silent.
    SessionEnd end = SessionEnd::interrupted;
    while (end == SessionEnd::interrupted) {
        end = session.run(stop);
    }
    EXPECT_EQ(end, SessionEnd::stopped);
    EXPECT_EQ(client.get(), 4) << "a byte sent within the grace period";
    EXPECT_EQ(session.result().bytes, 4u);
    auto late = std::chrono::steady_clock::now() - stop.requested_at();
    EXPECT_GE(late, 400ms);
    EXPECT_LT(late, 700ms);
}

}  // namespace
