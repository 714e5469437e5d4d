#include "core/session.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>

#include <poll.h>
#include <sys/socket.h>

namespace echolab {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes moved per system call dominate bulk echo throughput, so read as
// much as a loopback segment carries rather than a small fixed chunk.
constexpr std::size_t kSessionBufferBytes = 64 * 1024;

enum class Wait { ready, idle, stopped, failed };

// Waits until conn is ready for `events`, the connection has been idle for
// the idle timeout since last_progress, or the grace period after a stop
// request has run out.
Wait wait_for(const Fd& conn, short events, Clock::time_point last_progress,
              const ServerOptions& opts, const StopSignal& stop,
              Fd* close_on_stop) {
    for (;;) {
        auto deadline = Clock::time_point::max();
        if (opts.idle_timeout().count() > 0) {
            deadline = last_progress + opts.idle_timeout();
        }
        bool stopping = stop.requested();
        if (stopping && close_on_stop != nullptr) {
            close_on_stop->reset();
        }
        if (stopping) {
            deadline = std::min(deadline, stop.requested_at() + opts.grace());
        }
        auto now = Clock::now();
        if (now >= deadline) {
            return stopping && now >= stop.requested_at() + opts.grace()
                       ? Wait::stopped
                       : Wait::idle;
        }
        int timeout_ms = -1;
        if (deadline != Clock::time_point::max()) {
            auto left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
            timeout_ms = static_cast<int>(
                std::min<long long>(left.count(), 24LL * 3600 * 1000));
        }
        // Once a stop is requested its fd stays readable; watching it then
        // would spin, so from then on only the deadline ends the wait.
        std::array<pollfd, 2> fds{
            {{conn.get(), events, 0}, {stop.fd(), POLLIN, 0}}};
        int n = ::poll(fds.data(), stopping ? 1 : 2, timeout_ms);
        if (n < 0 && errno != EINTR) {
            return Wait::failed;
        }
        if (n > 0 && fds[0].revents != 0) {
            return Wait::ready;
        }
    }
}

SessionEnd end_of(Wait wait) {
    return wait == Wait::stopped ? SessionEnd::stopped
           : wait == Wait::idle  ? SessionEnd::idle_timeout
                                 : SessionEnd::reset;
}

bool transient(int err) {
    return err == EINTR || err == EAGAIN || err == EWOULDBLOCK;
}

}  // namespace

std::string describe(const SessionResult& result) {
    switch (result.end) {
        case SessionEnd::client_closed:
            return "client closed";
        case SessionEnd::idle_timeout:
            return "idle timeout";
        case SessionEnd::stopped:
            return "grace period over";
        case SessionEnd::reset:
            return error_text(result.error);
    }
    return "?";
}

SessionResult echo_blocking(const Fd& conn, const ServerOptions& opts,
                            const StopSignal& stop, Fd* close_on_stop) {
    std::array<char, kSessionBufferBytes> buffer;
    SessionResult result;
    auto last_progress = Clock::now();
    for (;;) {
        Wait wait =
            wait_for(conn, POLLIN, last_progress, opts, stop, close_on_stop);
        if (wait != Wait::ready) {
            result.end = end_of(wait);
            return result;
        }
        ssize_t got =
            ::recv(conn.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got == 0) {
            // Half-close: everything received has been written back, so
            // the caller's close sends FIN after the last echoed byte.
            return result;
        }
        if (got < 0) {
            if (transient(errno)) {
                continue;
            }
            result.end = SessionEnd::reset;
            result.error = errno;
            return result;
        }
        last_progress = Clock::now();
        std::size_t sent = 0;
        while (sent < static_cast<std::size_t>(got)) {
            // MSG_NOSIGNAL: a vanished client gives EPIPE here, never a
            // SIGPIPE (which is also ignored process-wide, belt and braces).
            ssize_t n = ::send(conn.get(), buffer.data() + sent,
                               static_cast<std::size_t>(got) - sent,
                               MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
                result.bytes += static_cast<unsigned long long>(n);
                last_progress = Clock::now();
                continue;
            }
            if (n < 0 && !transient(errno)) {
                result.end = SessionEnd::reset;
                result.error = errno;
                return result;
            }
            // The client is not reading: wait (bounded by the idle timeout)
            // instead of buffering more. This is the backpressure.
            wait = wait_for(conn, POLLOUT, last_progress, opts, stop,
                            close_on_stop);
            if (wait != Wait::ready) {
                result.end = end_of(wait);
                return result;
            }
        }
    }
}

void serve_blocking(Fd conn, const SocketAddress& peer,
                    const ServerOptions& opts, const StopSignal& stop,
                    Fd* close_on_stop) {
    if (opts.verbose) {
        log_connect(peer);
    }
    SessionResult result = echo_blocking(conn, opts, stop, close_on_stop);
    if (opts.verbose) {
        log_disconnect(peer, describe(result), result.bytes);
    }
}

}  // namespace echolab
