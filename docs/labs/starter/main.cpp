// lab starter: an echo server on the echolab core with the serving part
// left to you. Copy it to mine/main.cpp (docs/labs/README.md says how to
// build it); as it stands it accepts each client and closes it at once.
//
// Model:    (yours) how each accepted client is served.
// Costs:    (yours) what one client costs: a process, a thread, a buffer.
// Bounds:   (yours) what --max-conns limits, and what happens at the limit.
// Breaks:   (yours) what kind of client or load defeats the model.
// Choose:   (yours) when you would pick this model.
// Compare:  the variant folders, once your lab is handed in.
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <chrono>
#include <utility>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 1;

// Lab 1: echo every byte of conn back until the client half-closes (recv
// returns 0), then return; the caller's Fd closes the socket. Mind short
// writes, EINTR, a client that vanishes (EPIPE, ECONNRESET) and
// --idle-timeout (opts.idle_timeout()). core/session.hpp has the
// project's answer: read it after you have written yours.
void serve_connection(Fd conn, const ServerOptions& opts) {
    (void)conn;
    (void)opts;
}

// Labs 2 to 4 change this function: who serves the accepted client, and
// how many at once.
void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    while (stop.wait(listener.get(), -1ms) == Wake::ready) {
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result == AcceptResult::fatal) {
            throw SetupError(client.error, "accept");
        }
        if (client.result == AcceptResult::accepted) {
            serve_connection(std::move(client.conn), opts);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"mine: an echo server written in the echolab labs"};
    add_common_flags(app, opts);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        // Ignores SIGPIPE and turns SIGINT/SIGTERM into the stop request.
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
