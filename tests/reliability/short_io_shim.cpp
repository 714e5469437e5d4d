// tests/reliability/short_io_shim.cpp: an LD_PRELOAD library that makes
// socket I/O genuinely short, as a slow or congested network may: each
// send takes 1 to 7 bytes, each recv returns at most 1 byte. strace's
// retval= cannot do this (it skips the call, so the bytes are never sent).
// Only sockets are touched; files, pipes and the terminal pass through.
// ECHOLAB_SHIM_SEED seeds the sizes, so a failure can be replayed.
#include <cstdint>
#include <cstdlib>

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr std::size_t kMaxSend = 7;
constexpr std::size_t kMaxRecv = 1;

template <typename Fn>
Fn next(const char* name) {
    return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

bool is_socket(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

// Each thread draws its own sizes: xorshift, seeded once per thread.
std::size_t short_size(std::size_t n, std::size_t most) {
    thread_local std::uint64_t state = [] {
        const char* seed = std::getenv("ECHOLAB_SHIM_SEED");
        std::uint64_t s =
            seed != nullptr ? std::strtoull(seed, nullptr, 10) : 1;
        auto tid = static_cast<std::uint32_t>(::gettid());
        return (s * 0x9e3779b97f4a7c15ULL) ^ tid;
    }();
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    std::size_t cap = 1 + state % most;
    return n < cap ? n : cap;
}

}  // namespace

extern "C" {

ssize_t send(int fd, const void* buf, std::size_t n, int flags) {
    static auto real =
        next<ssize_t (*)(int, const void*, std::size_t, int)>("send");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxSend) : n, flags);
}

ssize_t sendto(int fd, const void* buf, std::size_t n, int flags,
               const sockaddr* to, socklen_t len) {
    static auto real = next<ssize_t (*)(int, const void*, std::size_t, int,
                                        const sockaddr*, socklen_t)>("sendto");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxSend) : n, flags, to,
                len);
}

ssize_t write(int fd, const void* buf, std::size_t n) {
    static auto real =
        next<ssize_t (*)(int, const void*, std::size_t)>("write");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxSend) : n);
}

ssize_t recv(int fd, void* buf, std::size_t n, int flags) {
    static auto real = next<ssize_t (*)(int, void*, std::size_t, int)>("recv");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxRecv) : n, flags);
}

ssize_t recvfrom(int fd, void* buf, std::size_t n, int flags, sockaddr* from,
                 socklen_t* len) {
    static auto real =
        next<ssize_t (*)(int, void*, std::size_t, int, sockaddr*, socklen_t*)>(
            "recvfrom");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxRecv) : n, flags,
                from, len);
}

ssize_t read(int fd, void* buf, std::size_t n) {
    static auto real = next<ssize_t (*)(int, void*, std::size_t)>("read");
    return real(fd, buf, is_socket(fd) ? short_size(n, kMaxRecv) : n);
}

}  // extern "C"
