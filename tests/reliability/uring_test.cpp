// io_uring_loop's own failure modes (docs/variants/io_uring_loop.md). Its
// sockets see no accept4, recvfrom or sendto the other fault tests could
// inject into: the kernel does that I/O inside io_uring_enter. So here
// strace fails io_uring_setup (a kernel or sysctl that refuses io_uring)
// and io_uring_enter itself, descriptors run out under a multishot
// accept, the server is stopped under an idle timeout, and a tiny buffer
// pool forces every slow path: an empty pool, cancelled receives, full
// sockets and short sends. Every test skips, with the reason, where the
// kernel refuses io_uring to this process.
#include "core/error.hpp"

#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <linux/io_uring.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

class IoUring : public ServerTest {
protected:
    // ServerTest::SetUp skips, with the kernel's reason, where io_uring
    // is refused (the variant declares NEEDS io_uring).
    // The server run by a command prefix (that execs it, or, for strace,
    // runs it as a child).
    ServerProcess& start_wrapped(const std::string& prefix,
                                 const Launch& launch) {
        traced_ =
            std::make_unique<ServerProcess>(wrapped(server(), prefix), launch);
        return *traced_;
    }

    // The server under strace with one -e inject rule.
    ServerProcess& start_traced(const std::string& rule, bool ready = true) {
        std::string strace = find_tool("strace");
        if (strace.empty()) {
            throw std::runtime_error(
                "strace not found (apt-get install "
                "strace)");
        }
        Launch launch;
        launch.wait_ready = ready;
        under_strace_ = true;
        return start_wrapped("env ASAN_OPTIONS=detect_leaks=0 " + strace +
                                 " -f -qq -o /dev/null -e inject=" + rule,
                             launch);
    }

    // The server under strace gets the SIGTERM itself; prlimit exec'd it.
    ExitStatus stop() {
        if (under_strace_) {
            return stop_traced(*traced_);
        }
        return traced_->stop(15s);
    }

    // The assertions print the server's stderr where it tells why.
    void TearDown() override {
        if (traced_ && traced_->running()) {
            stop();
        }
        traced_.reset();
        ServerTest::TearDown();
    }

    std::unique_ptr<ServerProcess> traced_;
    bool under_strace_ = false;
};

// What a kernel with io_uring disabled (or absent) says: exit 1 with one
// line naming the call and the sysctl, and no ready line before it.
TEST_P(IoUring, RefusedSetupExitsOneNamingCallAndSysctl) {
    for (const char* error : {"EPERM", "ENOSYS"}) {
        SCOPED_TRACE(error);
        ServerProcess& srv =
            start_traced(std::string("io_uring_setup:error=") + error, false);
        ExitStatus status = srv.wait_exit(10s);
        EXPECT_TRUE(status.clean(1)) << status.describe();
        std::string err = srv.stderr_text();
        EXPECT_EQ(err.rfind("error: io_uring_setup (sysctl "
                            "kernel.io_uring_disabled=",
                            0),
                  0u)
            << err;
        EXPECT_NE(err.find(error_text(error == std::string("EPERM") ? EPERM
                                                                    : ENOSYS)),
                  std::string::npos)
            << err;
        EXPECT_EQ(srv.stdout_text(), "");
    }
}

// A signal that interrupts the loop's one system call is retried; nothing
// queued in the ring is lost (the kernel had not consumed it).
TEST_P(IoUring, InterruptedEnterLosesNothing) {
    ServerProcess& srv = start_traced("io_uring_enter:error=EINTR:when=2+2");
    EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1 << 20, 10s), "");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1024, 5s), "");
    }
    EXPECT_TRUE(stop().clean(0));
}

// The documented choice: an io_uring_enter error that is not transient
// (EINTR, EAGAIN, EBUSY, ETIME) means the ring is broken, and the server
// exits 1 naming the call rather than serving on a ring it cannot trust.
TEST_P(IoUring, BrokenEnterExitsOneNamingTheCall) {
    ServerProcess& srv = start_traced("io_uring_enter:error=EBADF:when=3");
    ExitStatus status = srv.wait_exit(10s);
    EXPECT_TRUE(status.clean(1)) << status.describe();
    std::string err = srv.stderr_text();
    EXPECT_NE(err.find("error: io_uring_enter: " + error_text(EBADF)),
              std::string::npos)
        << err;
}

