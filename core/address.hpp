// core/address.hpp: name resolution and printable socket addresses.
// No sockets are created here; listen.hpp does that.
// Mechanism layer: no policy, no connection state.
#pragma once

#include "core/fd.hpp"

#include <cstdint>
#include <memory>
#include <string>

#include <netdb.h>
#include <sys/socket.h>

namespace echolab {

// A socket address of any family, held by value.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    const sockaddr* get() const noexcept {
        return reinterpret_cast<const sockaddr*>(&storage);
    }
    sockaddr* get() noexcept { return reinterpret_cast<sockaddr*>(&storage); }
};

struct AddrInfoDeleter {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// Resolves host and port for TCP with getaddrinfo(3). passive=true asks for
// addresses to bind (AI_PASSIVE). Throws SetupError naming the address.
[[nodiscard]] AddrInfoList resolve(const std::string& host, std::uint16_t port,
                                   bool passive);

// "127.0.0.1:7007" or "[::1]:7007"; "?" for an unknown family.
std::string to_string(const SocketAddress& addr);

// "host:port" as the user typed the host, bracketing IPv6 literals; used in
// error messages before any address is known.
std::string host_port(const std::string& host, std::uint16_t port);

// The address a socket is bound to (getsockname) or connected to
// (getpeername). Throws SetupError if the call fails.
[[nodiscard]] SocketAddress local_address(const Fd& sock);
[[nodiscard]] SocketAddress peer_address(const Fd& sock);

// The port of an IPv4 or IPv6 address, in host byte order.
std::uint16_t port_of(const SocketAddress& addr) noexcept;

}  // namespace echolab
