// prefork: --workers processes forked once, at start; each blocks in
// accept on the inherited listener and serves one client at a time, as
// iterative does. The parent only supervises (UNP ch. 30, Apache prefork).
//
// Model:    fork --workers children; each loops accept(2), then recv(2)
//           and send(2) until its client leaves. The parent waits in
//           waitpid(2): it restarts a worker that dies, passes a stop on as
//           SIGTERM, and reaps. Every worker sleeps in accept on the same
//           socket: Linux (since 2.6) wakes only one of them per connection
//           (an exclusive wait queue), where the kernels of UNP (1998) woke
//           them all, the thundering herd, and UNP's fix was a lock around
//           accept. With many more workers than CPUs that herd still exists
//           for poll/epoll on a shared listener, not for a blocking accept.
// Costs:    the forks happen once, at start-up, instead of per client (as
//           fork_per_conn); per client nothing beyond the socket. The
//           workers' memory is there whether they are busy or not.
// Bounds:   at most --workers clients at once (the --max-conns default; a
//           lower --max-conns starts fewer workers); the rest wait in the
//           backlog. No worker outlives the parent (PR_SET_PDEATHSIG).
// Breaks:   --workers silent or slow clients hold every worker, as in
//           thread_pool; a worker that crashes on start is restarted only
//           after a back-off doubling from 100 ms to 10 s, never in a loop.
// Choose:   isolation per worker and fork's cost paid once: a classic for
//           CPU-heavy or crash-prone handlers on a multi-core machine.
// Compare:  fork_per_conn (a fork per client); thread_pool (the same fixed
//           pool, of threads, with a queue); iterative (each worker's loop).
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

// A worker that lived this long died of something else than its start-up.
constexpr auto kHealthyLife = 1s;
constexpr auto kFirstRestartDelay = 100ms;
constexpr auto kMaxRestartDelay = 10s;

struct Worker {
    pid_t pid = -1;
    Clock::time_point started;
};

// The worker's whole life: iterative's loop, on the inherited listener. A
// stop interrupts the session, and the worker closes its copy of the
// listener at once, so the port closes when the last copy does.
[[noreturn]] void run_worker(Fd& listener, const ServerOptions& opts,
                             StopSignal& stop, pid_t parent) {
    if (!die_with_parent(parent)) {
        ::_exit(0);
    }
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
    ::_exit(0);
}

// "exited with status 3", "killed by signal 9".
std::string describe(int status) {
    return WIFSIGNALED(status)
               ? "killed by signal " + std::to_string(WTERMSIG(status))
               : "exited with status " + std::to_string(WEXITSTATUS(status));
}

// Forks one worker. The child never returns into the parent's code.
void start_worker(Worker& worker, Fd& listener, const ServerOptions& opts,
                  StopSignal& stop) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        run_worker(listener, opts, stop, parent);
    }
    if (pid < 0) {
        log_line("fork: " + error_text(errno) + "; worker not started");
    }
    worker = {pid, Clock::now()};
}

// How long to wait before restarting a worker that died after `lived`:
// nothing after a healthy life, else a delay that doubles with every quick
// death in a row, so a worker that cannot start costs ten forks a second
// at first and one every 10 s later, never a hot loop.
class RestartBackoff {
public:
    Clock::duration after(Clock::duration lived) {
        if (lived >= kHealthyLife) {
            delay_ = Clock::duration::zero();
            return delay_;
        }
        delay_ = std::clamp<Clock::duration>(2 * delay_, kFirstRestartDelay,
                                             kMaxRestartDelay);
        return delay_;
    }

private:
    Clock::duration delay_{};
};

// Blocks in waitpid until a worker dies, then starts another in its place
// (after a back-off if it died young). A stop interrupts the wait (EINTR),
// and the back-off too (nanosleep).
void supervise(std::vector<Worker>& workers, Fd& listener,
               const ServerOptions& opts, StopSignal& stop) {
    RestartBackoff backoff;
    Clock::duration delay{};
    while (!stop.requested()) {
        if (delay > Clock::duration::zero()) {
            auto ns = std::chrono::nanoseconds(delay).count();
            timespec pause{ns / 1'000'000'000, ns % 1'000'000'000};
            ::nanosleep(&pause, nullptr);
            delay = Clock::duration::zero();
        }
        for (Worker& worker : workers) {
            if (worker.pid <= 0 && !stop.requested()) {
                start_worker(worker, listener, opts, stop);
            }
        }
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, 0);
        auto dead =
            std::find_if(workers.begin(), workers.end(),
                         [pid](const Worker& w) { return w.pid == pid; });
        if (pid > 0 && dead != workers.end()) {
            log_line("worker " + std::to_string(pid) + " " + describe(status) +
                     "; starting another");
            dead->pid = -1;
            delay = backoff.after(Clock::now() - dead->started);
        } else if (pid < 0 && errno == ECHILD) {
            // Every fork failed: no child to wait for; retry after a pause.
            delay = backoff.after(Clock::duration::zero());
        }
    }
}

// Passes the stop on, lets the workers finish their clients within the
// grace period (SIGALRM, every 100 ms after a stop, ends each blocked
// waitpid in time to look at the deadline), and kills what is left.
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

int default_workers() {
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    return static_cast<int>(std::max(2L, cpus));
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    int workers = default_workers();
    opts.max_conns = workers;
    CLI::App app{"prefork: an echo server with processes forked at start"};
    add_common_flags(app, opts);
    app.add_option("--workers", workers,
                   "Worker processes, each serving one client at a time")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    app.footer(
        "prefork serves at most --workers clients at once; --max-conns "
        "defaults to --workers, and a lower value starts fewer workers.");
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    // A default that follows another flag is computed after parsing.
    if (app.count("--max-conns") == 0) {
        opts.max_conns = workers;
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
