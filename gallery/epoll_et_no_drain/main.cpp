// gallery/epoll_et_no_drain: BROKEN ON PURPOSE. Edge-triggered epoll with
// one read per event, as if it were level-triggered.
//
// Bug:      EPOLLET reports a socket when new bytes *arrive*, not while
//           bytes are *there*. A handler that reads once and goes back to
//           epoll_wait leaves the rest in the socket, and no new event
//           comes for it until the client sends again. Edge-triggered
//           code must read (and accept) until EAGAIN.
// Symptom:  short messages work; a message longer than one read (here
//           the 4 KiB buffer) comes back cut at 4 KiB, and the rest only
//           when the client sends something else. Request-response
//           clients hang.
// Caught:   EchoConformance.MessagesRoundTripPromptly (its 64 KiB round)
// Fixed:    epoll_loop/main.cpp stays level-triggered on purpose (see its
//           header); the edge-triggered fix is a read loop until EAGAIN.
#include "core/conn_buffer.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"

#include "gallery/gallery_main.hpp"

#include <array>
#include <cerrno>
#include <map>
#include <memory>

#include <sys/epoll.h>

namespace {

using namespace echolab;

constexpr int kMaxEvents = 64;
constexpr std::size_t kBuffer = 4096;

void watch(const Fd& epoll, int fd, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        throw SetupError(errno, "epoll_ctl");
    }
}

void serve(Fd& listener, StopSignal& stop) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    std::map<int, std::unique_ptr<ConnBuffer>> conns;
    watch(epoll, listener.get(), EPOLLIN);
    watch(epoll, stop.fd(), EPOLLIN);
    std::array<epoll_event, kMaxEvents> events;
    while (!stop.requested()) {
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents, -1);
        for (int i = 0; i < ready; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == listener.get()) {
                Accepted client = accept_conn(listener, ConnMode::nonblocking);
                if (client.result != AcceptResult::accepted) {
                    continue;
                }
                int conn_fd = client.conn.get();
                watch(epoll, conn_fd, EPOLLIN | EPOLLOUT | EPOLLET);
                conns[conn_fd] = std::make_unique<ConnBuffer>(
                    std::move(client.conn), client.peer, kBuffer);
            } else if (auto it = conns.find(fd); it != conns.end()) {
                // One read per edge: ConnBuffer reads once, as it should
                // under level-triggered readiness.
                it->second->on_ready(true, true);
                if (it->second->done()) {
                    conns.erase(it);
                }
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "epoll_et_no_drain: edge-triggered, one read (broken)",
        1000, [](Fd& listener, const ServerOptions&, StopSignal& stop) {
            serve(listener, stop);
        });
}
