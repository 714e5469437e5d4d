#include "epoll_loop/loop.hpp"

#include "core/conn_table.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace epoll_loop {
namespace {

using namespace echolab;

// Events taken per epoll_wait: enough that a busy loop makes few calls.
constexpr int kMaxEvents = 512;
// Clients accepted per turn at most, so a connection storm cannot starve
// the clients already being served.
constexpr int kAcceptBatch = 64;

// What epoll watches for each connection's descriptor, so epoll_ctl is
// called only when a connection's wants change.
using Interest = std::vector<std::uint32_t>;

std::error_code set_interest(const Fd& epoll, int fd, std::uint32_t events,
                             int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll.get(), op, fd, &event) != 0) {
        return {errno, std::generic_category()};
    }
    return {};
}

// For the descriptors the loop cannot do without (listener, stop pipe) a
// failure is a setup error.
void watch(const Fd& epoll, int fd, std::uint32_t events, int op) {
    if (std::error_code error = set_interest(epoll, fd, events, op)) {
        throw SetupError(error.value(), "epoll_ctl");
    }
}

// The wake descriptor matters only on a full server. If epoll cannot take
// it, the loop still sees a freed seat at its next tick (timeout() is at
// most a second), so that costs latency, not service.
void watch_wake(const Fd& epoll, const Fd& wake) {
    if (!wake) {
        return;  // one loop: no other loop frees its seats
    }
    if (std::error_code error =
            set_interest(epoll, wake.get(), EPOLLIN, EPOLL_CTL_ADD)) {
        log_line("epoll_ctl (seat wake-up): " + error_text(error.value()) +
                 "; freed seats are seen within a second");
    }
}

// A failed epoll_ctl on a connection (ENOSPC once fs.epoll.max_user_watches
// is reached, ENOMEM) costs that connection only.
void drop(ConnTable& table, int fd, std::error_code error) {
    table.remove(fd, "epoll_ctl: " + error_text(error.value()));
}

void update_interest(const Fd& epoll, ConnTable& table, ConnBuffer& conn,
                     Interest& interest) {
    std::uint32_t want = (conn.wants_read() ? EPOLLIN : 0u) |
                         (conn.wants_write() ? EPOLLOUT : 0u);
    int fd = conn.conn().get();
    auto slot = static_cast<std::size_t>(fd);
    if (interest[slot] == want) {
        return;
    }
    if (std::error_code error = set_interest(epoll, fd, want, EPOLL_CTL_MOD)) {
        drop(table, fd, error);
        return;
    }
    interest[slot] = want;
}

// Registers a new connection for input. Its cache entry is written here,
// when its descriptor enters the epoll set, because a connection can leave
// by several doors (done, dropped, closed idle) but enters by this one
// only: a reused descriptor number never inherits an old entry.
void add_interest(const Fd& epoll, ConnTable& table, const ConnBuffer& conn,
                  Interest& interest) {
    int fd = conn.conn().get();
    auto slot = static_cast<std::size_t>(fd);
    if (slot >= interest.size()) {
        interest.resize(slot + 1);
    }
    if (std::error_code error =
            set_interest(epoll, fd, EPOLLIN, EPOLL_CTL_ADD)) {
        drop(table, fd, error);
        return;
    }
    interest[slot] = EPOLLIN;
}

// Accepts up to kAcceptBatch clients, each on a seat taken first. Returns
// how many were admitted (a dropped one is then missing from the table).
int accept_clients(const Fd& listener, ConnTable& table, const StopSignal& stop,
                   Seats& seats, const Fd& epoll, Interest& interest) {
    int admitted = 0;
    for (int i = 0; i < kAcceptBatch && table.accepting(stop); ++i) {
        if (!seats.take()) {
            break;
        }
        ConnBuffer* conn =
            table.admit(accept_conn(listener, ConnMode::nonblocking));
        if (conn == nullptr) {
            seats.give_back(1);
            break;
        }
        ++admitted;
        add_interest(epoll, table, *conn, interest);
    }
    return admitted;
}

