// System-call faults injected with strace (-e inject, one rule per
// syscall: strace uses only the last rule given for a syscall): accept
// failing with ECONNABORTED, EINTR, EPROTO or EMFILE; reads, writes and
// waits interrupted; spurious EAGAIN; EPIPE with SIGPIPE; fork and
// pthread_create failing with EAGAIN. Each model must degrade as its docs
// say (refuse or delay the one connection, log, keep serving), never
// crash or exit. An injected error skips the real call, so these faults
// are faithful; a genuine short write needs the LD_PRELOAD shim instead.
#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <string>
#include <thread>

#include <signal.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// Servers whose own system calls do the socket I/O (not the kernel inside
// io_uring_enter), so strace can inject faults into them.
bool does_own_io(const ServerUnderTest& server) {
    return server.waits_in != "io_uring_enter";
}

class SyscallFault : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        strace_ = find_tool("strace");
        if (strace_.empty()) {
            GTEST_SKIP() << "strace not found (apt-get install strace): "
                            "syscall fault injection skipped";
        }
    }

    // Starts the variant under strace with the given -e inject rules.
    // ASan cannot check leaks under ptrace, so that check is off.
    ServerProcess& start_traced(const std::vector<std::string>& rules,
                                const std::vector<std::string>& flags = {},
                                bool wait_ready = true) {
        std::string prefix = "env ASAN_OPTIONS=detect_leaks=0 " + strace_ +
                             " -f -qq -o /dev/null";
        for (const std::string& rule : rules) {
            prefix.append(" -e inject=").append(rule);
        }
        Launch launch;
        launch.flags = flags;
        launch.wait_ready = wait_ready;
        traced_ =
            std::make_unique<ServerProcess>(wrapped(server(), prefix), launch);
        return *traced_;
    }

    ExitStatus stop_traced() { return echolab::test::stop_traced(*traced_); }

    void TearDown() override {
        if (traced_ && traced_->running()) {
            stop_traced();
        }
        if (traced_ && HasFailure()) {
            std::fprintf(stderr, "--- stderr of %s ---\n%s\n",
                         traced_->command_line().c_str(),
                         traced_->stderr_text().c_str());
        }
        traced_.reset();
        ServerTest::TearDown();
    }

    ::testing::AssertionResult echoes(std::size_t size, int times = 1) {
        for (int i = 0; i < times; ++i) {
            std::string problem = echo_problem(traced_->client_host(),
                                               traced_->port(), size, 10s);
            if (!problem.empty()) {
                return ::testing::AssertionFailure()
                       << "echo " << i + 1 << " of " << size
                       << " bytes: " << problem;
            }
        }
        return ::testing::AssertionSuccess();
    }

    std::string strace_;
    std::unique_ptr<ServerProcess> traced_;
};

class AcceptFault : public SyscallFault {};

TEST_P(AcceptFault, PerConnectionAcceptErrorsAreRetried) {
    for (const char* error : {"ECONNABORTED", "EPROTO", "EINTR"}) {
        SCOPED_TRACE(error);
        start_traced({std::string("accept4:error=") + error + ":when=1..3"});
        EXPECT_TRUE(echoes(1024, 4));
        EXPECT_TRUE(stop_traced().clean(0));
    }
}

TEST_P(AcceptFault, EmfileBacksOffLogsAndRecovers) {
    start_traced({"accept4:error=EMFILE:when=1..5"});
    EXPECT_TRUE(echoes(1024, 4));
    std::string err = traced_->stderr_text();
    EXPECT_NE(err.find("Too many open files"), std::string::npos) << err;
    EXPECT_TRUE(stop_traced().clean(0));
}

// io_uring_loop makes no accept4, recvfrom or sendto to inject into: the
// kernel does that I/O inside io_uring_enter (uring_test.cpp fails that).
INSTANTIATE_TEST_SUITE_P(Models, AcceptFault,
                         ::testing::ValuesIn(variants_where(does_own_io)),
                         param_label);

class InterruptedIo : public SyscallFault {};

// Every second, fifth, eighth... read, write and readiness wait fails
// with EINTR: nothing may be lost or dropped.
TEST_P(InterruptedIo, EintrAnywhereIsRetried) {
    start_traced({"recvfrom:error=EINTR:when=2+3",
                  "sendto:error=EINTR:when=2+3",
                  server().waits_in + ":error=EINTR:when=2+3"});
    EXPECT_TRUE(echoes(1 << 20));
    EXPECT_TRUE(echoes(1024, 3));
    EXPECT_TRUE(stop_traced().clean(0));
}

