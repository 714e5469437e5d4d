#include "coroutine_loop/task.hpp"

#include <exception>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace echolab::coro {

bool park(Conn& conn, std::coroutine_handle<> handle,
          std::uint32_t events) noexcept {
    if (conn.interest != events) {
        int fd = conn.sock.get();
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        if (::epoll_ctl(conn.epoll, EPOLL_CTL_MOD, fd, &event) != 0) {
            conn.failed(errno, "epoll_ctl");
            return false;
        }
        conn.interest = events;
    }
    conn.parked = handle;
    return true;
}

IoResult ReadSome::await_resume() {
    if (conn.error != 0) {
        return {0, conn.error};  // park() failed; conn.why names the call
    }
    std::span<char> into = buffer.get();
    ssize_t n = ::recv(conn.sock.get(), into.data(), into.size(), 0);
    if (n > 0) {
        conn.progress = conn.now;
        return {static_cast<std::size_t>(n), 0};
    }
    if (n == 0) {
        return {};  // half-close: everything read has been written back
    }
    int err = errno;
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR
               ? IoResult{0, err}
               : conn.failed(err);
}

void WriteSome::send_now() {
    ssize_t n;
    do {
        // MSG_NOSIGNAL: a client that reset gives EPIPE, not a SIGPIPE.
        n = ::send(conn.sock.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        conn.progress = conn.now;
        conn.echoed += static_cast<unsigned long long>(n);
        result = {static_cast<std::size_t>(n), 0};
        return;
    }
    int err = errno;
    result = err == EAGAIN || err == EWOULDBLOCK ? IoResult{0, err}
                                                 : conn.failed(err);
}

void Session::promise_type::unhandled_exception() noexcept {
    try {
        throw;
    } catch (const std::exception& error) {
        failure = error.what();
    } catch (...) {
        failure = "unknown exception";
    }
}

}  // namespace echolab::coro
