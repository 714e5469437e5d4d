// fork_per_conn: one child process per connection; the parent only accepts,
// forks, and reaps the children that have finished.
//
// Model:    accept in the parent; fork; the child serves the client to the
//           end and _exits; the parent closes its copy of the connection
//           and goes back to accept. The parent waits in accept(2), or at
//           the limit in waitpid(2); a child in recv(2) and send(2). Both
//           are woken by signals without SA_RESTART: SIGCHLD (reap now)
//           and a stop; a stop is passed on to the children as SIGTERM.
// Costs:    a process per client: a fork (page tables copied, memory shared
//           copy-on-write), a 64 KiB buffer, and a zombie until reaped.
// Bounds:   at most --max-conns live children; at the limit the parent stops
//           accepting and new clients wait in the kernel backlog. No child
//           outlives the parent (PR_SET_PDEATHSIG).
// Breaks:   fork cost caps the connection rate; thousands of clients mean
//           thousands of processes; fork fails (EAGAIN) at RLIMIT_NPROC.
// Choose:   isolation matters more than speed (a crash or leak in one
//           client's process cannot touch another); classic inetd-style.
// Compare:  iterative (the same loop without fork); thread_per_conn (the
//           same dispatch with a thread instead of a process); prefork
//           (the processes forked once, at start).
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

// At the limit: blocks until a child exits, or a signal interrupts the
// wait (EINTR) so the loop can look at its stop request.
void wait_for_a_child(std::set<pid_t>& children) {
    pid_t pid = ::waitpid(-1, nullptr, 0);
    if (pid > 0) {
        children.erase(pid);
    }
}

// Forks a child for the client. The child must not return into the parent's
// loop: it serves and _exits, skipping the parent's exit-time cleanup.
void serve_connection(Accepted client, Fd& listener, const ServerOptions& opts,
                      StopSignal& stop, std::set<pid_t>& children) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        // Only the parent accepts; a child holding the listener would also
        // keep the port bound after the parent exits.
        listener.reset();
        if (die_with_parent(parent)) {
            serve_blocking(client.conn, client.peer, opts, stop);
        }
        ::_exit(0);
    }
    if (pid < 0) {
        int err = errno;
        log_line("fork: " + error_text(err) + "; closing " +
                 to_string(client.peer));
        std::this_thread::sleep_for(kBackoff);
        return;
    }
    // The child has its own copy of the connection. The parent's copy must
    // close now (when client goes out of scope), or the client would never
    // see EOF and the parent would run out of descriptors.
    children.insert(pid);
}

// Passes the stop on to every child (each finishes its client within its
// own grace period), waits for them, and kills any child still alive a
// second after the grace period, so shutdown stays bounded. SIGALRM,
// repeated every 100 ms after a stop, ends each blocked waitpid in time to
// look at the deadline.
void finish_children(std::set<pid_t>& children, const ServerOptions& opts,
                     const StopSignal& stop) {
    for (pid_t pid : children) {
        ::kill(pid, SIGTERM);
    }
    auto deadline = stop.requested_at() + opts.grace() + 1s;
    while (!children.empty() && std::chrono::steady_clock::now() < deadline) {
        wait_for_a_child(children);
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
        // At the limit, stop accepting: clients wait in the backlog until
        // a child exits.
        if (children.size() >= static_cast<std::size_t>(opts.max_conns)) {
            wait_for_a_child(children);
            continue;
        }
        // Blocks until a client connects; SIGCHLD or a stop makes it fail
        // with EINTR.
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            std::this_thread::sleep_for(backoff.after(client));
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
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        interrupt_on_child_exit();
        Fd listener = start_listening(opts);
        // A blocking listener: accept(2) itself is where this server waits.
        if (auto error = set_nonblocking(listener, false)) {
            throw SetupError(error.value(), "fcntl(O_NONBLOCK)");
        }
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
