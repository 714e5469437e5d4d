#include "core/log.hpp"

#include <csignal>
#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using echolab::log_line;
using echolab::log_lines_dropped;
using echolab::open_log;

// Runs check in a child whose stderr is the write end of a pipe that
// nobody reads yet; the child's exit code is check's result. SIGALRM ends
// a child that blocks, and the test then fails.
int in_child_with_full_pipe(int (*check)(int read_end)) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int ends[2];
        if (::pipe(ends) != 0 || ::dup2(ends[1], STDERR_FILENO) < 0) {
            ::_exit(90);
        }
        ::close(ends[1]);
        ::alarm(5);
        ::_exit(check(ends[0]));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

std::string drain(int read_end) {
    ::fcntl(read_end, F_SETFL, O_NONBLOCK);
    std::string out;
    char chunk[4096];
    for (ssize_t n; (n = ::read(read_end, chunk, sizeof chunk)) > 0;) {
        out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
}

TEST(Log, FullPipeDropsAndCountsWithoutBlocking) {
    int code = in_child_with_full_pipe([](int) {
        open_log();
        std::string line(100, 'x');
        for (int i = 0; i < 2000; ++i) {  // 200 KB into a 64 KiB pipe
            log_line(line);
        }
        return log_lines_dropped() > 0 ? 0 : 1;
    });
    EXPECT_EQ(code, 0) << "1: nothing dropped; 114: blocked (SIGALRM)";
}

TEST(Log, DroppedLinesAreReportedOnceThereIsRoom) {
    int code = in_child_with_full_pipe([](int read_end) {
        open_log();
        for (int i = 0; i < 2000; ++i) {
            log_line(std::string(100, 'x'));
        }
        unsigned long long dropped = log_lines_dropped();
        drain(read_end);
        log_line("after");
        std::string out = drain(read_end);
        std::string note = std::to_string(dropped) + " log lines dropped";
        if (out.find(note) == std::string::npos) {
            return 2;
        }
        return out.find("after\n") != std::string::npos &&
                       log_lines_dropped() == 0
                   ? 0
                   : 3;
    });
    EXPECT_EQ(code, 0) << "2: no drop note; 3: line lost after the note";
}

// Other processes share the pipe's open file description: its flags
// must stay as they were (blocking), or their writes would fail EAGAIN.
TEST(Log, SharedPipeStaysBlocking) {
    int code = in_child_with_full_pipe([](int) {
        open_log();
        log_line("hello");
        return (::fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK) == 0 ? 0 : 1;
    });
    EXPECT_EQ(code, 0);
}

TEST(Log, LinesArriveWhole) {
    int code = in_child_with_full_pipe([](int read_end) {
        open_log();
        log_line("connect 127.0.0.1:1");
        return drain(read_end) == "connect 127.0.0.1:1\n" ? 0 : 1;
    });
    EXPECT_EQ(code, 0);
}

}  // namespace
