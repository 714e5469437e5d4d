// prefork: --workers processes forked once, at start; each blocks in
// accept on the inherited listener and serves one client at a time, as
// iterative does. The parent only supervises (UNP ch. 30, Apache prefork).
//
// Model:    each worker loops accept(2), then recv(2) and send(2) until its
//           client leaves. The parent waits in waitpid(2): it restarts a
//           worker that dies, passes a stop on as SIGTERM, and reaps. All
//           workers sleep in accept on one socket; Linux queues them as
//           exclusive waiters and wakes one per connection; kernels UNP
//           measured in 1998 woke them all (the thundering herd; UNP's fix
//           was a lock around accept). It remains for poll/epoll waiters.
// Costs:    --workers forks at start-up instead of one per client (as in
//           fork_per_conn); per client only the socket. Idle workers too.
// Bounds:   at most --workers clients at once (--max-conns defaults to it;
//           a lower one starts fewer workers); the rest wait in the
//           backlog. No worker outlives the parent (PR_SET_PDEATHSIG).
// Breaks:   --workers silent clients hold every worker. A worker that dies
//           young is restarted after 100 ms doubling to 10 s, not in a loop.
// Choose:   isolated or crash-prone handlers, many cores, bounded clients.
// Compare:  fork_per_conn (a fork per client); thread_pool (threads, queue).
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
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A worker that lived this long did not die of its start-up.
constexpr auto kHealthyLife = 1s;
constexpr auto kFirstRestartDelay = 100ms;
constexpr auto kMaxRestartDelay = 10s;

struct Worker {
    pid_t pid = -1;
    Clock::time_point started;
};

// A worker's life: iterative's loop on the inherited listener. A stop
// interrupts the session; the worker closes its copy of the listener at
// once (the port closes with the last copy) and finishes its client.
void run_worker(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    AcceptBackoff backoff;
    while (!stop.requested()) {
        // Blocks until a client connects; a stop makes it fail with EINTR.
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            std::this_thread::sleep_for(backoff.after(client));
            continue;
        }
        EchoSession session(client.conn, client.peer, opts);
        while (session.run(stop) == SessionEnd::interrupted) {
            listener.reset();
        }
    }
}

// Forks one worker. The child never returns into the parent's code.
void start_worker(Worker& worker, Fd& listener, const ServerOptions& opts,
                  StopSignal& stop) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        if (die_with_parent(parent)) {
            run_worker(listener, opts, stop);
        }
        ::_exit(0);
    }
    if (pid < 0) {
        log_line("fork: " + error_text(errno) + "; worker not started");
    }
    worker = {pid, Clock::now()};
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

// Blocks in waitpid until a worker dies, then starts another in its place,
// after a pause if it died young. A stop interrupts the wait (EINTR) and
// the pause (nanosleep).
void supervise(std::vector<Worker>& workers, Fd& listener,
               const ServerOptions& opts, StopSignal& stop) {
    Clock::duration delay{};
    while (!stop.requested()) {
        for (Worker& worker : workers) {
            if (worker.pid <= 0 && !stop.requested()) {
                start_worker(worker, listener, opts, stop);
            }
        }
        pid_t pid = ::waitpid(-1, nullptr, 0);
        auto dead =
            std::find_if(workers.begin(), workers.end(),
                         [pid](const Worker& w) { return w.pid == pid; });
        if (pid > 0 && dead != workers.end()) {
            log_line("worker " + std::to_string(pid) + " died; restarting");
            dead->pid = -1;
            delay = next_delay(delay, Clock::now() - dead->started);
        } else if (pid < 0 && errno == ECHILD) {
            delay = next_delay(delay, {});  // every fork failed
        } else {
            continue;
        }
        auto ns = std::chrono::nanoseconds(delay).count();
        timespec pause{ns / 1'000'000'000, ns % 1'000'000'000};
        ::nanosleep(&pause, nullptr);
    }
}

// Passes the stop on, lets the workers finish within the grace period
// (SIGALRM, every 100 ms after a stop, ends each blocked waitpid in time
// to look at the deadline), and kills what is left.
void finish_workers(std::vector<Worker>& workers, const ServerOptions& opts,
                    const StopSignal& stop) {
    std::erase_if(workers, [](const Worker& w) { return w.pid <= 0; });
    for (const Worker& worker : workers) {
        ::kill(worker.pid, SIGTERM);
    }
    auto deadline = stop.requested_at() + opts.grace() + 1s;
    while (!workers.empty() && Clock::now() < deadline) {
        pid_t pid = ::waitpid(-1, nullptr, 0);
        std::erase_if(workers, [pid](const Worker& w) { return w.pid == pid; });
    }
    for (const Worker& worker : workers) {
        ::kill(worker.pid, SIGKILL);
        ::waitpid(worker.pid, nullptr, 0);
    }
}

void serve(Fd& listener, const ServerOptions& opts, int worker_count,
           StopSignal& stop) {
    std::vector<Worker> workers(static_cast<std::size_t>(worker_count));
    for (Worker& worker : workers) {
        start_worker(worker, listener, opts, stop);
    }
    supervise(workers, listener, opts, stop);
    listener.reset();
    finish_workers(workers, opts, stop);
}

}  // namespace

// A process each: more would exhaust the process table before clients.
constexpr int kMaxWorkers = 4096;

int main(int argc, char** argv) {
    ServerOptions opts;
    int workers =
        static_cast<int>(std::max(2L, ::sysconf(_SC_NPROCESSORS_ONLN)));
    opts.max_conns = workers;
    CLI::App app{"prefork: an echo server with processes forked at start"};
    add_common_flags(app, opts);
    app.add_option("--workers", workers,
                   "Worker processes, each serving one client at a time")
        ->capture_default_str()
        ->check(CLI::Range(1, kMaxWorkers));
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
        Fd listener = start_listening(opts);
        // A blocking listener: accept(2) itself is where workers wait.
        if (auto error = set_nonblocking(listener, false)) {
            throw SetupError(error.value(), "fcntl(O_NONBLOCK)");
        }
        serve(listener, opts, workers, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
