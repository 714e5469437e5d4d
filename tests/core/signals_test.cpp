#include "core/signals.hpp"

#include <cerrno>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool readable(int fd) {
    pollfd pfd{fd, POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 1;
}

// The signals that mean nothing to a server: the process goes on, and no
// stop is requested. Runs before the stop tests below (definition order).
TEST(StopSignal, UserSignalsAndAlarmAreHarmless) {
    StopSignal& stop = StopSignal::install();
    for (int signo : {SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM}) {
        ASSERT_EQ(::raise(signo), 0) << "signal " << signo;
    }
    EXPECT_FALSE(stop.requested());
}

[[noreturn]] void sighup_requests_astop() {
    StopSignal& stop = StopSignal::install(StopWake::interrupt);
    ::raise(SIGHUP);
    ::_exit(stop.requested() && stop.fd() < 0 ? 0 : 1);
}

TEST(StopSignal, SighupRequestsAStop) {
    // Re-executed, so the child starts without this process's install().
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(sighup_requests_astop(), ::testing::ExitedWithCode(0), "");
}

// SIGQUIT keeps its default: the process dies with it (core dumps are
// turned off here; the disposition is what is tested).
[[noreturn]] void sigquit_keeps_its_default() {
    rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    StopSignal::install();
    ::raise(SIGQUIT);
    ::_exit(0);
}

TEST(StopSignal, SigquitKeepsItsDefault) {
    // Re-executed, so the child starts without this process's install().
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(sigquit_keeps_its_default(), ::testing::KilledBySignal(SIGQUIT),
                "");
}

// StopWake::interrupt: a blocked read returns EINTR at the stop, and again
// every 100 ms after it, so a stop cannot be lost before a call blocks.
[[noreturn]] void interrupt_mode_repeats_the_interruption() {
    StopSignal::install(StopWake::interrupt);
    int ends[2];
    if (::pipe(ends) != 0) {
        ::_exit(2);
    }
    ::kill(::getpid(), SIGTERM);
    auto begin = Clock::now();
    int interrupted = 0;
    char byte;
    while (Clock::now() - begin < 450ms) {
        if (::read(ends[0], &byte, 1) < 0 && errno == EINTR) {
            ++interrupted;
        }
    }
    ::_exit(interrupted >= 4 && interrupted <= 6 ? 0 : 10 + interrupted);
}

TEST(StopSignal, InterruptModeRepeatsTheInterruption) {
    // Re-executed, so the child starts without this process's install().
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(interrupt_mode_repeats_the_interruption(),
                ::testing::ExitedWithCode(0), "");
}

// A thread that blocks the stop signals leaves them to the main thread.
[[noreturn]] void blocked_thread_leaves_the_stop_to_main() {
    StopSignal& stop = StopSignal::install(StopWake::interrupt);
    std::thread worker([] {
        block_stop_signals();
        ::kill(::getpid(), SIGTERM);
    });
    int ends[2];
    if (::pipe(ends) != 0) {
        ::_exit(2);
    }
    char byte;
    ssize_t n = ::read(ends[0], &byte, 1);
    int err = errno;
    worker.join();
    ::_exit(n < 0 && err == EINTR && stop.requested() ? 0 : 1);
}

TEST(StopSignal, BlockedThreadLeavesTheStopToMain) {
    // Re-executed, so the child starts without this process's install().
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(blocked_thread_leaves_the_stop_to_main(),
                ::testing::ExitedWithCode(0), "");
}

// A forked child that asked to die with its parent is SIGKILLed when the
// parent exits, and one whose parent is already gone is told so.
[[noreturn]] void child_dies_with_its_parent() {
    pid_t parent = ::getpid();
    int ends[2];
    if (::pipe(ends) != 0) {
        ::_exit(2);
    }
    pid_t middle = ::fork();
    if (middle == 0) {
        pid_t me = ::getpid();
        if (::fork() == 0) {
            close(ends[0]);
            if (!die_with_parent(me)) {
                ::_exit(3);
            }
            ::pause();  // until SIGKILL: the write end closes
        }
        ::_exit(0);
    }
    close(ends[1]);
    ::waitpid(middle, nullptr, 0);
    // EOF once the grandchild is gone (it held the write end).
    char byte;
    pollfd pfd{ends[0], POLLIN, 0};
    bool gone = ::poll(&pfd, 1, 2000) == 1 && ::read(ends[0], &byte, 1) == 0;
    EXPECT_FALSE(die_with_parent(parent == 1 ? 2 : 1));
    ::_exit(gone ? 0 : 1);
}

TEST(DieWithParent, ChildDiesWithItsParent) {
    // Re-executed, so the child starts without this process's install().
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(child_dies_with_its_parent(), ::testing::ExitedWithCode(0), "");
}

// One test: the stop request is process-wide and cannot be taken back.
TEST(StopSignal, SigtermRequestsAStopThatStaysVisible) {
    StopSignal& stop = StopSignal::install();
    EXPECT_EQ(&stop, &StopSignal::install());
    EXPECT_FALSE(stop.requested());
    EXPECT_FALSE(readable(stop.fd()));
    EXPECT_EQ(stop.wait(-1, 10ms), Wake::timeout);

    auto before = Clock::now();
    ASSERT_EQ(::raise(SIGTERM), 0);
    EXPECT_TRUE(stop.requested());
    EXPECT_GE(stop.requested_at(), before);
    EXPECT_LE(stop.requested_at(), Clock::now());
    // Readable for every watcher, as often as asked.
    EXPECT_TRUE(readable(stop.fd()));
    EXPECT_TRUE(readable(stop.fd()));
    EXPECT_EQ(stop.wait(-1, -1ms), Wake::stop);

    // A second signal changes nothing (the first request time stays).
    auto first = stop.requested_at();
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_EQ(stop.requested_at(), first);
}

}  // namespace
