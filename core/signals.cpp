#include "core/signals.hpp"

#include "core/error.hpp"
#include "core/fd.hpp"

#include <atomic>
#include <cerrno>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <unistd.h>

namespace echolab {
namespace {

// How often SIGALRM interrupts a blocked call once a stop is requested (or
// once after a child exits): long enough to cost nothing, short enough
// that a lost wake-up delays a stop by no more than this.
constexpr suseconds_t kRepeatMicros = 100'000;

// The pipe's ends are owned by Fds; the handler only ever sees the
// lock-free atomic copy of the write end, as signal handlers must.
Fd g_read_fd;
Fd g_write_fd;
std::atomic<int> g_write_end{-1};
std::atomic<bool> g_installed{false};
std::atomic<bool> g_repeat{false};
std::atomic<bool> g_requested{false};
std::atomic<long long> g_requested_ns{0};
static_assert(std::atomic<long long>::is_always_lock_free);

// setitimer(2) is not on POSIX's async-signal-safe list, but on Linux it
// is one system call that takes no lock and allocates nothing.
void arm_alarm(bool repeat) {
    itimerval timer{};
    timer.it_value.tv_usec = kRepeatMicros;
    if (repeat) {
        timer.it_interval.tv_usec = kRepeatMicros;
    }
    ::setitimer(ITIMER_REAL, &timer, nullptr);
}

void on_stop_signal(int) {
    StopSignal::install().request();
}

// Its only job is to exist: a handled signal interrupts a blocked call.
void on_interrupt(int) {}

void on_child_exit(int) {
    // After a stop the repeating alarm already runs; do not cut it short.
    if (!g_requested.load()) {
        int saved_errno = errno;
        arm_alarm(false);
        errno = saved_errno;
    }
}

void open_pipe() {
    int ends[2];
    // Non-blocking write end: a second signal must never block the handler
    // on a full pipe. One byte is enough to keep the read end readable.
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw SetupError(errno, "pipe2 (stop signal)");
    }
    g_read_fd = Fd(ends[0]);
    g_write_fd = Fd(ends[1]);
    g_write_end = ends[1];
}

void handle(int signo, void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a call blocked in the thread that takes the signal
    // returns EINTR, and its loop looks at the stop request at once.
    action.sa_flags = 0;
    if (::sigaction(signo, &action, nullptr) != 0) {
        throw SetupError(errno, "sigaction");
    }
}

}  // namespace

StopSignal& StopSignal::install(StopWake wake) {
    static StopSignal instance;
    if (!g_installed.exchange(true)) {
        if (wake == StopWake::pipe) {
            open_pipe();
        }
        g_repeat = wake == StopWake::interrupt;
        // A controlling terminal that hangs up means the operator is gone:
        // stop as for SIGTERM, with the grace period. SIGUSR1/2 mean
        // nothing to an echo server, and must not kill it.
        for (int signo : {SIGPIPE, SIGUSR1, SIGUSR2}) {
            handle(signo, SIG_IGN);
        }
        for (int signo : {SIGINT, SIGTERM, SIGHUP}) {
            handle(signo, on_stop_signal);
        }
        handle(SIGALRM, on_interrupt);
    }
    return instance;
}

int StopSignal::fd() const noexcept {
    return g_read_fd.get();
}

bool StopSignal::requested() const noexcept {
    return g_requested.load();
}

std::chrono::steady_clock::time_point StopSignal::requested_at()
    const noexcept {
    return std::chrono::steady_clock::time_point(
        std::chrono::nanoseconds(g_requested_ns.load()));
}

Wake StopSignal::wait(int fd, std::chrono::milliseconds timeout) const {
    pollfd fds[2] = {{fd, POLLIN, 0}, {this->fd(), POLLIN, 0}};
    int n = ::poll(
        fds, 2, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
    if (requested()) {
        return Wake::stop;
    }
    // EINTR is a spurious wake-up; the caller's loop simply asks again.
    return n > 0 && fds[0].revents != 0 ? Wake::ready : Wake::timeout;
}

void StopSignal::request() noexcept {
    int saved_errno = errno;
    timespec now{};
    // CLOCK_MONOTONIC is what std::chrono::steady_clock reads on Linux,
    // and clock_gettime is async-signal-safe where steady_clock::now()
    // is not promised to be.
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    long long unset = 0;
    // The time is stored before the flag is raised: a thread that sees
    // requested() must never read a zero time, or its grace period would
    // already be over. The first request wins; later ones change nothing.
    if (g_requested_ns.compare_exchange_strong(
            unset, now.tv_sec * 1'000'000'000LL + now.tv_nsec)) {
        g_requested = true;
        if (g_repeat.load()) {
            arm_alarm(true);
        }
        if (int end = g_write_end.load(); end >= 0) {
            char byte = 1;
            (void)!::write(end, &byte, 1);
        }
    }
    errno = saved_errno;
}

void block_stop_signals() noexcept {
    sigset_t set;
    sigemptyset(&set);
    for (int signo : {SIGINT, SIGTERM, SIGHUP, SIGALRM}) {
        sigaddset(&set, signo);
    }
    // pthread_sigmask, not sigprocmask: the mask is per thread. It fails
    // only for an invalid `how`, which this is not.
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void interrupt_on_child_exit() {
    handle(SIGCHLD, on_child_exit);
}

bool die_with_parent(pid_t parent) noexcept {
    // The parent may have died between fork and prctl, when no signal
    // would come: then this process already has another parent.
    return ::prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && ::getppid() == parent;
}

}  // namespace echolab
