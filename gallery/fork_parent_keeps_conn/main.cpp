// gallery/fork_parent_keeps_conn: BROKEN ON PURPOSE. A process per
// connection, where the parent forgets to close its copy of the socket.
//
// Bug:      after fork() parent and child each hold the connection. The
//           child closes its copy when it is done, but the parent never
//           closes its own, so the socket stays open and no FIN is sent.
// Symptom:  a client that half-closes gets its echo but never EOF, and
//           waits forever; the parent leaks one descriptor per client and
//           finally fails accept() with EMFILE.
// Caught:   EchoConformance.ImmediateHalfCloseGetsPromptEof
// Fixed:    fork_per_conn/main.cpp, serve_connection(): the parent's Fd
//           closes as it goes out of scope, with a comment saying why.
#include "core/listen.hpp"
#include "core/session.hpp"

#include "gallery/gallery_main.hpp"

#include <chrono>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr auto kReapInterval = 20ms;

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    while (!stop.requested()) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        if (stop.wait(listener.get(), kReapInterval) != Wake::ready) {
            continue;
        }
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            continue;
        }
        // The C habit: a bare int, so nothing closes it unless we do.
        int connfd = client.conn.release();
        if (::fork() == 0) {
            listener.reset();
            serve_blocking(Fd(connfd), client.peer, opts, stop);
            ::_exit(0);
        }
        // Missing here: ::close(connfd);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "fork_parent_keeps_conn: parent never closes (broken)", 256,
        [](Fd& listener, const ServerOptions& opts, StopSignal& stop) {
            serve(listener, opts, stop);
        });
}
