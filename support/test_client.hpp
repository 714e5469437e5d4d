// support/test_client.hpp: a raw TCP client for tests, in which
// every operation has a deadline. It sends and receives concurrently, so a
// payload larger than the socket buffers never deadlocks against a
// correct, bounded server (the client's bug, not the server's).
#pragma once

#include "core/fd.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace echolab::support {

using Millis = std::chrono::milliseconds;

// How a read ended.
enum class StreamEnd {
    open,     // got what was asked for; the stream goes on
    eof,      // the peer closed cleanly (FIN)
    reset,    // ECONNRESET: the peer closed with unread data or RST
    timeout,  // the deadline passed first
    error,    // another error; see Received::error
};

std::string to_string(StreamEnd end);

struct Received {
    std::string data;
    StreamEnd end = StreamEnd::open;
    int error = 0;  // errno for StreamEnd::error and reset

    // "eof after 100 bytes", "timeout after 0 bytes", ...
    std::string describe() const;
};

// What a client that sent `sent` and half-closed saw, in the words a
// student can act on ("the echo came back but the connection was never
// closed: ..."); "" when the echo came back whole and then EOF.
std::string half_close_problem(std::string_view sent, const Received& got);

struct Connected {
    Fd sock;        // non-blocking, close-on-exec, TCP_NODELAY; empty on
                    // failure
    int error = 0;  // errno of the failure (ETIMEDOUT for the deadline)
};

// Connects to host:port, a numeric IPv4 or IPv6 address, within timeout.
Connected connect_with_timeout(const std::string& host, std::uint16_t port,
                               Millis timeout);

class TestClient {
public:
    TestClient() = default;
    // Connects at once; check connected(). On loopback a connect succeeds
    // as soon as the kernel queues it, long before the server accepts.
    TestClient(const std::string& host, std::uint16_t port,
               Millis timeout = kConnectTimeout);

    bool connected() const noexcept { return static_cast<bool>(sock_); }
    int connect_error() const noexcept { return connect_error_; }
    const Fd& sock() const noexcept { return sock_; }

    // Sends all of data unless timeout passes or the stream fails; returns
    // the bytes sent.
    std::size_t send(std::string_view data, Millis timeout);
    // Sends at most limit pattern bytes, as fast as the peer takes them,
    // until no byte could be sent for `stall` or `budget` has passed.
    // Never reads. Returns the bytes sent.
    std::size_t send_until_stalled(std::size_t limit, Millis stall,
                                   Millis budget);
    // Receives exactly n bytes unless the stream ends or timeout passes.
    Received receive(std::size_t n, Millis timeout);
    // Reads until EOF, an error or the timeout.
    Received read_to_eof(Millis timeout);
    // Sends payload while reading its echo. With half_close, shuts down
    // the write side after the last byte and reads until EOF; otherwise
    // stops after payload.size() bytes came back.
    Received exchange(std::string_view payload, Millis timeout,
                      bool half_close);
    // exchange() without half-close, returning just the echoed bytes.
    std::string round_trip(std::string_view message, Millis timeout);

    // shutdown(SHUT_WR): the server reads EOF and should echo the rest.
    void half_close();
    // SO_LINGER {1, 0}, then close: the server sees a reset, not a FIN.
    void reset();
    void close() { sock_.reset(); }

    static constexpr Millis kConnectTimeout{2000};

private:
    Fd sock_;
    int connect_error_ = 0;
};

// Reads from all clients at once, until each has `each` bytes or, with
// until_eof, until each stream ends; one Received per client.
std::vector<Received> receive_all(std::vector<TestClient>& clients,
                                  std::size_t each, bool until_eof,
                                  Millis timeout);

// One fresh client sends size bytes, half-closes and reads to EOF.
// Returns "" when the echo was byte-exact and ended with a FIN, otherwise
// what went wrong.
std::string echo_problem(const std::string& host, std::uint16_t port,
                         std::size_t size, Millis timeout);

}  // namespace echolab::support
