// epoll_loop/loop.hpp: epoll_loop's loop, run on its one thread by
// epoll_loop and on each of its threads by epoll_reactors. Seats is the one
// piece that exists because loops can be several: the --max-conns they
// share.
#pragma once

#include "core/conn_buffer.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <atomic>
#include <cstddef>
#include <vector>

namespace epoll_loop {

struct LoopOptions {
    std::size_t buffer = echolab::ConnBuffer::kDefaultCapacity;
};

// The --max-conns connections that all loops together may hold. A loop
// takes a seat before each accept and gives seats back as connections end.
// A loop that finds none stops watching its listener; its wake descriptor
// (an eventfd, one per loop when there are several) turns readable when
// a seat frees up, so no loop has to poll for one. Thread-safe.
class Seats {
public:
    // Throws SetupError if an eventfd cannot be made.
    Seats(int max_conns, int loops);

    bool available() const noexcept { return taken_.load() < max_; }
    // Takes one seat if one is free.
    bool take() noexcept;
    // Returns count seats; if all were taken, wakes every loop.
    void give_back(int count) noexcept;
    // Loop number id's wake descriptor (empty when there is one loop):
    // watch it, and clear it with clear_wake when it is readable.
    const echolab::Fd& wake_fd(int id) const;
    static void clear_wake(const echolab::Fd& wake) noexcept;

private:
    const int max_;
    std::atomic<int> taken_{0};
    std::vector<echolab::Fd> wake_;
};

// Serves clients from listener until a stop is requested and the grace
// period ends, as loop number id of seats. Blocks in epoll_wait; closes
// the listener at the stop. Throws SetupError if epoll itself fails; an
// error on one connection closes that connection only.
void serve(echolab::Fd& listener, const echolab::ServerOptions& opts,
           const LoopOptions& loop, echolab::StopSignal& stop, Seats& seats,
           int id);

}  // namespace epoll_loop
