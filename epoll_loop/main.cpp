// epoll_loop: one thread serves every client; epoll(7) says which sockets
// are ready, and each ready socket gets one non-blocking read or write.
//
// Model:    the kernel keeps the interest list; we change it only when a
//           connection starts or stops wanting input or output; epoll_wait
//           returns just the ready sockets. Level-triggered on purpose: one
//           read per readiness cannot strand bytes (edge-triggered would
//           have to read until EAGAIN or never hear of them again), and a
//           socket whose buffer is full is simply not watched for input.
// Costs:    a ConnBuffer per client (--buffer bytes, taken on first read);
//           an epoll_ctl when a connection's wants change. A turn costs
//           O(ready sockets), however many clients are idle.
// Bounds:   --max-conns; a full buffer stops reading that client
//           (backpressure reaches it through TCP flow control).
// Breaks:   one core only; any blocking call or long computation in the
//           loop stalls every client.
// Choose:   many clients, mostly idle or I/O-bound: the model of nginx,
//           redis and every event library on Linux.
// Compare:  select_loop (same ConnBuffer, sets rebuilt every turn);
//           thread_pool (blocking code, bounded threads).
#include "core/conn_buffer.hpp"
#include "core/conn_table.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <vector>

#include <sys/epoll.h>

namespace {

using namespace echolab;

constexpr int kDefaultMaxConns = 10000;
// Events taken per epoll_wait: enough that a busy loop makes few calls.
constexpr int kMaxEvents = 512;
// Clients accepted per turn at most, so a connection storm cannot starve
// the clients already being served.
constexpr int kAcceptBatch = 64;

struct LoopOptions {
    std::size_t buffer = ConnBuffer::kDefaultCapacity;
};

// What epoll watches for each descriptor, so epoll_ctl is called only when
// a connection's wants change.
using Interest = std::vector<std::uint32_t>;

void set_interest(const Fd& epoll, int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll.get(), op, fd, &event) != 0) {
        throw SetupError(errno, "epoll_ctl");
    }
}

void update_interest(const Fd& epoll, const ConnBuffer& conn,
                     Interest& interest) {
    std::uint32_t want = (conn.wants_read() ? EPOLLIN : 0u) |
                         (conn.wants_write() ? EPOLLOUT : 0u);
    auto fd = static_cast<std::size_t>(conn.conn().get());
    if (fd >= interest.size()) {
        interest.resize(fd + 1);
    }
    if (interest[fd] != want) {
        set_interest(epoll, conn.conn().get(), want, EPOLL_CTL_MOD);
        interest[fd] = want;
    }
}

void accept_clients(const Fd& listener, ConnTable& table,
                    const StopSignal& stop, const Fd& epoll,
                    Interest& interest) {
    for (int i = 0; i < kAcceptBatch && table.accepting(stop); ++i) {
        ConnBuffer* conn =
            table.admit(accept_conn(listener, ConnMode::nonblocking));
        if (conn == nullptr) {
            break;
        }
        set_interest(epoll, conn->conn().get(), EPOLLIN, EPOLL_CTL_ADD);
        update_interest(epoll, *conn, interest);
    }
}

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) {
        throw SetupError(errno, "epoll_create1");
    }
    ConnTable table(opts, loop.buffer);
    Interest interest;
    set_interest(epoll, listener.get(), EPOLLIN, EPOLL_CTL_ADD);
    set_interest(epoll, stop.fd(), EPOLLIN, EPOLL_CTL_ADD);
    bool listening = true;
    std::array<epoll_event, kMaxEvents> events;
    while (!table.finished(stop)) {
        if (listener && listening != table.accepting(stop)) {
            // At the limit or after EMFILE, stop hearing of the listener;
            // level-triggered, it would otherwise be reported every turn.
            listening = !listening;
            set_interest(epoll, listener.get(), listening ? EPOLLIN : 0u,
                         EPOLL_CTL_MOD);
        }
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents,
                                 static_cast<int>(table.timeout(stop).count()));
        if (ready < 0 && errno != EINTR) {
            throw SetupError(errno, "epoll_wait");
        }
        bool clients_waiting = false;
        for (int i = 0; i < ready; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            std::uint32_t what = events[static_cast<std::size_t>(i)].events;
            ConnBuffer* conn = table.find(fd);
            if (conn == nullptr) {
                clients_waiting |= fd == listener.get();
                continue;  // the listener or the stop pipe
            }
            // EPOLLHUP and EPOLLERR come unasked; the next read or write
            // then reports the error and the connection ends.
            bool failed = (what & (EPOLLHUP | EPOLLERR)) != 0;
            conn->on_ready(failed || (what & EPOLLIN) != 0,
                           failed || (what & EPOLLOUT) != 0);
            if (conn->done()) {
                table.remove(fd);  // close() also leaves the epoll set
            } else {
                update_interest(epoll, *conn, interest);
            }
        }
        if (clients_waiting) {
            accept_clients(listener, table, stop, epoll, interest);
        }
        if (stop.requested() && listener) {
            listener.reset();  // refuse new clients at once
            // The stop pipe stays readable; level-triggered, it would spin.
            set_interest(epoll, stop.fd(), 0, EPOLL_CTL_DEL);
        }
        table.close_idle();
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"epoll_loop: an echo server on one thread with epoll(7)"};
    add_common_flags(app, opts);
    app.add_option("--buffer", loop.buffer, "Bytes buffered per connection")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, loop, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