// Readiness is only a hint: a read or write may still say EAGAIN.
TEST_P(InterruptedIo, SpuriousEagainIsHarmless) {
    start_traced(
        {"recvfrom:error=EAGAIN:when=3+4", "sendto:error=EAGAIN:when=1+2"});
    EXPECT_TRUE(echoes(1 << 20));
    EXPECT_TRUE(echoes(1024, 3));
    EXPECT_TRUE(stop_traced().clean(0));
}

// The first wait for a client is interrupted: the server must wait
// again, not take the EINTR for a stop request and exit.
TEST_P(InterruptedIo, InterruptedAcceptWaitKeepsServing) {
    start_traced({server().waits_in + ":error=EINTR:when=1"});
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(traced_->running()) << "exited after one interrupted wait: "
                                    << traced_->wait_exit(0ms).describe();
    EXPECT_TRUE(echoes(1024, 2));
    EXPECT_TRUE(stop_traced().clean(0));
}

// A send that fails with EPIPE and raises SIGPIPE costs that connection
// only: SIGPIPE is ignored (and inherited by fork_per_conn's children).
// strace counts `when` per thread and process, so in the models with a
// thread or child per client every client's first send fails; there the
// test asks that each is closed promptly and logged by a live process.
TEST_P(InterruptedIo, SigpipeOnSendKillsNothing) {
    // A pool (thread_pool, prefork) or a loop per thread (epoll_reactors)
    // sends from each worker; with one worker the count is the
    // single-thread models' (which worker takes a client decides nothing).
    bool one_worker = !server().pool_flag.empty();
    std::vector<std::string> flags{"--verbose"};
    if (one_worker) {
        flags.insert(flags.end(), {server().pool_flag, "1"});
    }
    start_traced({"sendto:error=EPIPE:signal=SIGPIPE:when=1"}, flags);
    int served = 0;
    for (int i = 0; i < 4; ++i) {
        std::string problem =
            echo_problem(traced_->client_host(), traced_->port(), 1024, 5s);
        EXPECT_EQ(problem.find("timeout"), std::string::npos) << problem;
        served += problem.empty() ? 1 : 0;
    }
    bool one_tracee = server().unit.empty() || one_worker;
    EXPECT_EQ(served, one_tracee ? 3 : 0);
    EXPECT_TRUE(traced_->running());
    // The session that got EPIPE lived on to log its end.
    std::string err = traced_->stderr_text();
    EXPECT_NE(err.find("Broken pipe"), std::string::npos) << err;
    EXPECT_TRUE(stop_traced().clean(0));
}

INSTANTIATE_TEST_SUITE_P(Models, InterruptedIo,
                         ::testing::ValuesIn(variants_where(does_own_io)),
                         param_label);

class CreateFault : public SyscallFault {};

// The second fork (clone) or pthread_create (clone3) fails: that client
// is closed at once, the ones before and after are served.
TEST_P(CreateFault, FailedCreateCostsOneConnection) {
    bool fork = server().unit == "process";
    start_traced(
        {std::string(fork ? "clone" : "clone3") + ":error=EAGAIN:when=2"});
    EXPECT_TRUE(echoes(1024));
    TestClient refused(traced_->client_host(), traced_->port());
    ASSERT_TRUE(refused.connected());
    refused.send("hello", 1s);
    Received got = refused.read_to_eof(2s);
    EXPECT_NE(got.end, StreamEnd::timeout)
        << "the client whose worker could not start must be closed";
    EXPECT_TRUE(got.data.empty()) << got.describe();
    EXPECT_TRUE(echoes(1024, 2));
    std::string err = traced_->stderr_text();
    EXPECT_NE(err.find("Resource temporarily unavailable"), std::string::npos)
        << err;
    EXPECT_TRUE(stop_traced().clean(0));
}

INSTANTIATE_TEST_SUITE_P(
    Models, CreateFault,
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& s) {
        return s.model == Model::per_connection;
    })),
    param_label);

class StartFault : public SyscallFault {};

// A pool of threads makes its workers at start: if one cannot be made, it
// exits 1 with a message instead of serving with fewer or hanging.
TEST_P(StartFault, PoolThatCannotStartExitsOne) {
    start_traced({"clone3:error=EAGAIN:when=3"}, {}, false);
    ExitStatus status = traced_->wait_exit(10s);
    EXPECT_TRUE(status.clean(1)) << status.describe();
    std::string err = traced_->stderr_text();
    EXPECT_NE(err.find("error: "), std::string::npos) << err;
    EXPECT_NE(err.find("Resource temporarily unavailable"), std::string::npos)
        << err;
}

INSTANTIATE_TEST_SUITE_P(
    Models, StartFault,
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& s) {
        return s.model == Model::worker_pool && s.unit == "thread";
    })),
    param_label);

}  // namespace
}  // namespace echolab::test
