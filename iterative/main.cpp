// iterative: one client at a time; the server accepts a connection, echoes
// it to the end, closes it, and only then accepts the next.
//
// Model:    accept, serve, close, in a loop on the main thread. It waits in
//           accept(2), then in recv(2) and send(2), one each per message.
//           A stop and --idle-timeout reach a blocked call: core/session.hpp.
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
    // The model serves exactly one client: --max-conns can only be 1.
    cap_max_conns(app, kDefaultMaxConns);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        Fd listener = start_listening(opts, ConnMode::blocking);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
