// iterative: one client at a time; the server accepts a connection, echoes
// it to the end, closes it, and only then accepts the next.
//
// Model:    accept, serve, close, in a loop on the main thread. It waits
//           only in blocking calls: accept(2), then recv(2) and send(2) in
//           core/session.cpp, one of each per echoed message. A stop
//           (SIGINT/SIGTERM/SIGHUP) interrupts the blocked call with EINTR
//           (no SA_RESTART); one that lands just before a call blocks is
//           caught by SIGALRM, repeated every 100 ms from the stop on. The
//           idle timeout is the socket's SO_RCVTIMEO/SO_SNDTIMEO (EAGAIN).
// Costs:    nothing per connection beyond the socket: no process, no thread,
//           one 64 KiB buffer per session.
// Bounds:   exactly one client served; the rest wait in the kernel backlog
//           (their connect() succeeds, their bytes wait unanswered).
// Breaks:   one silent or slow client stalls everyone behind it until it
//           leaves or --idle-timeout closes it. That is the lesson.
// Choose:   never for a public service; for a lab, a test double, or a job
//           where requests are short and clients are trusted.
// Compare:  fork_per_conn (the same loop, each client handed to a child).
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include <chrono>
#include <thread>
#include <utility>

namespace {

using namespace echolab;

constexpr int kDefaultMaxConns = 1;

// Serves one client to the end. A stop interrupts the session; this is the
// only thread, so it closes the listener here, at once, and then lets the
// client finish within the grace period.
void serve_connection(Accepted client, Fd& listener, const ServerOptions& opts,
                      const StopSignal& stop) {
    EchoSession session(client.conn, client.peer, opts);
    while (session.run(stop) == SessionEnd::interrupted) {
        listener.reset();
    }
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
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
        // The whole model: the next accept waits for this client.
        serve_connection(std::move(client), listener, opts, stop);
    }
    // Clients still in the backlog get a reset when the listener closes.
    listener.reset();
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"iterative: an echo server that serves one client at a time"};
    add_common_flags(app, opts);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (opts.max_conns != 1) {
        log_line("error: --max-conns: iterative serves exactly 1 connection");
        return 2;
    }
    try {
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
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
