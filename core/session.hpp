// core/session.hpp: the blocking echo session shared by iterative,
// fork_per_conn, thread_per_conn, thread_pool and prefork. It serves one
// connection on the calling thread, blocked in recv(2) and send(2); how
// threads or processes are found for it is the variant's business.
//
// How a stop and the idle timeout reach a blocked call, the same in all
// five: a stop (SIGINT/SIGTERM/SIGHUP) interrupts it with EINTR, as the
// handlers have no SA_RESTART; one that lands just before the call blocks
// is caught by SIGALRM, repeated every 100 ms from the stop on
// (StopWake::interrupt in core/signals.hpp). The idle timeout is the
// socket's SO_RCVTIMEO/SO_SNDTIMEO: a recv or send that waited that long
// fails with EAGAIN.
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <array>
#include <string>

namespace echolab {

enum class SessionEnd {
    client_closed,  // the client half-closed and got every byte back
    idle_timeout,   // no progress either way for --idle-timeout
    reset,          // the connection failed (reset, broken pipe, ...)
    stopped,        // the server's grace period ran out
    interrupted,    // not an end: a stop interrupted a blocked call
};

struct SessionResult {
    SessionEnd end = SessionEnd::client_closed;
    unsigned long long bytes = 0;  // bytes echoed
    int error = 0;                 // errno for SessionEnd::reset
};

// "client closed", "idle timeout", "Connection reset by peer", ...
std::string describe(const SessionResult& result);

// One client's echo, read and written back with exactly one recv and one
// send per message while the client keeps up. The idle timeout is the
// socket's own: SO_RCVTIMEO and SO_SNDTIMEO make a call that waited that
// long without progress fail with EAGAIN. A stop reaches the session as
// EINTR (StopWake::interrupt) or, on a thread that blocks the stop
// signals, as shutdown(2) of conn by the thread that owns the shutdown.
class EchoSession {
public:
    // Borrows conn (the caller closes it) and sets its timeouts; logs the
    // connect line under --verbose.
    EchoSession(const Fd& conn, const SocketAddress& peer,
                const ServerOptions& opts);

    // Echoes until the client half-closes, the idle timeout passes, the
    // connection fails, or the grace period after a stop runs out, and
    // returns that end (logged under --verbose). Returns
    // SessionEnd::interrupted when a stop interrupts a blocked call: a
    // single-threaded server does what a stop asks of it (closes its
    // listener), then calls run() again; nothing received is lost.
    SessionEnd run(const StopSignal& stop);

    const SessionResult& result() const noexcept { return result_; }

private:
    // Bytes moved per system call dominate bulk echo throughput, so read
    // as much as a loopback segment carries rather than a small chunk.
    static constexpr std::size_t kBufferBytes = 64 * 1024;

    SessionEnd finish(SessionEnd end, int error = 0);
    bool past_grace(const StopSignal& stop) const;
    bool idle_for_long() const;

    const Fd& conn_;
    SocketAddress peer_;
    bool verbose_;
    std::chrono::milliseconds idle_;
    std::chrono::milliseconds grace_;
    std::chrono::steady_clock::time_point last_progress_;
    SessionResult result_;
    std::size_t sent_ = 0;      // of buffer_[0, received_)
    std::size_t received_ = 0;  // bytes in buffer_ from the last recv
    std::array<char, kBufferBytes> buffer_;
};

// Runs an EchoSession on conn to its end, going on after interruptions;
// for a thread or process that has nothing else to do on a stop.
SessionResult serve_blocking(const Fd& conn, const SocketAddress& peer,
                             const ServerOptions& opts, const StopSignal& stop);

}  // namespace echolab
