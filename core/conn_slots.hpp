// core/conn_slots.hpp: ConnSlots, the connections a threaded blocking
// server holds (accepted, not yet closed), bounded by --max-conns. The
// accepting thread waits here for room, and at shutdown for the sessions
// to end; once the grace period is over it ends the rest with shutdown(2).
// No threads are started here; the variants own theirs.
#pragma once

#include "core/fd.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <unordered_set>

#include <semaphore.h>

namespace echolab {

class ConnSlots {
public:
    // max_conns slots, all free. Throws SetupError.
    explicit ConnSlots(int max_conns);
    ~ConnSlots();
    ConnSlots(const ConnSlots&) = delete;
    ConnSlots& operator=(const ConnSlots&) = delete;

    // Blocks until a slot is free, without taking it. Returns false when a
    // signal interrupted the wait (EINTR), so the caller can look at its
    // stop request first. A POSIX semaphore, not a condition variable,
    // because sem_wait(3) is the one of the two a signal interrupts.
    bool wait_for_room();

    // Takes a free slot for conn, which another thread will serve. Only
    // the thread that calls wait_for_room() calls this, after it.
    void hold(const Fd& conn);

    // Closes conn and frees its slot; from any thread. The close happens
    // under the lock, so shutdown_rest() can never hit a reused number.
    void release(Fd conn);

    // Waits until no connection is held or the deadline passes, then calls
    // shutdown(SHUT_RDWR) on the connections still held: their blocked
    // recv returns 0 and their send fails, whichever thread waits in them.
    void finish_by(std::chrono::steady_clock::time_point deadline);

private:
    sem_t room_;
    std::mutex mutex_;
    std::condition_variable emptied_;
    std::unordered_set<int> held_;  // descriptor numbers, owned elsewhere
};

}  // namespace echolab
