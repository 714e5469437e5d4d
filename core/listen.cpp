#include "core/listen.hpp"

#include <cerrno>
#include <functional>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace echolab {
namespace {

// Walks the getaddrinfo results and returns the first socket for which
// `use` succeeds. `use` returns the name of the failing call, or nullptr.
// On total failure it throws the last error, naming that call and the
// address that was tried.
Fd first_that_works(
    const std::string& host, std::uint16_t port, bool passive,
    const std::function<const char*(const Fd&, const addrinfo&)>& use) {
    AddrInfoList list = resolve(host, port, passive);
    int last_error = EADDRNOTAVAIL;
    std::string last_call = "socket";
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        // SOCK_CLOEXEC: a forked child that execs must not inherit it.
        Fd sock(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                         ai->ai_protocol));
        const char* failed = sock ? use(sock, *ai) : "socket";
        if (failed == nullptr) {
            return sock;
        }
        last_error = errno;
        last_call = failed;
    }
    throw SetupError(last_error, last_call + " " + host_port(host, port));
}

int set_int_option(const Fd& sock, int level, int name, int value) {
    return ::setsockopt(sock.get(), level, name, &value, sizeof value);
}

// reuse_port is for servers with one listener per thread (epoll_reactors).
Fd listen_on(const std::string& host, std::uint16_t port, int backlog,
             bool reuse_port) {
    return first_that_works(
        host, port, true,
        [backlog, reuse_port](const Fd& sock, const addrinfo& ai) {
            // SO_REUSEADDR lets a restarted server bind while connections
            // of its previous run linger in TIME_WAIT; a live listener on
            // the port still makes bind fail.
            if (set_int_option(sock, SOL_SOCKET, SO_REUSEADDR, 1) != 0) {
                return "setsockopt(SO_REUSEADDR)";
            }
            if (reuse_port &&
                set_int_option(sock, SOL_SOCKET, SO_REUSEPORT, 1) != 0) {
                return "setsockopt(SO_REUSEPORT)";
            }
            // Dual-stack on purpose: "::" must also serve IPv4 clients,
            // whatever net.ipv6.bindv6only says on this machine.
            if (ai.ai_family == AF_INET6 &&
                set_int_option(sock, IPPROTO_IPV6, IPV6_V6ONLY, 0) != 0) {
                return "setsockopt(IPV6_V6ONLY)";
            }
            if (::bind(sock.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
                return "bind";
            }
            if (::listen(sock.get(), backlog) != 0) {
                return "listen";
            }
            if (set_nonblocking(sock, true)) {
                return "fcntl(O_NONBLOCK)";
            }
            return static_cast<const char*>(nullptr);
        });
}

}  // namespace

Fd listen_tcp(const std::string& host, std::uint16_t port, int backlog) {
    return listen_on(host, port, backlog, false);
}

Fd listen_tcp_reuseport(const std::string& host, std::uint16_t port,
                        int backlog) {
    return listen_on(host, port, backlog, true);
}

Fd connect_tcp(const std::string& host, std::uint16_t port) {
    return first_that_works(
        host, port, false, [](const Fd& sock, const addrinfo& ai) {
            int rc;
            do {
                rc = ::connect(sock.get(), ai.ai_addr, ai.ai_addrlen);
            } while (rc != 0 && errno == EINTR);
            return rc == 0 ? nullptr : "connect";
        });
}

Accepted accept_conn(const Fd& listener, ConnMode mode) {
    Accepted out;
    out.peer.length = sizeof out.peer.storage;
    int flags =
        SOCK_CLOEXEC | (mode == ConnMode::nonblocking ? SOCK_NONBLOCK : 0);
    out.conn =
        Fd(::accept4(listener.get(), out.peer.get(), &out.peer.length, flags));
    if (!out.conn) {
        out.error = errno;
        out.result = classify_accept_error(out.error);
        return out;
    }
    // An echo must leave at once: without TCP_NODELAY the second segment of
    // a reply waits for the ACK of the first, which the client delays by up
    // to 40 ms (Nagle meets delayed ACK). Failure only costs speed.
    (void)set_int_option(out.conn, IPPROTO_TCP, TCP_NODELAY, 1);
    out.result = AcceptResult::accepted;
    return out;
}

std::chrono::milliseconds AcceptBackoff::after(const Accepted& failure) {
    // Long enough not to spin, short enough that the backlog is served soon
    // after descriptors free up.
    constexpr std::chrono::milliseconds kPause{100};
    switch (failure.result) {
        case AcceptResult::accepted:
        case AcceptResult::retry:
            return std::chrono::milliseconds::zero();
        case AcceptResult::out_of_resources:
            if (log_.allow()) {
                log_line("accept: " + error_text(failure.error) +
                         "; pausing accepts");
            }
            return kPause;
        case AcceptResult::fatal:
            break;
    }
    throw SetupError(failure.error, "accept");
}

std::error_code set_nonblocking(const Fd& sock, bool on) {
    int flags = ::fcntl(sock.get(), F_GETFL);
    if (flags < 0) {
        return {errno, std::generic_category()};
    }
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (::fcntl(sock.get(), F_SETFL, flags) != 0) {
        return {errno, std::generic_category()};
    }
    return {};
}

}  // namespace echolab
