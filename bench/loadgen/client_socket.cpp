#include "bench/loadgen/client_socket.hpp"

#include <cerrno>
#include <cstdint>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace echolab::loadgen {
namespace {

int set_option(int fd, int level, int name, int value) noexcept {
    return ::setsockopt(fd, level, name, &value, sizeof value);
}

bool is_ipv4_loopback(const SocketAddress& addr) noexcept {
    if (addr.storage.ss_family != AF_INET) {
        return false;
    }
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr.get());
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
}

// 127.0.1.1, 127.0.1.2, ... skipping .0 and .255 in the last byte, which
// read like network and broadcast addresses to a human.
SocketAddress loopback_source(std::size_t i) noexcept {
    SocketAddress addr;
    auto* v4 = reinterpret_cast<sockaddr_in*>(addr.get());
    v4->sin_family = AF_INET;
    v4->sin_port = 0;
    std::uint32_t host = (127u << 24) |
                         static_cast<std::uint32_t>((1 + i / 254) << 8) |
                         static_cast<std::uint32_t>(1 + i % 254);
    v4->sin_addr.s_addr = htonl(host);
    addr.length = sizeof(sockaddr_in);
    return addr;
}

}  // namespace

std::error_code set_nodelay(const Fd& sock) noexcept {
    if (set_option(sock.get(), IPPROTO_TCP, TCP_NODELAY, 1) != 0) {
        return {errno, std::generic_category()};
    }
    return {};
}

SourceAddresses::SourceAddresses(const SocketAddress& target, bool spread,
                                 std::size_t first) {
    if (!spread || !is_ipv4_loopback(target)) {
        return;
    }
    addresses_.reserve(kCount);
    for (std::size_t i = 0; i < kCount; ++i) {
        addresses_.push_back(loopback_source(i));
    }
    next_ = first % kCount;
}

const SocketAddress* SourceAddresses::next() noexcept {
    if (addresses_.empty()) {
        return nullptr;
    }
    const SocketAddress* addr = &addresses_[next_];
    next_ = (next_ + 1) % addresses_.size();
    return addr;
}

ConnectStart start_connect(const SocketAddress& target,
                           const SocketAddress* source) noexcept {
    ConnectStart out;
    out.sock = Fd(::socket(target.storage.ss_family,
                           SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!out.sock) {
        out.failed_call = "socket";
    } else if (set_nodelay(out.sock)) {
        out.failed_call = "setsockopt(TCP_NODELAY)";
    } else if (source != nullptr &&
               // Without IP_BIND_ADDRESS_NO_PORT, bind() would choose the
               // port alone and need it free for every target; deferred to
               // connect(), only the full four-tuple must be unique.
               set_option(out.sock.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
                          1) != 0) {
        out.failed_call = "setsockopt(IP_BIND_ADDRESS_NO_PORT)";
    } else if (source != nullptr &&
               ::bind(out.sock.get(), source->get(), source->length) != 0) {
        out.failed_call = "bind";
    } else if (::connect(out.sock.get(), target.get(), target.length) != 0 &&
               errno != EINPROGRESS) {
        out.failed_call = "connect";
    }
    if (out.failed_call != nullptr) {
        out.error = errno;
        out.sock.reset();
    }
    return out;
}

int connect_error(const Fd& sock) noexcept {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        return errno;
    }
    return err;
}

}  // namespace echolab::loadgen
