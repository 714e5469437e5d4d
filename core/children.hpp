// core/children.hpp: Children, the process models' mechanism (fork_per_conn
// and prefork): the child processes a server has forked and not yet
// reaped. It reaps them as they exit, and at shutdown passes the stop on
// as SIGTERM, waits out the grace period (plus a second) and SIGKILLs the
// rest, so shutdown stays bounded. The fork, and what a child does, stay
// in the variant: they are the model.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>

#include <sys/types.h>

namespace echolab {

class Children {
public:
    using Clock = std::chrono::steady_clock;

    // A child that exited, and how long after add() it did.
    struct Exit {
        pid_t pid = -1;
        Clock::duration lived{};
    };

    // Records a child forked just now.
    void add(pid_t pid);
    std::size_t size() const noexcept { return started_.size(); }

    // Collects every child that has exited, without blocking. Keeps errno,
    // which the caller may still be about to read.
    void reap();

    // Blocks in waitpid(2) until a child exits, and returns it. Returns
    // nothing when a signal interrupted the wait (EINTR) or no child is
    // left (ECHILD); errno says which. A child not added here (one
    // inherited across exec) is reaped and waited past.
    std::optional<Exit> wait_for_one();

    // True at once while fewer than max children live. At max, blocks in
    // wait_for_one and returns false, so the caller looks at its stop
    // request before it accepts again.
    bool wait_for_room(int max);

    // Sends every child SIGTERM (each finishes its client within its own
    // grace period), waits for them until deadline plus a second (their
    // grace periods start when the SIGTERM arrives), then SIGKILLs and
    // reaps the rest. Call after a stop: SIGALRM, every 100 ms from then
    // on (StopWake::interrupt), ends each blocked waitpid in time to look
    // at the deadline.
    void finish_by(Clock::time_point deadline);

private:
    std::map<pid_t, Clock::time_point> started_;
};

}  // namespace echolab
