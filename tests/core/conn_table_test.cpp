#include "core/conn_table.hpp"

#include <cerrno>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

// An accepted connection, faked with one end of a socketpair.
Accepted fake_client(Fd& other_end) {
    int ends[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
    other_end = Fd(ends[1]);
    Accepted client;
    client.result = AcceptResult::accepted;
    client.conn = Fd(ends[0]);
    return client;
}

Accepted failure(AcceptResult result, int err) {
    Accepted client;
    client.result = result;
    client.error = err;
    return client;
}

TEST(ConnTable, AdmitsUpToMaxConns) {
    ServerOptions opts;
    opts.max_conns = 2;
    ConnTable table(opts, 1024);
    StopSignal& stop = StopSignal::install();
    Fd a, b;
    EXPECT_TRUE(table.accepting(stop));
    ConnBuffer* first = table.admit(fake_client(a));
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(table.find(first->conn().get()), first);
    EXPECT_TRUE(table.accepting(stop));
    ASSERT_NE(table.admit(fake_client(b)), nullptr);
    EXPECT_EQ(table.size(), 2);
    EXPECT_FALSE(table.accepting(stop));
    table.remove(first->conn().get());
    EXPECT_EQ(table.size(), 1);
    EXPECT_TRUE(table.accepting(stop));
}

TEST(ConnTable, RetryAdmitsNothing) {
    ServerOptions opts;
    opts.max_conns = 2;
    ConnTable table(opts, 1024);
    EXPECT_EQ(table.admit(failure(AcceptResult::retry, EAGAIN)), nullptr);
    EXPECT_EQ(table.size(), 0);
    EXPECT_TRUE(table.accepting(StopSignal::install()));
}

TEST(ConnTable, DescriptorExhaustionPausesAccepting) {
    ServerOptions opts;
    opts.max_conns = 2;
    ConnTable table(opts, 1024);
    StopSignal& stop = StopSignal::install();
    EXPECT_EQ(table.admit(failure(AcceptResult::out_of_resources, EMFILE)),
              nullptr);
    EXPECT_FALSE(table.accepting(stop));
    EXPECT_LE(table.timeout(stop), 100ms);
    std::this_thread::sleep_for(120ms);
    EXPECT_TRUE(table.accepting(stop));
}

TEST(ConnTable, BrokenListenerThrows) {
    ServerOptions opts;
    ConnTable table(opts, 1024);
    EXPECT_THROW(table.admit(failure(AcceptResult::fatal, EBADF)), SetupError);
}

// A table holding one connection, faked with a socketpair, and its peer.
struct OneConnection {
    explicit OneConnection(double idle_timeout_s) {
        opts.max_conns = 4;
        opts.idle_timeout_s = idle_timeout_s;
        EXPECT_NE(table.admit(fake_client(peer)), nullptr);
    }
    ServerOptions opts;
    ConnTable table{opts, 1024};
    Fd peer;
};

TEST(ConnTable, ClosesIdleConnections) {
    OneConnection one(0.05);
    ConnTable& table = one.table;
    Fd& peer = one.peer;
    table.close_idle();
    EXPECT_EQ(table.size(), 1);           // not idle long enough yet
    std::this_thread::sleep_for(1100ms);  // past the timeout and the scan
    table.close_idle();
    EXPECT_EQ(table.size(), 0);
    char byte;
    EXPECT_EQ(::recv(peer.get(), &byte, 1, 0), 0);  // the server closed
}

TEST(ConnTable, TimeoutIsAtMostTheIdleScan) {
    ServerOptions opts;
    ConnTable table(opts, 1024);
    EXPECT_LE(table.timeout(StopSignal::install()), 1000ms);
    EXPECT_FALSE(table.finished(StopSignal::install()));
}

// A client whose bytes the server has not read is waiting on the server,
// not idle, however long ago its last progress (the loop was behind).
TEST(ConnTable, UnreadInputIsNeverIdle) {
    OneConnection one(0.05);
    ASSERT_EQ(::send(one.peer.get(), "ping", 4, 0), 4);
    std::this_thread::sleep_for(1100ms);
    one.table.close_idle();
    EXPECT_EQ(one.table.size(), 1) << "closed with its input unread";
}

// A gap between two calls longer than any wait (the process was stopped)
// is not held against the client: only the second of the 2.5 s counts.
TEST(ConnTable, TimeTheLoopDidNotRunIsNotIdleTime) {
    OneConnection one(2);
    one.table.close_idle();
    std::this_thread::sleep_for(2500ms);  // as if SIGSTOPped
    one.table.close_idle();
    EXPECT_EQ(one.table.size(), 1) << "closed for time the server was stopped";
}

// A failed wait: EINTR and ENOMEM let the loop go on; anything else is a
// bug in the loop, a setup error that names the call.
TEST(ConnTable, WaitErrorsOtherThanEintrAndEnomemAreFatal) {
    ServerOptions opts;
    ConnTable table(opts, 1024);
    EXPECT_NO_THROW(table.survive_wait_error(EINTR, "select"));
    EXPECT_NO_THROW(table.survive_wait_error(ENOMEM, "select"));
    try {
        table.survive_wait_error(EBADF, "epoll_wait");
        ADD_FAILURE() << "EBADF did not throw";
    } catch (const SetupError& error) {
        EXPECT_NE(std::string(error.what()).find("epoll_wait"),
                  std::string::npos)
            << error.what();
    }
}

// The --buffer flag of the ConnTable loops: a default, a range.
TEST(ConnTable, LoopFlagsParseTheBuffer) {
    LoopOptions loop;
    CLI::App app;
    add_loop_flags(app, loop);
    EXPECT_EQ(loop.buffer, ConnBuffer::kDefaultCapacity);
    app.parse("--buffer 4096", false);
    EXPECT_EQ(loop.buffer, 4096u);
    EXPECT_THROW(app.parse("--buffer 0", false), CLI::ValidationError);
}

}  // namespace
