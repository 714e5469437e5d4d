// prefork: --workers processes forked once, at start; each blocks in
// accept on the inherited listener and serves one client at a time, as
// iterative does. The parent only supervises (UNP ch. 30, Apache prefork).
//
// Model:    each worker runs iterative's loop, accept(2) then recv(2) and
//           send(2), on the inherited listener. The parent waits in
//           waitpid(2): it restarts a worker that dies, and passes a stop
//           on as SIGTERM (core/children.hpp). Linux queues the workers
//           blocked in accept on one socket as exclusive waiters and wakes
//           one per connection; kernels UNP measured in 1998 woke them all
//           (the thundering herd; UNP's fix was a lock around accept). It
//           remains for poll/epoll waiters.
//           A stop and --idle-timeout reach a blocked call: core/session.hpp.
// Costs:    --workers forks at start-up instead of one per client (as in
//           fork_per_conn); per client only the socket. Idle workers too.
// Bounds:   at most --workers clients at once (--max-conns defaults to it;
//           a lower one starts fewer workers); the rest wait in the
//           backlog. No worker outlives the parent (PR_SET_PDEATHSIG).
// Breaks:   --workers silent clients hold every worker. A worker that dies
//           young is restarted after 100 ms doubling to 10 s, not in a loop.
// Choose:   isolated or crash-prone handlers, many cores, bounded clients.
// Compare:  fork_per_conn (a fork per client); thread_pool (threads, queue).
#include "core/children.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include <time.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;
using Clock = Children::Clock;

// A process each: more would exhaust the process table before clients.
constexpr int kMaxWorkers = 4096;
// A worker that lived this long did not die of its start-up.
constexpr auto kHealthyLife = 1s;
constexpr auto kFirstRestartDelay = 100ms;
constexpr auto kMaxRestartDelay = 10s;

// A worker's life: iterative's loop on the inherited listener. A stop
// interrupts the session; the worker closes its copy of the listener at
// once (the port closes with the last copy) and finishes its client.
void run_worker(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    AcceptBackoff backoff;
    while (!stop.requested()) {
        // Blocks until a client connects; a stop makes it fail with EINTR.
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            std::this_thread::sleep_for(backoff.after(client));
            continue;
        }
        EchoSession session(client.conn, client.peer, opts);
        while (session.run(stop) == SessionEnd::interrupted) {
            listener.reset();
        }
    }
}

// Forks a worker. The child must not return into the parent's loop: it
// serves and _exits, skipping the parent's exit-time cleanup.
void start_worker(Fd& listener, const ServerOptions& opts, StopSignal& stop,
                  Children& children) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        if (die_with_parent(parent)) {
            run_worker(listener, opts, stop);
        }
        ::_exit(0);
    }
    if (pid < 0) {
        int err = errno;
        log_line("fork: " + error_text(err) + "; worker not started");
        return;
    }
    children.add(pid);
}

// The pause before restarting a worker that died after `lived`: none
// after a healthy life, else twice the last one, from 100 ms to 10 s.
Clock::duration next_delay(Clock::duration last, Clock::duration lived) {
    if (lived >= kHealthyLife) {
        return Clock::duration::zero();
    }
    return std::clamp<Clock::duration>(2 * last, kFirstRestartDelay,
                                       kMaxRestartDelay);
}

// nanosleep(2), not sleep_for, which goes back to sleep after EINTR: a
// stop must end the pause.
void pause_for(Clock::duration delay) {
    auto ns = std::chrono::nanoseconds(delay).count();
    timespec pause{ns / 1'000'000'000, ns % 1'000'000'000};
    ::nanosleep(&pause, nullptr);
}

void serve(Fd& listener, const ServerOptions& opts, int workers,
           StopSignal& stop) {
    Children children;
    Clock::duration delay{};
    while (!stop.requested()) {
        // Each missing worker gets one fork per turn; one that fails is
        // tried again after the next death or pause.
        for (int i = static_cast<int>(children.size());
             i < workers && !stop.requested(); ++i) {
            start_worker(listener, opts, stop, children);
        }
        // Blocks until a worker dies; a stop interrupts it (EINTR).
        if (auto dead = children.wait_for_one()) {
            log_line("worker " + std::to_string(dead->pid) +
                     " died; restarting");
            delay = next_delay(delay, dead->lived);
        } else if (errno == ECHILD) {
            delay = next_delay(delay, {});  // every fork failed
        } else {
            continue;
        }
        pause_for(delay);
    }
    listener.reset();
    // The workers get the stop (SIGTERM) and go on echoing through the
    // grace period; then the ones still alive are killed, and all reaped.
    children.finish_by(stop.requested_at() + opts.grace());
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    int workers = std::max(2, usable_cpus());
    opts.max_conns = workers;
    CLI::App app{"prefork: an echo server with processes forked at start"};
    add_common_flags(app, opts);
    add_number_flag(app, "--workers", workers,
                    "Worker processes, each serving one client at a time", 1,
                    kMaxWorkers);
    app.footer(
        "One worker per client served at once: --max-conns defaults to "
        "--workers, and --max-conns alone sets the number of workers; "
        "with both, the smaller wins.");
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    // Defaults that follow another flag are computed after parsing.
    if (app.count("--max-conns") == 0) {
        opts.max_conns = workers;
    } else if (app.count("--workers") == 0) {
        workers = std::min(opts.max_conns, kMaxWorkers);
    }
    workers = std::min(workers, opts.max_conns);
    try {
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        Fd listener = start_listening(opts, ConnMode::blocking);
        serve(listener, opts, workers, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
