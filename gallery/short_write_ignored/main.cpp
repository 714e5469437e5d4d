// gallery/short_write_ignored: BROKEN ON PURPOSE. An epoll loop that
// writes each chunk back with one send() and forgets what did not fit.
//
// Bug:      on a non-blocking socket send() takes only what fits in the
//           socket's send buffer and returns that count (or -1, EAGAIN,
//           when nothing fits). This loop ignores the count, so the rest
//           of the chunk is dropped. It needs no per-connection state,
//           which is what makes the bug tempting.
// Symptom:  small messages to a client that reads promptly come back
//           fine; a client that sends much before it reads gets less back
//           than it sent, with no error anywhere.
// Caught:   EchoRobustness.SlowReaderGetsEveryByteBack (tests/gallery/)
// Fixed:    core/conn_buffer.cpp: ConnBuffer keeps the unsent bytes,
//           asks for EPOLLOUT while any are pending, and stops reading
//           while its buffer is full (backpressure).
#include "core/error.hpp"
#include "core/listen.hpp"

#include "gallery/gallery_main.hpp"

#include <array>
#include <cerrno>
#include <map>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace {

using namespace echolab;

constexpr int kMaxEvents = 64;

void watch(const Fd& epoll, int fd) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        throw SetupError(errno, "epoll_ctl");
    }
}

// Returns false when the connection is over.
bool echo_once(const Fd& conn) {
    std::array<char, 64 * 1024> buffer;
    ssize_t got = ::recv(conn.get(), buffer.data(), buffer.size(), 0);
    if (got < 0 && errno == EAGAIN) {
        return true;
    }
    if (got <= 0) {
        return false;
    }
    // The bug: the count send() returns is thrown away.
    (void)::send(conn.get(), buffer.data(), static_cast<std::size_t>(got),
                 MSG_NOSIGNAL);
    return true;
}

void serve(Fd& listener, StopSignal& stop) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    std::map<int, Fd> conns;
    watch(epoll, listener.get());
    watch(epoll, stop.fd());
    std::array<epoll_event, kMaxEvents> events;
    while (!stop.requested()) {
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents, -1);
        for (int i = 0; i < ready; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == listener.get()) {
                Accepted client = accept_conn(listener, ConnMode::nonblocking);
                if (client.result == AcceptResult::accepted) {
                    watch(epoll, client.conn.get());
                    conns[client.conn.get()] = std::move(client.conn);
                }
            } else if (conns.count(fd) != 0 && !echo_once(conns[fd])) {
                conns.erase(fd);
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "short_write_ignored: drops what send() did not take", 1000,
        [](Fd& listener, const ServerOptions&, StopSignal& stop) {
            serve(listener, stop);
        });
}
