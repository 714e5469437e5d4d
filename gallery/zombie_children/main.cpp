// gallery/zombie_children: BROKEN ON PURPOSE. A process per connection,
// and nobody ever waits for the children.
//
// Bug:      the parent never calls waitpid(), so every child that exits
//           stays in the process table as a zombie (state Z) until the
//           parent itself exits. SIGCHLD is ignored by default, but that
//           default does not reap: only SIG_IGN set explicitly, or wait,
//           does (waitpid(2), NOTES).
// Symptom:  `ps --ppid <server pid>` lists one <defunct> per past client;
//           after RLIMIT_NPROC of them, fork fails with EAGAIN.
// Caught:   EchoConformance.LeavesNoZombiesThreadsOrDescriptors
// Fixed:    fork_per_conn/main.cpp, children.reap() (core/children.cpp):
//           waitpid(-1, ..., WNOHANG) in a loop, as signals do not queue.
#include "core/listen.hpp"
#include "core/session.hpp"

#include "gallery/gallery_main.hpp"

#include <chrono>
#include <utility>

#include <unistd.h>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    while (stop.wait(listener.get(), -1ms) == Wake::ready) {
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            continue;
        }
        if (::fork() == 0) {
            listener.reset();
            serve_blocking(std::move(client.conn), client.peer, opts, stop);
            ::_exit(0);
        }
        // The parent closes its copy of the connection here (client goes
        // out of scope) and loops, and never asks how the child ended.
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "zombie_children: fork per client, never reaped (broken)",
        256, [](Fd& listener, const ServerOptions& opts, StopSignal& stop) {
            serve(listener, opts, stop);
        });
}
