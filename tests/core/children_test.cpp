#include "core/children.hpp"

#include "core/fd.hpp"

#include <cerrno>
#include <chrono>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;
using Clock = Children::Clock;

// Where a waiting child reports: 'R' once its SIGTERM disposition is set,
// 'T' when its SIGTERM handler runs.
int g_report = -1;

void report(char byte) {
    (void)!::write(g_report, &byte, 1);
}

void on_term(int) {
    report('T');
    ::_exit(0);
}

pid_t fork_exiting_child() {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(0);
    }
    return pid;
}

// Blocks until pid has exited, without reaping it.
void await_exit(pid_t pid) {
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT),
              0);
}

class ChildrenTest : public ::testing::Test {
protected:
    void SetUp() override {
        int ends[2];
        ASSERT_EQ(::pipe(ends), 0);
        reports_ = Fd(ends[0]);
        report_end_ = Fd(ends[1]);
    }

    // Forks a child that waits forever with `term` as its SIGTERM
    // disposition, and adds it once the disposition is set.
    pid_t add_waiting_child(void (*term)(int)) {
        pid_t pid = ::fork();
        if (pid == 0) {
            g_report = report_end_.get();
            ::signal(SIGTERM, term);
            report('R');
            for (;;) {
                ::pause();
            }
        }
        EXPECT_EQ(next_report(), 'R');
        children.add(pid);
        return pid;
    }

    char next_report() {
        char byte = 0;
        return ::read(reports_.get(), &byte, 1) == 1 ? byte : '\0';
    }

    Children children;

private:
    Fd reports_;
    Fd report_end_;
};

TEST_F(ChildrenTest, WaitForOneReturnsTheChildThatExited) {
    pid_t pid = fork_exiting_child();
    children.add(pid);
    std::optional<Children::Exit> exit = children.wait_for_one();
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(exit->pid, pid);
    EXPECT_GE(exit->lived, Clock::duration::zero());
    EXPECT_EQ(children.size(), 0u);
}

TEST_F(ChildrenTest, WaitForOneWithoutChildrenSaysEchild) {
    EXPECT_FALSE(children.wait_for_one().has_value());
    EXPECT_EQ(errno, ECHILD);
}

TEST_F(ChildrenTest, ReapCollectsOnlyTheExitedAndKeepsErrno) {
    pid_t waiting = add_waiting_child(SIG_DFL);
    pid_t exited = fork_exiting_child();
    children.add(exited);
    await_exit(exited);
    errno = EAGAIN;
    children.reap();
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_EQ(children.size(), 1u);
    children.finish_by(Clock::now() - 1h);
    EXPECT_EQ(children.size(), 0u);
    EXPECT_EQ(::kill(waiting, 0), -1) << "the waiting child was not reaped";
}

TEST_F(ChildrenTest, WaitForRoomWaitsOnlyAtTheLimit) {
    children.add(fork_exiting_child());
    EXPECT_TRUE(children.wait_for_room(2)) << "one child, room for two";
    EXPECT_EQ(children.size(), 1u);
    EXPECT_FALSE(children.wait_for_room(1)) << "at the limit it waits";
    EXPECT_EQ(children.size(), 0u) << "and reaps the child that exited";
    EXPECT_TRUE(children.wait_for_room(1));
}

TEST_F(ChildrenTest, FinishBySendsSigtermFirst) {
    add_waiting_child(on_term);
    children.finish_by(Clock::now() + 1h);
    EXPECT_EQ(next_report(), 'T') << "the child never saw SIGTERM";
    EXPECT_EQ(children.size(), 0u);
}

TEST_F(ChildrenTest, FinishByKillsAChildThatIgnoresSigterm) {
    pid_t pid = add_waiting_child(SIG_IGN);
    // A deadline long past: no waiting, straight to SIGKILL.
    children.finish_by(Clock::now() - 1h);
    EXPECT_EQ(children.size(), 0u);
    EXPECT_EQ(::kill(pid, 0), -1) << "the child is still there";
}

}  // namespace
