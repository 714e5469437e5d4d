// epoll_loop/loop.hpp: epoll_loop's loop, run on its one thread by
// epoll_loop and on each of its threads by epoll_reactors. Seats is the one
// piece that exists because loops can be several: the --max-conns they
// share (epoll_loop/seats.cpp).
#pragma once

#include "core/conn_table.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <atomic>
#include <vector>

namespace epoll_loop {

// The --max-conns connections that all loops together may hold. A loop
// takes a seat before each accept and settles once a turn, giving back the
// seats of connections that ended. A loop that finds none stops watching
// its listener; its wake descriptor (an eventfd, one per loop when there
// are several) turns readable when a seat frees up, so no loop has to poll
// for one. Thread-safe; loop number id calls the methods that take an id.
class Seats {
public:
    // Throws SetupError if an eventfd cannot be made.
    Seats(int max_conns, int loops);

    bool available() const noexcept { return taken_.load() < max_; }
    // Takes one seat for loop id if one is free.
    bool take(int id) noexcept;
    // Loop id now holds `held` connections: gives back the seats it took
    // beyond those; if all were taken, wakes every loop.
    void settle(int id, int held) noexcept;
    // Adds loop id's wake descriptor, if it has one, to its epoll set.
    void watch_wake(const echolab::Fd& epoll, int id) const;

private:
    // One loop's part, on a cache line of its own: only that loop writes it.
    struct alignas(64) Loop {
        echolab::Fd wake;
        int held = 0;
    };

    const int max_;
    std::atomic<int> taken_{0};
    std::vector<Loop> loops_;
};

// Serves clients from listener until a stop is requested and the grace
// period ends, as loop number id of seats. Blocks in epoll_wait; closes
// the listener at the stop. Throws SetupError if epoll itself fails; an
// error on one connection closes that connection only.
void serve(echolab::Fd& listener, const echolab::ServerOptions& opts,
           const echolab::LoopOptions& loop, echolab::StopSignal& stop,
           Seats& seats, int id);

}  // namespace epoll_loop
