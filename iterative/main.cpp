// iterative: one client at a time; the server accepts a connection, echoes
// it to the end, closes it, and only then accepts the next.
//
// Model:    accept, serve, close, in a loop on the main thread.
// Costs:    nothing per connection beyond the socket: no process, no thread,
//           one 64 KiB buffer reused by every client.
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
#include <utility>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 1;
constexpr auto kForever = -1ms;

// Serves one client to the end. On a stop the session itself closes the
// listener at once: this is the only thread, and it is busy here.
void serve_connection(Accepted client, Fd& listener, const ServerOptions& opts,
                      const StopSignal& stop) {
    serve_blocking(std::move(client.conn), client.peer, opts, stop, &listener);
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    AcceptBackoff backoff;
    while (!stop.requested()) {
        if (stop.wait(listener.get(), kForever) != Wake::ready) {
            continue;  // a signal that was not a stop, e.g. SIGCHLD
        }
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            stop.wait(-1, backoff.after(client));
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
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
