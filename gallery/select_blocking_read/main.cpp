// gallery/select_blocking_read: BROKEN ON PURPOSE. A select loop whose
// sockets block, and which reads a ready socket until it runs dry.
//
// Bug:      select() says a socket has *some* bytes; it does not say how
//           many. Reading "until there is no more" is right on a
//           non-blocking socket (the last read says EAGAIN), but on a
//           blocking one the last read waits for the client's next bytes,
//           and the one thread that serves everybody waits with it.
//           CS:APP's echoservers.c has the same trap in another guise:
//           Rio_readlineb blocks until a whole line has come.
// Symptom:  the first client is served; while it stays connected and
//           quiet, nobody else gets a byte back, because the loop never
//           returns to select(). It looks like an iterative server.
// Caught:   EchoConformance.SilentClientDoesNotBlockOthers
// Fixed:    select_loop/main.cpp: accept_conn(..., ConnMode::nonblocking)
//           and ConnBuffer::on_ready(), one read per readiness report.
#include "core/error.hpp"
#include "core/listen.hpp"

#include "gallery/gallery_main.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>

#include <sys/select.h>
#include <sys/socket.h>

namespace {

using namespace echolab;

bool write_all(const Fd& conn, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::send(conn.get(), data, size, MSG_NOSIGNAL);
        if (n < 0) {
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Echoes until the socket is dry; returns false when the connection is
// over. Written for EAGAIN, which a blocking socket never returns.
bool echo_available(const Fd& conn) {
    std::array<char, 64 * 1024> buffer;
    for (;;) {
        ssize_t got = ::recv(conn.get(), buffer.data(), buffer.size(), 0);
        if (got < 0 && errno == EAGAIN) {
            return true;
        }
        if (got <= 0 ||
            !write_all(conn, buffer.data(), static_cast<std::size_t>(got))) {
            return false;
        }
    }
}

void serve(Fd& listener, StopSignal& stop) {
    std::map<int, Fd> conns;
    while (!stop.requested()) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(listener.get(), &readable);
        FD_SET(stop.fd(), &readable);
        int max_fd = std::max(listener.get(), stop.fd());
        for (const auto& [fd, conn] : conns) {
            FD_SET(fd, &readable);
            max_fd = std::max(max_fd, fd);
        }
        if (::select(max_fd + 1, &readable, nullptr, nullptr, nullptr) < 0) {
            continue;
        }
        for (auto it = conns.begin(); it != conns.end();) {
            bool over =
                FD_ISSET(it->first, &readable) && !echo_available(it->second);
            it = over ? conns.erase(it) : std::next(it);
        }
        if (FD_ISSET(listener.get(), &readable) && conns.size() < 900) {
            Accepted client = accept_conn(listener, ConnMode::blocking);
            if (client.result == AcceptResult::accepted) {
                conns[client.conn.get()] = std::move(client.conn);
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "select_blocking_read: blocking reads in select (broken)",
        900, [](Fd& listener, const ServerOptions&, StopSignal& stop) {
            serve(listener, stop);
        });
}
