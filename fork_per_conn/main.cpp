// fork_per_conn: one child process per connection; the parent only accepts,
// forks, and reaps the children that have finished.
//
// Model:    accept in the parent; fork; the child serves the client to the
//           end and _exits; the parent closes its copy of the connection
//           and goes back to accept.
// Costs:    a process per client: a fork (page tables copied, memory shared
//           copy-on-write), a 64 KiB buffer, and a zombie until reaped.
// Bounds:   at most --max-conns live children; at the limit the parent stops
//           accepting and new clients wait in the kernel backlog.
// Breaks:   fork cost caps the connection rate; thousands of clients mean
//           thousands of processes; fork fails (EAGAIN) at RLIMIT_NPROC.
// Choose:   isolation matters more than speed (a crash or leak in one
//           client's process cannot touch another); classic inetd-style.
// Compare:  iterative (the same loop without fork); thread_per_conn (the
//           same dispatch with a thread instead of a process).
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include <chrono>
#include <set>
#include <thread>
#include <utility>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 256;
// How often the parent reaps while it has nothing else to do; at the limit,
// a freed slot is noticed within this time.
constexpr auto kReapInterval = 20ms;
constexpr auto kBackoff = 100ms;

// Collects every child that has exited, without blocking. waitpid may change
// errno, which the caller may still be about to read.
void reap_children(std::set<pid_t>& children) {
    int saved_errno = errno;
    pid_t pid;
    while ((pid = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
        children.erase(pid);
    }
    errno = saved_errno;
}

// Forks a child for the client. The child must not return into the parent's
// loop: it serves and _exits, skipping the parent's exit-time cleanup.
void serve_connection(Accepted client, Fd& listener, const ServerOptions& opts,
                      StopSignal& stop, std::set<pid_t>& children) {
    pid_t pid = ::fork();
    if (pid == 0) {
        // Only the parent accepts; a child holding the listener would also
        // keep the port bound after the parent exits.
        listener.reset();
        // A SIGTERM sent to this child alone must stop only this child.
        stop.reset_after_fork();
        serve_blocking(std::move(client.conn), client.peer, opts, stop);
        ::_exit(0);
    }
    if (pid < 0) {
        int err = errno;
        log_line("fork: " + error_text(err) + "; closing " +
                 to_string(client.peer));
        stop.wait(-1, kBackoff);
        return;
    }
    // The child has its own copy of the connection. The parent's copy must
    // close now (when client goes out of scope), or the client would never
    // see EOF and the parent would run out of descriptors.
    children.insert(pid);
}

// Passes the stop on to every child (each finishes its client within its
// own grace period), waits for them, and kills any child still alive a
// second after the grace period, so shutdown stays bounded.
void finish_children(std::set<pid_t>& children, const ServerOptions& opts,
                     const StopSignal& stop) {
    for (pid_t pid : children) {
        ::kill(pid, SIGTERM);
    }
    auto deadline = stop.requested_at() + opts.grace() + 1s;
    while (!children.empty() && std::chrono::steady_clock::now() < deadline) {
        reap_children(children);
        std::this_thread::sleep_for(kReapInterval);
    }
    for (pid_t pid : children) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    std::set<pid_t> children;
    AcceptBackoff backoff;
    while (!stop.requested()) {
        reap_children(children);
        // At the limit, stop watching the listener: clients wait in the
        // backlog until a child exits.
        bool room = children.size() < static_cast<std::size_t>(opts.max_conns);
        if (stop.wait(room ? listener.get() : -1, kReapInterval) !=
            Wake::ready) {
            continue;
        }
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            stop.wait(-1, backoff.after(client));
            continue;
        }
        serve_connection(std::move(client), listener, opts, stop, children);
    }
    listener.reset();
    finish_children(children, opts, stop);
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"fork_per_conn: an echo server with a process per client"};
    add_common_flags(app, opts);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
