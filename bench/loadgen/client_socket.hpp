// bench/loadgen/client_socket.hpp: the client side of a load connection:
// TCP_NODELAY, and connect mode's non-blocking connect from a spread of
// loopback source addresses, which the reliability swarm's clients use
// too. Throughput mode's long-lived connections use core's connect_tcp.
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"

#include <cstddef>
#include <system_error>
#include <vector>

namespace echolab::loadgen {

// A pipelined or just-connected client must not hold small messages back
// for Nagle's algorithm.
[[nodiscard]] std::error_code set_nodelay(const Fd& sock) noexcept;

// The source addresses connect mode binds to. A closed connection holds
// its (source, port, target, port) tuple in TIME_WAIT for 60 s, and one
// source address has only the 28k ports of ip_local_port_range: at 14k
// connections/s that runs out in 2 s (EADDRNOTAVAIL). Every address in
// 127.0.0.0/8 is local, so for an IPv4 loopback target connections are
// spread over kCount of them, which multiplies the tuples by kCount.
class SourceAddresses {
public:
    static constexpr std::size_t kCount = 1024;

    // Empty (the kernel's choice) unless spread is on and target is IPv4
    // loopback. `first` staggers where each thread starts in the list.
    SourceAddresses(const SocketAddress& target, bool spread,
                    std::size_t first);

    // The next address round-robin, or nullptr when the list is empty.
    const SocketAddress* next() noexcept;
    std::size_t size() const noexcept { return addresses_.size(); }

private:
    std::vector<SocketAddress> addresses_;
    std::size_t next_ = 0;
};

// A started non-blocking connect: the socket, or the call that failed and
// its errno.
struct ConnectStart {
    Fd sock;
    const char* failed_call = nullptr;
    int error = 0;
};

// Creates a non-blocking socket with TCP_NODELAY, binds it to `source`
// (if not null) with the port left to connect(), and starts connecting.
// The handshake is done when the socket is writable; connect_error() then
// tells how it went. Never throws, never blocks.
ConnectStart start_connect(const SocketAddress& target,
                           const SocketAddress* source) noexcept;

// The outcome of a finished non-blocking connect: 0 or an errno value.
int connect_error(const Fd& sock) noexcept;

}  // namespace echolab::loadgen
