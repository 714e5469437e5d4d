// gallery/sigpipe_kills_server: BROKEN ON PURPOSE. A server that leaves
// SIGPIPE at its default action and writes with plain write().
//
// Bug:      writing to a TCP socket whose peer has gone (a reset arrived)
//           raises SIGPIPE, and the default action of SIGPIPE terminates
//           the process, so one vanishing client takes the whole server
//           down. The write's EPIPE would have been handled correctly
//           below; the signal comes first (write(2), EPIPE; UNP 5.13).
// Symptom:  the server dies without a message, exit by signal 13,
//           typically when a client closes while its echo is still
//           being written. `strace` shows --- SIGPIPE --- and +++ killed.
// Caught:   EchoRobustness.VanishingClientsCostOnlyTheirConnections
//           (tests/gallery/)
// Fixed:    core/signals.cpp ignores SIGPIPE in StopSignal::install(),
//           and core/session.cpp sends with MSG_NOSIGNAL as well.
#include "core/listen.hpp"

#include "gallery/gallery_main.hpp"

#include <array>
#include <chrono>

#include <signal.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

bool write_all(const Fd& conn, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(conn.get(), data, size);
        if (n < 0) {
            return false;  // EPIPE would land here, if the signal let it
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

void echo(const Fd& conn) {
    std::array<char, 64 * 1024> buffer;
    ssize_t got;
    while ((got = ::read(conn.get(), buffer.data(), buffer.size())) > 0) {
        if (!write_all(conn, buffer.data(), static_cast<std::size_t>(got))) {
            return;
        }
    }
}

void serve(Fd& listener, StopSignal& stop) {
    // The bug, spelled out: StopSignal::install() ignored SIGPIPE, as
    // every echolab server must; forgetting to is the same as this line.
    // (SIG_DFL also undoes a SIG_IGN inherited through exec from a
    // launcher, so the bug shows however the server is started.)
    ::signal(SIGPIPE, SIG_DFL);
    while (stop.wait(listener.get(), -1ms) == Wake::ready) {
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result == AcceptResult::accepted) {
            echo(client.conn);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "sigpipe_kills_server: SIGPIPE left at default (broken)", 1,
        [](Fd& listener, const ServerOptions&, StopSignal& stop) {
            serve(listener, stop);
        });
}
