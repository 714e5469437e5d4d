#include "coroutine_loop/task.hpp"

#include "core/error.hpp"

#include <exception>

namespace echolab::coro {

IoResult Conn::failed(int err, const char* call) {
    error = err;
    why = call == nullptr ? error_text(err)
                          : std::string(call) + ": " + error_text(err);
    return {0, err};
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
