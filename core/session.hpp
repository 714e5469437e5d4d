// core/session.hpp: the blocking echo session shared by iterative,
// fork_per_conn, thread_per_conn and thread_pool. It serves one connection
// to its end on the calling thread; how threads or processes are found for
// it is the variant's business.
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <string_view>

namespace echolab {

enum class SessionEnd {
    client_closed,  // the client half-closed and got every byte back
    idle_timeout,   // no progress either way for --idle-timeout
    reset,          // the connection failed (reset, broken pipe, ...)
    stopped,        // the server's grace period ran out
};

struct SessionResult {
    SessionEnd end = SessionEnd::client_closed;
    unsigned long long bytes = 0;  // bytes echoed
    int error = 0;                 // errno for SessionEnd::reset
};

// "client closed", "idle timeout", "Connection reset by peer", ...
std::string describe(const SessionResult& result);

// Echoes everything conn receives until the client half-closes, then
// returns (the caller closes). Blocks the calling thread; waits in poll(2)
// so that the idle timeout and a stop request can end the wait. After a
// stop request it keeps echoing until the grace period ends, and closes
// close_on_stop (if given) at once: a single-threaded server passes its
// listener, which no other thread could close meanwhile. Never throws.
SessionResult echo_blocking(const Fd& conn, const ServerOptions& opts,
                            const StopSignal& stop,
                            Fd* close_on_stop = nullptr);

// echo_blocking with the --verbose connect/disconnect lines; closes conn.
void serve_blocking(Fd conn, const SocketAddress& peer,
                    const ServerOptions& opts, const StopSignal& stop,
                    Fd* close_on_stop = nullptr);

}  // namespace echolab
