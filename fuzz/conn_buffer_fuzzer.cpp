// fuzz/conn_buffer_fuzzer.cpp: libFuzzer target over ConnBuffer, the
// non-blocking echo state both event loops share. The input is a script
// of what the peer and the kernel do: the client sends or reads bytes,
// half-closes; recv and send return short counts, EAGAIN, EINTR or a
// reset; the loop reports readiness, spurious or not. ConnBuffer calls
// ::recv and ::send on its descriptor, so this file defines both: on the
// fake connection's descriptor they follow the script, on any other they
// make the real system call.
//
// Invariants: what was echoed is, in order, a prefix of what the client
// sent; the buffer never holds more than its capacity; it never reads
// when it said it did not want to, nor after EOF; and without an injected
// reset, a half-closed client gets everything back before done().
#include "core/conn_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

// The kernel and the peer, as far as ConnBuffer can see them.
struct FakeSocket {
    int fd = -1;
    std::string sent_by_client;  // every byte the client sent
    std::size_t read_by_server = 0;
    bool client_shut = false;  // EOF once everything was read
    std::size_t window = 0;    // bytes send() may take before EAGAIN
    std::string echoed;        // every byte send() took
    std::size_t recv_most = 1 << 20;
    std::size_t send_most = 1 << 20;
    int recv_error = 0;            // one-shot errno for the next recv
    int send_error = 0;            // one-shot errno for the next send
    bool reset_delivered = false;  // a fatal error reached ConnBuffer
    bool may_read = true;          // wants_read() before this turn
    bool saw_eof = false;
};

FakeSocket* g_fake = nullptr;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "ConnBuffer invariant violated: %s\n", what);
    std::abort();
}

bool fatal(int err) {
    return err == ECONNRESET || err == EPIPE;
}

// Reads the script one byte at a time; zeros once it runs out.
class Script {
public:
    Script(const std::uint8_t* data, std::size_t size)
        : data_(data), size_(size) {}
    bool more() const { return at_ < size_; }
    std::uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

int pick_error(std::uint8_t b, bool sending) {
    switch (b % 3) {
        case 0:
            return EINTR;
        case 1:
            return EAGAIN;
        default:
            return sending ? EPIPE : ECONNRESET;
    }
}

void check(const echolab::ConnBuffer& conn, const FakeSocket& s) {
    if (conn.pending() > conn.capacity()) {
        violated("more pending than the capacity");
    }
    if (s.sent_by_client.compare(0, s.echoed.size(), s.echoed) != 0) {
        violated("the echo is not a prefix of the input");
    }
    if (s.saw_eof && conn.wants_read()) {
        violated("still wants to read after EOF");
    }
    if (conn.done() && !s.reset_delivered &&
        (!s.saw_eof || s.echoed != s.sent_by_client)) {
        violated("done without an error before echoing everything");
    }
}

void turn(echolab::ConnBuffer& conn, FakeSocket& s, bool in, bool out) {
    s.may_read = conn.wants_read();
    conn.on_ready(in, out);
    check(conn, s);
}

}  // namespace

extern "C" ssize_t recv(int fd, void* buf, std::size_t n, int flags) {
    if (g_fake == nullptr || fd != g_fake->fd) {
        return ::syscall(SYS_recvfrom, fd, buf, n, flags, nullptr, nullptr);
    }
    FakeSocket& s = *g_fake;
    if (!s.may_read || s.saw_eof) {
        violated("recv while not wanting input, or after EOF");
    }
    if (s.recv_error != 0) {
        errno = std::exchange(s.recv_error, 0);
        s.reset_delivered |= fatal(errno);
        return -1;
    }
    std::size_t left = s.sent_by_client.size() - s.read_by_server;
    if (left == 0) {
        if (s.client_shut) {
            s.saw_eof = true;
            return 0;
        }
        errno = EAGAIN;
        return -1;
    }
    std::size_t take = std::min({n, left, s.recv_most});
    s.sent_by_client.copy(static_cast<char*>(buf), take, s.read_by_server);
    s.read_by_server += take;
    return static_cast<ssize_t>(take);
}

extern "C" ssize_t send(int fd, const void* buf, std::size_t n, int flags) {
    if (g_fake == nullptr || fd != g_fake->fd) {
        return ::syscall(SYS_sendto, fd, buf, n, flags, nullptr, 0);
    }
    FakeSocket& s = *g_fake;
    if (s.send_error != 0) {
        errno = std::exchange(s.send_error, 0);
        s.reset_delivered |= fatal(errno);
        return -1;
    }
    std::size_t take = std::min({n, s.window, s.send_most});
    if (take == 0) {
        errno = EAGAIN;
        return -1;
    }
    s.echoed.append(static_cast<const char*>(buf), take);
    s.window -= take;
    return static_cast<ssize_t>(take);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    Script script(data, size);
    FakeSocket s;
    s.fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // closed by the Fd
    g_fake = &s;
    std::uint8_t shape = script.next();
    std::size_t capacity =
        shape & 0x80 ? 1 + script.next() * 16u : 1 + shape % 64u;
    echolab::ConnBuffer conn(echolab::Fd(s.fd), echolab::SocketAddress{},
                             capacity);
    while (script.more() && !conn.done()) {
        std::uint8_t op = script.next();
        std::uint8_t arg = script.next();
        switch (op % 8) {
            case 0:  // the client sends arg + 1 bytes
                if (!s.client_shut) {
                    for (int i = 0; i <= arg; ++i) {
                        auto n = s.sent_by_client.size();
                        s.sent_by_client.push_back(static_cast<char>(n * 131));
                    }
                }
                break;
            case 1:  // the client reads: room for arg + 1 more bytes
                s.window += arg + 1u;
                break;
            case 2:
                s.client_shut = true;
                break;
            case 3:
                s.recv_error = pick_error(arg, false);
                break;
            case 4:
                s.send_error = pick_error(arg, true);
                break;
            case 5:  // short reads and writes from now on
                s.recv_most = 1 + arg % 16u;
                s.send_most = 1 + (arg >> 4);
                break;
            default:  // readiness, spurious or not
                turn(conn, s, arg & 1, arg & 2);
                break;
        }
    }
    // The client half-closes and reads everything: the connection must
    // finish, with every byte echoed unless a reset was delivered.
    s.client_shut = true;
    s.recv_error = s.send_error = 0;
    s.recv_most = s.send_most = s.window = 1 << 20;
    // Each turn reads at most one buffer's worth.
    std::size_t turns = s.sent_by_client.size() - s.read_by_server + 4;
    for (std::size_t i = 0; i < turns && !conn.done(); ++i) {
        turn(conn, s, true, true);
    }
    if (!conn.done()) {
        violated("not done after the client half-closed and read all");
    }
    g_fake = nullptr;
    return 0;
}
