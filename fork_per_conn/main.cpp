// fork_per_conn: one child process per connection; the parent only accepts,
// forks, and reaps the children that have finished.
//
// Model:    accept in the parent; fork; the child serves the client to the
//           end and _exits; the parent closes its copy of the connection.
//           The parent waits in accept(2), or at the limit in waitpid(2),
//           and SIGCHLD interrupts it to reap; each child waits in recv(2)
//           and send(2), and gets a stop as SIGTERM (core/children.hpp).
//           A stop and --idle-timeout reach a blocked call: core/session.hpp.
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
#include "core/children.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include <cerrno>
#include <chrono>
#include <thread>
#include <utility>

#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 256;
constexpr auto kBackoff = 100ms;

// Forks a child for the client. The child must not return into the parent's
// loop: it serves and _exits, skipping the parent's exit-time cleanup.
void serve_connection(Accepted client, Fd& listener, const ServerOptions& opts,
                      StopSignal& stop, Children& children) {
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
    children.add(pid);
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    Children children;
    AcceptBackoff backoff;
    while (!stop.requested()) {
        children.reap();
        // At the limit this blocks until a client is done: clients wait in
        // the backlog meanwhile. A stop interrupts it (EINTR).
        if (!children.wait_for_room(opts.max_conns)) {
            continue;
        }
        // Blocks until a client connects; SIGCHLD or a stop ends it (EINTR).
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
    // The children get the stop (SIGTERM) and go on echoing through the
    // grace period; then the ones still alive are killed, and all reaped.
    children.finish_by(stop.requested_at() + opts.grace());
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
        Fd listener = start_listening(opts, ConnMode::blocking);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
