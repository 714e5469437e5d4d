#include "core/session.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

#include <cerrno>
#include <chrono>

#include <sys/socket.h>
#include <sys/time.h>

namespace echolab {
namespace {

using Clock = std::chrono::steady_clock;

// Sets SO_RCVTIMEO and SO_SNDTIMEO (socket(7)): a recv or send that waits
// this long without moving a byte fails with EAGAIN. Zero means never.
int set_timeouts(const Fd& conn, std::chrono::milliseconds idle) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(idle);
    timeval limit{};
    limit.tv_sec = static_cast<time_t>(micros.count() / 1'000'000);
    limit.tv_usec = static_cast<suseconds_t>(micros.count() % 1'000'000);
    for (int option : {SO_RCVTIMEO, SO_SNDTIMEO}) {
        if (::setsockopt(conn.get(), SOL_SOCKET, option, &limit,
                         sizeof limit) != 0) {
            return errno;
        }
    }
    return 0;
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
        case SessionEnd::interrupted:
            return "interrupted";
        case SessionEnd::reset:
            return error_text(result.error);
    }
    return "?";
}

EchoSession::EchoSession(const Fd& conn, const SocketAddress& peer,
                         const ServerOptions& opts)
    : conn_(conn),
      peer_(peer),
      verbose_(opts.verbose),
      idle_(opts.idle_timeout()),
      grace_(opts.grace()),
      last_progress_(Clock::now()) {
    if (verbose_) {
        log_connect(peer_);
    }
    if (idle_.count() > 0) {
        result_.error = set_timeouts(conn_, idle_);
    }
}

SessionEnd EchoSession::run(const StopSignal& stop) {
    if (result_.error != 0) {
        return finish(SessionEnd::reset, result_.error);
    }
    for (;;) {
        // A session that starts, or goes on, after the grace period ends
        // at once (a thread pool's queued clients).
        if (past_grace(stop)) {
            return finish(SessionEnd::stopped);
        }
        bool sending = sent_ < received_;
        // MSG_NOSIGNAL: a vanished client gives EPIPE here, never a
        // SIGPIPE (which is also ignored process-wide, belt and braces).
        ssize_t n =
            sending ? ::send(conn_.get(), buffer_.data() + sent_,
                             received_ - sent_, MSG_NOSIGNAL)
                    : ::recv(conn_.get(), buffer_.data(), buffer_.size(), 0);
        int err = errno;
        if (n > 0) {
            // The clock is read from the vDSO: no system call per message.
            last_progress_ = Clock::now();
        }
        if (n > 0 && sending) {
            sent_ += static_cast<std::size_t>(n);
            result_.bytes += static_cast<unsigned long long>(n);
        } else if (n > 0) {
            received_ = static_cast<std::size_t>(n);
            sent_ = 0;
        } else if (n == 0) {
            // Half-close: everything received has been written back, so
            // the caller's close sends FIN after the last echoed byte. After
            // the grace period the 0 is the owner's shutdown(2) instead.
            return finish(past_grace(stop) ? SessionEnd::stopped
                                           : SessionEnd::client_closed);
        } else if ((err == EAGAIN || err == EWOULDBLOCK) && idle_for_long()) {
            // SO_RCVTIMEO/SO_SNDTIMEO: a whole timeout without progress. An
            // EAGAIN that comes sooner is spurious, and retried.
            return finish(SessionEnd::idle_timeout);
        } else if (err == EINTR && stop.requested()) {
            return past_grace(stop) ? finish(SessionEnd::stopped)
                                    : SessionEnd::interrupted;
        } else if (err != EINTR && err != EAGAIN && err != EWOULDBLOCK) {
            // A bare EINTR (after SIGSTOP/SIGCONT, signal(7)) just retries.
            return finish(SessionEnd::reset, err);
        }
    }
}

SessionEnd EchoSession::finish(SessionEnd end, int error) {
    result_.end = end;
    result_.error = error;
    if (verbose_) {
        log_disconnect(peer_, describe(result_), result_.bytes);
    }
    return end;
}

bool EchoSession::past_grace(const StopSignal& stop) const {
    return stop.requested() && Clock::now() >= stop.requested_at() + grace_;
}

// The kernel rounds the socket timeouts to its clock tick, so a real
// timeout may come a little early; a tenth of slack tells it from a
// spurious EAGAIN, which comes at once.
bool EchoSession::idle_for_long() const {
    return idle_.count() > 0 &&
           Clock::now() - last_progress_ >= idle_ - idle_ / 10;
}

SessionResult serve_blocking(const Fd& conn, const SocketAddress& peer,
                             const ServerOptions& opts,
                             const StopSignal& stop) {
    EchoSession session(conn, peer, opts);
    while (session.run(stop) == SessionEnd::interrupted) {
    }
    return session.result();
}

}  // namespace echolab
