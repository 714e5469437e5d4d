#include "core/conn_buffer.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>

namespace echolab {

ConnBuffer::ConnBuffer(Fd conn, const SocketAddress& peer, std::size_t capacity)
    : conn_(std::move(conn)), peer_(peer), capacity_(capacity) {}

bool ConnBuffer::wants_read() const noexcept {
    // After EOF the socket stays readable forever; watching it would spin.
    return !input_closed_ && error_ == 0 && end_ - begin_ < capacity_;
}

bool ConnBuffer::done() const noexcept {
    return error_ != 0 || (input_closed_ && begin_ == end_);
}

bool ConnBuffer::waiting_on_server() const noexcept {
    short wanted = static_cast<short>((wants_read() ? POLLIN : 0) |
                                      (wants_write() ? POLLOUT : 0));
    pollfd probe{conn_.get(), wanted, 0};
    return wanted != 0 && ::poll(&probe, 1, 0) == 1 &&
           (probe.revents & wanted) != 0;
}

void ConnBuffer::on_ready(bool readable, bool writable) {
    if (readable && wants_read()) {
        read_once();
    }
    // Writing right after a read saves a trip through the readiness API:
    // the socket is almost always writable.
    if ((writable || readable) && wants_write() && error_ == 0) {
        write_pending();
    }
}

void ConnBuffer::read_once() {
    if (!data_) {
        data_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
    if (end_ == capacity_) {
        // Slide the unwritten bytes to the front; rare, and at most one
        // buffer's worth of copying.
        std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    ssize_t n = ::recv(conn_.get(), data_.get() + end_, capacity_ - end_, 0);
    if (n > 0) {
        end_ += static_cast<std::size_t>(n);
        progress_ = Clock::now();
    } else if (n == 0) {
        input_closed_ = true;  // half-close: finish writing, then close
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        error_ = errno;
    }
}

void ConnBuffer::write_pending() {
    while (begin_ != end_) {
        // MSG_NOSIGNAL: a client that reset gives EPIPE, not a SIGPIPE.
        ssize_t n = ::send(conn_.get(), data_.get() + begin_, end_ - begin_,
                           MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                error_ = errno;
            }
            return;
        }
        begin_ += static_cast<std::size_t>(n);
        echoed_ += static_cast<unsigned long long>(n);
        progress_ = Clock::now();
    }
    begin_ = end_ = 0;
}

std::string ConnBuffer::end_reason() const {
    return error_ != 0 ? error_text(error_) : "client closed";
}

}  // namespace echolab
