// coroutine_loop/conn.hpp: what the loop and the awaiters of task.hpp
// share about one connection: its socket, what epoll watches for it, the
// coroutine parked on it, and its buffer. Plain data; no waiting here.
#pragma once

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/fd.hpp"

#include <cerrno>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include <sys/epoll.h>

namespace echolab::coro {

using Clock = std::chrono::steady_clock;

// What one co_await of a read or a write gives back: the bytes moved, or
// the errno. No bytes and no error from a read: the client half-closed.
struct IoResult {
    std::size_t bytes = 0;
    int error = 0;
    // Nothing moved this time (a spurious wake-up or a signal); try again.
    bool transient() const noexcept {
        return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
    }
};

// One connection as the loop and the awaiters see it. The loop owns it and
// destroys the coroutine before the socket (members die in reverse order).
struct Conn {
    Conn(Fd conn, const SocketAddress& from, int epoll_fd,
         const Clock::time_point& clock)
        : sock(std::move(conn)), peer(from), epoll(epoll_fd), now(clock) {}

    Fd sock;
    SocketAddress peer;
    int epoll;                         // the loop's epoll instance
    const Clock::time_point& now;      // the loop's clock, read once per turn
    std::uint32_t interest = EPOLLIN;  // what epoll watches for sock
    std::coroutine_handle<> parked;    // the coroutine waiting on sock
    Clock::time_point progress = now;  // when a byte last moved
    unsigned long long echoed = 0;
    int error = 0;  // once a call failed, every later await returns it
    std::string why = "client closed";  // for the --verbose disconnect line

    // Records a failure (errno err, and the call when it is not the
    // read or write itself): it ends the connection.
    IoResult failed(int err, const char* call = nullptr) {
        error = err;
        why = call == nullptr ? error_text(err)
                              : std::string(call) + ": " + error_text(err);
        return {0, err};
    }
};

// The bytes of one connection, taken when its first bytes arrive, so an
// idle client costs only its coroutine frame.
class Buffer {
public:
    explicit Buffer(std::size_t capacity) : capacity_(capacity) {}
    std::span<char> get() {
        if (!data_) {
            data_ = std::make_unique_for_overwrite<char[]>(capacity_);
        }
        return {data_.get(), capacity_};
    }

private:
    std::size_t capacity_;
    std::unique_ptr<char[]> data_;
};

}  // namespace echolab::coro
