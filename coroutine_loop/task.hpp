// coroutine_loop/task.hpp: the machinery that lets one connection's echo
// be written as straight-line code on a single-threaded epoll loop. A
// Session is a coroutine the loop owns; read_some and write_some are what
// it co_awaits. Awaiting one tells epoll what the connection waits for and
// parks the coroutine's handle in its Conn; when epoll_wait reports the
// socket, the loop resumes that handle. No threads, no queue of runnable
// tasks, no allocation per message: the frame is made once per client.
#pragma once

#include "coroutine_loop/conn.hpp"

#include <coroutine>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace echolab::coro {

// Here co_await becomes an epoll registration: the interest is changed
// only when it differs (level-triggered, it stays armed between messages),
// then the handle waits in conn.parked for the loop. Returns false, so the
// coroutine goes on at once, when epoll_ctl fails: that ends this
// connection only (ENOSPC past fs.epoll.max_user_watches, ENOMEM).
bool park(Conn& conn, std::coroutine_handle<> handle,
          std::uint32_t events) noexcept;

// co_await read_some(conn, buffer): parks until epoll reports the socket
// readable, then reads once. It never tries first: in an echo the next
// request has almost never arrived when the reply is out, so a recv that
// fails with EAGAIN would be one wasted system call per message.
struct ReadSome {
    Conn& conn;
    Buffer& buffer;

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle) noexcept {
        return park(conn, handle, EPOLLIN);
    }
    IoResult await_resume();
};

// co_await write_some(conn, bytes): sends at once, and only when the kernel
// takes nothing (EAGAIN) parks until the socket is writable. Meanwhile the
// socket is watched for output only: a client that does not read is not
// read from either (backpressure, through TCP flow control).
struct WriteSome {
    Conn& conn;
    std::span<const char> bytes;
    IoResult result{};

    bool await_ready() {
        send_now();
        return !result.transient();
    }
    bool await_suspend(std::coroutine_handle<> handle) noexcept {
        return park(conn, handle, EPOLLOUT);
    }
    IoResult await_resume() {
        if (conn.error != 0) {
            return {0, conn.error};
        }
        if (result.transient()) {
            send_now();
        }
        return result;
    }
    void send_now();
};

inline ReadSome read_some(Conn& conn, Buffer& buffer) {
    return {conn, buffer};
}
inline WriteSome write_some(Conn& conn, std::span<const char> bytes) {
    return {conn, bytes};
}

// The coroutine type of a connection's body. Its frame lives from the call
// until ~Session, which destroys it exactly once, whether the body ran to
// its end or is still parked (idle timeout, grace over, server exit).
class Session {
public:
    struct promise_type {
        std::string failure;  // what() of an exception that ended the body

        Session get_return_object() noexcept {
            return Session(Handle::from_promise(*this));
        }
        // Lazy start: the body runs only when the loop first resumes it,
        // so the loop is the one place that ever calls resume().
        std::suspend_always initial_suspend() noexcept { return {}; }
        // Stay suspended at the end: the frame is freed by ~Session, never
        // by running off the end while the loop still holds the handle.
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept;
    };
    using Handle = std::coroutine_handle<promise_type>;

    Session() = default;
    Session(Session&& other) noexcept
        : handle_(std::exchange(other.handle_, {})) {}
    Session& operator=(Session&& other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    ~Session() {
        if (handle_) {
            handle_.destroy();
        }
    }

    std::coroutine_handle<> handle() const noexcept { return handle_; }
    bool done() const noexcept { return handle_.done(); }
    const std::string& failure() const { return handle_.promise().failure; }

private:
    explicit Session(Handle handle) : handle_(handle) {}
    Handle handle_;
};

}  // namespace echolab::coro