void serve_ready(const Fd& epoll, ConnTable& table, ConnBuffer& conn,
                 std::uint32_t what, Interest& interest) {
    // EPOLLHUP and EPOLLERR come unasked; the next read or write then
    // reports the error and the connection ends.
    bool failed = (what & (EPOLLHUP | EPOLLERR)) != 0;
    conn.on_ready(failed || (what & EPOLLIN) != 0,
                  failed || (what & EPOLLOUT) != 0);
    if (conn.done()) {
        table.remove(conn.conn().get());  // close() also leaves the set
    } else {
        update_interest(epoll, table, conn, interest);
    }
}

}  // namespace

Seats::Seats(int max_conns, int loops)
    : max_(max_conns), wake_(static_cast<std::size_t>(loops)) {
    // One loop frees and re-checks its own seats every turn: no wake-up.
    for (int i = 0; i < loops && loops > 1; ++i) {
        // Non-blocking: a wake-up must never block the loop that gives
        // seats back, and one pending wake-up is as good as many.
        Fd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!wake) {
            throw SetupError(errno, "eventfd");
        }
        wake_[static_cast<std::size_t>(i)] = std::move(wake);
    }
}

bool Seats::take() noexcept {
    int taken = taken_.load();
    while (taken < max_) {
        if (taken_.compare_exchange_weak(taken, taken + 1)) {
            return true;
        }
    }
    return false;
}

void Seats::give_back(int count) noexcept {
    if (count <= 0 || taken_.fetch_sub(count) < max_) {
        return;  // no loop waits for a seat unless all were taken
    }
    std::uint64_t one = 1;
    for (const Fd& wake : wake_) {
        if (wake) {
            // Fails only with EAGAIN, when a wake-up is already pending.
            (void)!::write(wake.get(), &one, sizeof one);
        }
    }
}

const Fd& Seats::wake_fd(int id) const {
    return wake_.at(static_cast<std::size_t>(id));
}

void Seats::clear_wake(const Fd& wake) noexcept {
    std::uint64_t count = 0;
    (void)!::read(wake.get(), &count, sizeof count);
}

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop, Seats& seats, int id) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) {
        throw SetupError(errno, "epoll_create1");
    }
    ConnTable table(opts, loop.buffer);
    Interest interest;
    const Fd& wake = seats.wake_fd(id);
    watch(epoll, listener.get(), EPOLLIN, EPOLL_CTL_ADD);
    watch(epoll, stop.fd(), EPOLLIN, EPOLL_CTL_ADD);
    watch_wake(epoll, wake);
    bool listening = true;
    int seated = 0;  // the seats this loop holds: one per connection
    std::array<epoll_event, kMaxEvents> events;
    while (!table.finished(stop)) {
        // At the limit or after EMFILE, stop hearing of the listener;
        // level-triggered, it would otherwise be reported every turn. A
        // failed change is simply tried again next turn.
        bool accepting = table.accepting(stop) && seats.available();
        if (listener && listening != accepting &&
            !set_interest(epoll, listener.get(), accepting ? EPOLLIN : 0u,
                          EPOLL_CTL_MOD)) {
            listening = accepting;
        }
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents,
                                 static_cast<int>(table.timeout(stop).count()));
        if (ready < 0) {
            if (errno != EINTR) {
                throw SetupError(errno, "epoll_wait");
            }
            // SIGCONT or a signal: serve what is ready before any idle check.
            continue;
        }
        bool clients_waiting = false;
        for (int i = 0; i < ready; ++i) {
            const epoll_event& event = events[static_cast<std::size_t>(i)];
            if (ConnBuffer* conn = table.find(event.data.fd)) {
                serve_ready(epoll, table, *conn, event.events, interest);
            } else if (event.data.fd == wake.get()) {
                Seats::clear_wake(wake);  // a seat is free: re-check above
            } else {
                clients_waiting |= event.data.fd == listener.get();
            }
        }
        if (clients_waiting) {
            seated +=
                accept_clients(listener, table, stop, seats, epoll, interest);
        }
        if (stop.requested() && listener) {
            listener.reset();  // refuse new clients at once
            // The stop pipe stays readable; level-triggered, it would spin.
            watch(epoll, stop.fd(), 0, EPOLL_CTL_DEL);
        }
        table.close_idle();
        seats.give_back(seated - table.size());
        seated = table.size();
    }
    listener.reset();  // if the stop came before a turn could close it
}

}  // namespace epoll_loop