// EMFILE ends a multishot accept. It is re-armed after a pause, not at
// once, so the server neither spins nor stops accepting for good. The
// limit is set before the server starts: io_uring reads RLIMIT_NOFILE
// when an accept is queued, so a later prlimit does not reach an armed
// multishot accept (and ServerFaults.SurvivesDescriptorExhaustion sees
// no EMFILE here).
TEST_P(IoUring, EmfileEndsTheAcceptWhichComesBackAfterAPause) {
    std::string prlimit = find_tool("prlimit");
    if (prlimit.empty()) {
        GTEST_SKIP() << "prlimit not found (apt-get install util-linux)";
    }
    constexpr int kLimit = 16;  // 0-2, the stop pipe, the ring, listener
    Launch launch;
    launch.flags = {"--max-conns", "64"};
    ServerProcess& srv =
        start_wrapped(prlimit + " --nofile=" + std::to_string(kLimit), launch);
    std::vector<TestClient> clients;
    for (int i = 0; i < kLimit; ++i) {
        clients.emplace_back(srv.client_host(), srv.port());
        ASSERT_EQ(clients.back().send("w", 1s), 1u);
    }
    double cpu_before = cpu_seconds(srv.pid());
    std::this_thread::sleep_for(1500ms);
    EXPECT_LT(cpu_seconds(srv.pid()) - cpu_before, 0.2);
    EXPECT_NE(
        srv.stderr_text().find("accept: Too many open files; pausing accepts"),
        std::string::npos)
        << srv.stderr_text();
    std::vector<bool> served;
    for (TestClient& client : clients) {
        served.push_back(client.receive(1, 100ms).data == "w");
    }
    auto count = std::count(served.begin(), served.end(), true);
    EXPECT_GT(count, 0);
    EXPECT_LT(count, kLimit) << "no accept failed";
    // Served clients leave; their descriptors let the rest in.
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (served[i]) {
            clients[i].close();
        } else {
            Received got = clients[i].receive(1, 3s);
            EXPECT_EQ(got.data, "w")
                << "client " << i << ": " << got.describe();
        }
    }
}

// Time the server was stopped (SIGSTOP) is not idleness of its clients.
TEST_P(IoUring, StoppedServerDoesNotTimeOutItsClients) {
    ServerProcess& srv = start({"--idle-timeout", "1"});
    TestClient client = served_client(srv);
    std::this_thread::sleep_for(200ms);  // stopped while it waits
    srv.send_signal(SIGSTOP);
    std::this_thread::sleep_for(2500ms);
    srv.send_signal(SIGCONT);
    // Long enough for the server to wake and look for idle clients.
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(client.round_trip("awake", 1s), "awake");
    Received end = client.read_to_eof(4s);
    EXPECT_TRUE(end.end == StreamEnd::eof || end.end == StreamEnd::reset)
        << "a silent client is still timed out: " << end.describe();
}

// Four 1 KiB buffers for eight clients streaming at once: receives find
// the pool empty and wait for buffers, full clients have their receive
// cancelled, sends find sockets full and are resent, in part or whole.
// Every byte must still come back in order.
TEST_P(IoUring, TinyBufferPoolStillEchoesEveryByte) {
    ServerProcess& srv = start({"--buffers", "4", "--buffer", "1024"});
    std::vector<std::future<std::string>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::async(std::launch::async, [&srv, i] {
            return echo_problem(srv.client_host(), srv.port(),
                                (256u << 10) + static_cast<unsigned>(i), 30s);
        }));
    }
    for (auto& client : clients) {
        EXPECT_EQ(client.get(), "");
    }
    EXPECT_TRUE(serves_fresh_client(srv));
}

INSTANTIATE_TEST_SUITE_P(Models, IoUring,
                         ::testing::ValuesIn(variants_where([](const auto& v) {
                             return v.needs == "io_uring";
                         })),
                         param_label);

}  // namespace
}  // namespace echolab::test
