// core/listen.hpp: the listening socket, accept with errno triage, and the
// client's connect. Setup calls throw SetupError; accept_conn never throws.
// Mechanism layer; AcceptBackoff is the one shared answer to a failed
// accept, which each variant calls where its loop shows it.
#pragma once

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/fd.hpp"
#include "core/log.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

namespace echolab {

// Binds and listens on the first usable address for host:port (port 0 asks
// the kernel for one). The listener is non-blocking, so an accept after a
// stale readiness report returns EAGAIN instead of hanging the loop. For
// "::" it is dual-stack and also serves IPv4 clients. Throws SetupError,
// e.g. "bind 127.0.0.1:7007: Address already in use".
[[nodiscard]] Fd listen_tcp(const std::string& host, std::uint16_t port,
                            int backlog);

// Like listen_tcp, with SO_REUSEPORT set before bind: any number of such
// sockets of the same user may listen on one address, and the kernel
// spreads new connections over them. Throws SetupError naming
// "setsockopt(SO_REUSEPORT)" on a kernel without it.
[[nodiscard]] Fd listen_tcp_reuseport(const std::string& host,
                                      std::uint16_t port, int backlog);

// Connects to the first address of host:port that answers; blocks until the
// handshake is done. The socket is blocking. Throws SetupError.
[[nodiscard]] Fd connect_tcp(const std::string& host, std::uint16_t port);

enum class ConnMode { blocking, nonblocking };

// The outcome of one accept: a connection and its peer, or what the failure
// means (see AcceptResult) with the saved errno.
struct Accepted {
    AcceptResult result = AcceptResult::retry;
    Fd conn;
    SocketAddress peer;
    int error = 0;
};

// Accepts one connection without blocking. The new socket is close-on-exec,
// has TCP_NODELAY set, and is in the given mode.
[[nodiscard]] Accepted accept_conn(const Fd& listener, ConnMode mode);

// The answer every variant gives to a failed accept: retry at once after a
// transient error; after EMFILE and friends, pause accepting (the clients
// wait in the backlog) instead of spinning on an accept that fails at once,
// and log that at most once a second; throw for a broken listener.
class AcceptBackoff {
public:
    // How long to stop accepting after this failure (zero: retry now).
    // Throws SetupError for AcceptResult::fatal.
    std::chrono::milliseconds after(const Accepted& failure);

private:
    RateLimit log_{std::chrono::seconds(1)};
};

// Turns O_NONBLOCK on or off.
[[nodiscard]] std::error_code set_nonblocking(const Fd& sock, bool on);

}  // namespace echolab
