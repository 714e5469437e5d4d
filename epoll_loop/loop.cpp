#include "epoll_loop/loop.hpp"

#include "core/conn_buffer.hpp"
#include "core/conn_table.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>

#include <sys/epoll.h>

namespace epoll_loop {
namespace {

using namespace echolab;

// Events taken per epoll_wait: enough that a busy loop makes few calls.
constexpr int kMaxEvents = 512;

int set_interest(const Fd& epoll, int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    return ::epoll_ctl(epoll.get(), op, fd, &event) == 0 ? 0 : errno;
}

// The listener and the stop pipe are the loop's own: if epoll refuses
// them, the server cannot run.
void watch(const Fd& epoll, int fd, std::uint32_t events, int op) {
    if (int err = set_interest(epoll, fd, events, op)) {
        throw SetupError(err, "epoll_ctl");
    }
}

// Tells epoll what conn waits for, if that changed (op: ADD if it is new).
// A failed epoll_ctl (ENOSPC past fs.epoll.max_user_watches, ENOMEM) costs
// that connection only. Closing a descriptor takes it out of the set.
void update_interest(const Fd& epoll, ConnTable& table, ConnBuffer& conn,
                     int op) {
    std::uint32_t want = (conn.wants_read() ? EPOLLIN : 0u) |
                         (conn.wants_write() ? EPOLLOUT : 0u);
    if (want == conn.watched()) {
        return;
    }
    if (int err = set_interest(epoll, conn.conn().get(), want, op)) {
        table.remove(conn.conn().get(), "epoll_ctl: " + error_text(err));
        return;
    }
    conn.set_watched(want);
}

void accept_clients(const Fd& listener, ConnTable& table,
                    const StopSignal& stop, const Fd& epoll, Seats& seats,
                    int id) {
    for (int i = 0; i < ConnTable::kAcceptBatch && table.accepting(stop); ++i) {
        if (!seats.take(id)) {
            break;  // the other loops hold every seat
        }
        ConnBuffer* conn =
            table.admit(accept_conn(listener, ConnMode::nonblocking));
        if (conn == nullptr) {
            break;
        }
        update_interest(epoll, table, *conn, EPOLL_CTL_ADD);
    }
}

}  // namespace

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop, Seats& seats, int id) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) {
        throw SetupError(errno, "epoll_create1");
    }
    ConnTable table(opts, loop.buffer);
    watch(epoll, listener.get(), EPOLLIN, EPOLL_CTL_ADD);
    watch(epoll, stop.fd(), EPOLLIN, EPOLL_CTL_ADD);
    seats.watch_wake(epoll, id);
    bool listening = true;
    std::array<epoll_event, kMaxEvents> events;
    while (!table.finished(stop)) {
        // At the limit or after EMFILE, stop hearing of the listener, which
        // level-triggered epoll reports every turn; retried if that fails.
        bool accepting = table.accepting(stop) && seats.available();
        if (listener && listening != accepting &&
            set_interest(epoll, listener.get(), accepting ? EPOLLIN : 0u,
                         EPOLL_CTL_MOD) == 0) {
            listening = accepting;
        }
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents,
                                 static_cast<int>(table.timeout(stop).count()));
        if (ready < 0) {
            table.survive_wait_error(errno, "epoll_wait");
            continue;  // after SIGCONT, serve what is ready before idle checks
        }
        bool clients_waiting = false;
        for (int i = 0; i < ready; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            std::uint32_t what = events[static_cast<std::size_t>(i)].events;
            // EPOLLHUP and EPOLLERR come unasked: the next recv or send
            // reports the error, and the connection ends.
            bool in = (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
            bool out = (what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
            ConnBuffer* conn = table.find(fd);
            if (conn == nullptr) {
                clients_waiting |= in && fd == listener.get();
                continue;  // no client to serve on fd
            }
            conn->on_ready(in, out);
            if (conn->done()) {
                table.remove(fd);
            } else {
                update_interest(epoll, table, *conn, EPOLL_CTL_MOD);
            }
        }
        if (clients_waiting) {
            accept_clients(listener, table, stop, epoll, seats, id);
        }
        if (stop.requested() && listener) {
            listener.reset();  // refuse new clients at once
            // The stop pipe stays readable; level-triggered, it would spin.
            watch(epoll, stop.fd(), 0, EPOLL_CTL_DEL);
        }
        table.close_idle();
        seats.settle(id, table.size());
    }
}

}  // namespace epoll_loop
