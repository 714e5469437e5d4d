// gallery/select_blocking_accept: BROKEN ON PURPOSE. A select loop with a
// blocking listening socket, which accepts until the queue is empty.
//
// Bug:      select() saying the listener is readable means a connection
//           was queued when select looked. accept() on a *blocking*
//           listener waits if the queue is empty by the time it runs:
//           because this loop takes a batch of clients per turn (the
//           second accept finds the queue empty), or because the client
//           reset first and the kernel dropped it (UNP 16.6; BSD does,
//           Linux hands the dead connection to accept), or because
//           another process took it. The whole loop then sleeps in
//           accept() until some new client connects.
// Symptom:  the first client connects and nothing comes back; the
//           server answers only when a second client arrives, then hangs
//           on that one the same way.
// Caught:   EchoConformance.EchoesBytesBack
// Fixed:    core/listen.cpp: listen_tcp() makes the listener
//           non-blocking, so accept_clients() in select_loop/main.cpp
//           stops at EAGAIN.
#include "core/conn_buffer.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"

#include "gallery/gallery_main.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include <sys/select.h>

namespace {

using namespace echolab;

constexpr int kAcceptBatch = 64;
constexpr int kMaxConns = 900;

using Conns = std::map<int, std::unique_ptr<ConnBuffer>>;

void accept_clients(const Fd& listener, Conns& conns) {
    for (int i = 0; i < kAcceptBatch && conns.size() < kMaxConns; ++i) {
        Accepted client = accept_conn(listener, ConnMode::nonblocking);
        if (client.result != AcceptResult::accepted) {
            return;  // EAGAIN would stop the batch; it never comes
        }
        int fd = client.conn.get();
        conns[fd] = std::make_unique<ConnBuffer>(
            std::move(client.conn), client.peer, ConnBuffer::kDefaultCapacity);
    }
}

void serve(Fd& listener, StopSignal& stop) {
    // The bug: the listener as socket(2) makes it, blocking. The core
    // makes it non-blocking; a hand-made listener is not.
    if (auto error = set_nonblocking(listener, false)) {
        throw SetupError(error.value(), "fcntl");
    }
    Conns conns;
    while (!stop.requested()) {
        fd_set readable;
        fd_set writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(listener.get(), &readable);
        FD_SET(stop.fd(), &readable);
        int max_fd = std::max(listener.get(), stop.fd());
        for (const auto& [fd, conn] : conns) {
            if (conn->wants_read()) {
                FD_SET(fd, &readable);
            }
            if (conn->wants_write()) {
                FD_SET(fd, &writable);
            }
            max_fd = std::max(max_fd, fd);
        }
        if (::select(max_fd + 1, &readable, &writable, nullptr, nullptr) < 0) {
            continue;
        }
        for (auto it = conns.begin(); it != conns.end();) {
            it->second->on_ready(FD_ISSET(it->first, &readable),
                                 FD_ISSET(it->first, &writable));
            it = it->second->done() ? conns.erase(it) : std::next(it);
        }
        if (FD_ISSET(listener.get(), &readable)) {
            accept_clients(listener, conns);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "select_blocking_accept: blocking listener (broken)",
        kMaxConns, [](Fd& listener, const ServerOptions&, StopSignal& stop) {
            serve(listener, stop);
        });
}
