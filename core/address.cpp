#include "core/address.hpp"

#include "core/error.hpp"

#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace echolab {
namespace {

// getaddrinfo reports its own codes, not errno values; this category gives
// them gai_strerror() text so SetupError reads like every other failure.
class GaiCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override {
        return ::gai_strerror(code);
    }
};

const GaiCategory kGaiCategory;

SocketAddress named_address(int fd, bool peer, const char* call) {
    SocketAddress addr;
    addr.length = sizeof addr.storage;
    int rc = peer ? ::getpeername(fd, addr.get(), &addr.length)
                  : ::getsockname(fd, addr.get(), &addr.length);
    if (rc != 0) {
        throw SetupError(errno, call);
    }
    return addr;
}

}  // namespace

AddrInfoList resolve(const std::string& host, std::uint16_t port,
                     bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // No AI_ADDRCONFIG: in a network namespace with only loopback it makes
    // glibc refuse even 127.0.0.1 (loopback does not count as configured).
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    std::string service = std::to_string(port);
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                           service.c_str(), &hints, &list);
    if (rc == EAI_SYSTEM) {
        throw SetupError(errno, "getaddrinfo " + host_port(host, port));
    }
    if (rc != 0) {
        throw std::system_error(rc, kGaiCategory,
                                "getaddrinfo " + host_port(host, port));
    }
    return AddrInfoList(list);
}

std::string to_string(const SocketAddress& addr) {
    char text[INET6_ADDRSTRLEN] = "?";
    switch (addr.storage.ss_family) {
        case AF_INET: {
            const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr.get());
            ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
            return std::string(text) + ":" + std::to_string(port_of(addr));
        }
        case AF_INET6: {
            const auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr.get());
            ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
            std::string out = "[";
            out.append(text).append("]:").append(std::to_string(port_of(addr)));
            return out;
        }
        default:
            return "?";
    }
}

std::string host_port(const std::string& host, std::uint16_t port) {
    bool bracket = host.find(':') != std::string::npos;
    std::string out = bracket ? "[" : "";
    out.append(host).append(bracket ? "]:" : ":").append(std::to_string(port));
    return out;
}

SocketAddress local_address(const Fd& sock) {
    return named_address(sock.get(), false, "getsockname");
}

SocketAddress peer_address(const Fd& sock) {
    return named_address(sock.get(), true, "getpeername");
}

std::uint16_t port_of(const SocketAddress& addr) noexcept {
    switch (addr.storage.ss_family) {
        case AF_INET:
            return ntohs(
                reinterpret_cast<const sockaddr_in*>(addr.get())->sin_port);
        case AF_INET6:
            return ntohs(
                reinterpret_cast<const sockaddr_in6*>(addr.get())->sin6_port);
        default:
            return 0;
    }
}

}  // namespace echolab
