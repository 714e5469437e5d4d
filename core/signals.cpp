#include "core/signals.hpp"

#include "core/error.hpp"
#include "core/fd.hpp"

#include <atomic>
#include <cerrno>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

namespace echolab {
namespace {

// The pipe's ends are owned by Fds; the handler only ever sees the
// lock-free atomic copy of the write end, as signal handlers must.
Fd g_read_fd;
Fd g_write_fd;
std::atomic<int> g_write_end{-1};
std::atomic<bool> g_requested{false};
std::atomic<long long> g_requested_ns{0};
static_assert(std::atomic<long long>::is_always_lock_free);

void on_stop_signal(int) {
    StopSignal::install().request();
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
    // No SA_RESTART: a blocking call in the main thread returns EINTR and
    // the loop looks at the stop request at once.
    action.sa_flags = 0;
    if (::sigaction(signo, &action, nullptr) != 0) {
        throw SetupError(errno, "sigaction");
    }
}

}  // namespace

StopSignal& StopSignal::install() {
    static StopSignal instance;
    if (!g_read_fd) {
        open_pipe();
        handle(SIGPIPE, SIG_IGN);
        handle(SIGINT, on_stop_signal);
        handle(SIGTERM, on_stop_signal);
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
        char byte = 1;
        (void)!::write(g_write_end.load(), &byte, 1);
    }
    errno = saved_errno;
}

void StopSignal::reset_after_fork() {
    g_write_end = -1;
    g_requested = false;
    g_requested_ns = 0;
    open_pipe();
}

}  // namespace echolab
