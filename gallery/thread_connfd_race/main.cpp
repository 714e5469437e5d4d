// gallery/thread_connfd_race: BROKEN ON PURPOSE. A thread per connection
// that is handed the address of the accept loop's variable, not its value.
//
// Bug:      every thread gets &connfd, one variable that main overwrites
//           on its next accept. A thread that has not yet read it when
//           the next client arrives serves that client's descriptor
//           instead of its own (UNP 26.5; CS:APP mallocs a copy). It is a
//           data race: ThreadSanitizer reports it on the first burst.
// Symptom:  under a burst of connections two threads serve one socket
//           while another client is never served at all and times out.
//           With one client at a time it always works.
// Caught:   EchoConformance.ServesManyConcurrentClients
// Fixed:    thread_per_conn/main.cpp, serve_connection(): the lambda
//           captures the connection by value (std::move), so each thread
//           owns its own Fd before main can accept again.
#include "core/listen.hpp"
#include "core/session.hpp"

#include "gallery/gallery_main.hpp"

#include <chrono>
#include <thread>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    int connfd = -1;  // one variable for every client
    while (stop.wait(listener.get(), -1ms) == Wake::ready) {
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            continue;
        }
        connfd = client.conn.release();
        // The thread reads connfd when it gets to run, which may be after
        // main has accepted the next client and stored its descriptor.
        std::thread([&connfd, peer = client.peer, &opts, &stop] {
            serve_blocking(Fd(connfd), peer, opts, stop);
        }).detach();
    }
}

}  // namespace

int main(int argc, char** argv) {
    return run_gallery_server(
        argc, argv, "thread_connfd_race: threads share &connfd (broken)", 1024,
        [](Fd& listener, const ServerOptions& opts, StopSignal& stop) {
            serve(listener, opts, stop);
        });
}
