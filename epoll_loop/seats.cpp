#include "core/error.hpp"
#include "core/log.hpp"

#include "epoll_loop/loop.hpp"

#include <cerrno>
#include <cstdint>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace epoll_loop {

using namespace echolab;

Seats::Seats(int max_conns, int loops)
    : max_(max_conns), loops_(static_cast<std::size_t>(loops)) {
    if (loops == 1) {
        return;  // one loop frees and re-checks its own seats every turn
    }
    for (Loop& loop : loops_) {
        // Non-blocking: a wake-up must never block the loop that gives
        // seats back.
        loop.wake = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!loop.wake) {
            throw SetupError(errno, "eventfd");
        }
    }
}

bool Seats::take(int id) noexcept {
    int taken = taken_.load();
    while (taken < max_) {
        if (taken_.compare_exchange_weak(taken, taken + 1)) {
            ++loops_[static_cast<std::size_t>(id)].held;
            return true;
        }
    }
    return false;
}

void Seats::settle(int id, int held) noexcept {
    int& mine = loops_[static_cast<std::size_t>(id)].held;
    int freed = mine - held;
    mine = held;
    if (freed <= 0 || taken_.fetch_sub(freed) < max_) {
        return;  // no loop waits for a seat unless all were taken
    }
    std::uint64_t one = 1;
    for (const Loop& loop : loops_) {
        if (loop.wake) {
            // Cannot fail: the counter is never read, and 2^64 - 2
            // wake-ups would take centuries.
            (void)!::write(loop.wake.get(), &one, sizeof one);
        }
    }
}

// Edge-triggered, so the loop never has to read the eventfd: each write
// is reported once (epoll(7); mio's Waker relies on the same), and the
// loop's next turn re-checks the seats. If epoll cannot take it, the loop
// still sees a freed seat at its next tick (timeout() is at most a second),
// so that costs latency, not service.
void Seats::watch_wake(const Fd& epoll, int id) const {
    const Fd& wake = loops_.at(static_cast<std::size_t>(id)).wake;
    if (!wake) {
        return;  // one loop: no other loop frees its seats
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.fd = wake.get();
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0) {
        log_line("epoll_ctl (seat wake-up): " + error_text(errno) +
                 "; freed seats are seen within a second");
    }
}

}  // namespace epoll_loop
