// epoll_loop: one thread serves every client; epoll(7) says which sockets
// are ready, and each ready socket gets one non-blocking read or write.
//
// Model:    the kernel keeps the interest list; we change it only when a
//           connection starts or stops wanting input or output; epoll_wait
//           returns just the ready sockets. Level-triggered on purpose: one
//           read per readiness cannot strand bytes (edge-triggered would
//           have to read until EAGAIN or never hear of them again), and a
//           socket whose buffer is full is simply not watched for input.
// Costs:    a ConnBuffer per client (--buffer bytes, taken on first read);
//           an epoll_ctl when a connection's wants change. A turn costs
//           O(ready sockets), however many clients are idle.
// Bounds:   --max-conns; a full buffer stops reading that client
//           (backpressure reaches it through TCP flow control).
// Breaks:   one core only; any blocking call or long computation in the
//           loop stalls every client.
// Choose:   many clients, mostly idle or I/O-bound: the model of nginx,
//           redis and every event library on Linux.
// Compare:  select_loop (same ConnBuffer, sets rebuilt every turn);
//           thread_pool (blocking code, bounded threads); epoll_reactors
//           (this loop on every core).
//
// The loop itself is in epoll_loop/loop.cpp, because epoll_reactors runs
// it too; read serve() there.
#include "core/options.hpp"
#include "core/signals.hpp"

#include "epoll_loop/loop.hpp"

namespace {

using namespace echolab;

constexpr int kDefaultMaxConns = 10000;

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"epoll_loop: an echo server on one thread with epoll(7)"};
    add_common_flags(app, opts);
    add_loop_flags(app, loop);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        epoll_loop::Seats seats(opts.max_conns, 1);
        epoll_loop::serve(listener, opts, loop, stop, seats, 0);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
