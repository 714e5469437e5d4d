// epoll_reactors: one epoll loop per thread, each with a listening socket
// of its own on the same address (SO_REUSEPORT); the kernel deals new
// connections out to the listeners, and a connection stays on its loop.
//
// Model:    --threads threads each run epoll_loop's loop (epoll_loop/
//           loop.cpp) on their own listener. For each new connection the
//           kernel picks a listener by a hash of its 4-tuple (addresses and
//           ports), so loops share no connection: no lock, no hand-off.
// Costs:    per thread a stack, an epoll instance, a listener and an
//           eventfd; per connection what epoll_loop pays, plus one atomic
//           operation on the shared --max-conns count at accept and close.
// Bounds:   --max-conns for the whole server, shared by the loops: each
//           takes a seat before it accepts (epoll_loop::Seats).
// Breaks:   the hash spreads connections, not work: two busy clients
//           hashed to one loop share a core while another idles, and a
//           connection never moves. A listener that closes loses the
//           clients queued in its backlog (reset, not passed to a sibling,
//           unless net.ipv4.tcp_migrate_req is set, Linux >= 5.14).
//           Linux lets any socket of the same effective user join a
//           reuseport group, so another process of ours that binds the
//           port with SO_REUSEPORT takes a share of our clients: the port
//           is only as private as the user account (socket(7)). We bind
//           it exclusively once first, so a second server is refused;
//           one that binds in the instant after still gets in.
// Choose:   many connections, more cores than one, similar requests: nginx
//           with `listen ... reuseport`, Seastar's shard per core. Where
//           connections are few, long or uneven, one acceptor handing
//           descriptors to N loops round-robin (muduo's
//           EventLoopThreadPool) balances better, for a hand-off (a queue
//           and a wake-up) per connection.
// Compare:  epoll_loop (the same loop on one thread); thread_pool (threads
//           that block in the session).
#include "core/address.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include "epoll_loop/loop.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using namespace echolab;

constexpr int kDefaultMaxConns = 10000;
constexpr int kMaxThreads = 1024;

// Binds one listener per loop to the same address. With --port 0 the first
// gets a port from the kernel and the others join it there; the ready line
// is printed once all are bound.
std::vector<Fd> listen_all(const ServerOptions& opts, int threads) {
    if (opts.port != 0) {
        // A second epoll_reactors of the same user would join our
        // reuseport group and silently take half of the clients. One
        // exclusive listener, closed at once, proves the port is free of
        // any listener ("bind ...: Address already in use" if not).
        (void)listen_tcp(opts.host, opts.port, 1);
    }
    std::vector<Fd> listeners;
    listeners.push_back(
        listen_tcp_reuseport(opts.host, opts.port, opts.backlog));
    std::uint16_t port = port_of(local_address(listeners.front()));
    while (listeners.size() < static_cast<std::size_t>(threads)) {
        listeners.push_back(
            listen_tcp_reuseport(opts.host, port, opts.backlog));
    }
    print_ready_line(listeners.front());
    return listeners;
}

// One thread's life: its loop, then its listener closed (clients hashed to
// it are refused, not queued through the others' grace period); if the
// loop fails, a stop for all the others, so that they end in time.
void run_loop(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
              StopSignal& stop, epoll_loop::Seats& seats, int id,
              std::exception_ptr& error) {
    try {
        epoll_loop::serve(listener, opts, loop, stop, seats, id);
    } catch (...) {
        error = std::current_exception();
        stop.request();
    }
    listener.reset();
}

// Starts a loop per listener and waits for all of them; then rethrows the
// first loop's error, if any.
void serve(std::vector<Fd>& listeners, const ServerOptions& opts,
           const LoopOptions& loop, StopSignal& stop) {
    int threads = static_cast<int>(listeners.size());
    epoll_loop::Seats seats(opts.max_conns, threads);
    std::vector<std::exception_ptr> errors(listeners.size());
    {
        std::vector<std::jthread> loops;
        try {
            for (int id = 0; id < threads; ++id) {
                auto at = static_cast<std::size_t>(id);
                loops.emplace_back(run_loop, std::ref(listeners[at]),
                                   std::cref(opts), std::cref(loop),
                                   std::ref(stop), std::ref(seats), id,
                                   std::ref(errors[at]));
            }
        } catch (...) {
            stop.request();  // the loops already running must end too
            throw;
        }
    }  // each std::jthread joins its loop here
    for (const std::exception_ptr& error : errors) {
        if (error) {
            std::rethrow_exception(error);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    // One loop per CPU it may run on, as nginx's `worker_processes auto`.
    int threads = std::min(usable_cpus(), kMaxThreads);
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{
        "epoll_reactors: an echo server with an epoll loop and a "
        "SO_REUSEPORT listener per thread"};
    add_common_flags(app, opts);
    app.get_option("--max-conns")
        ->description("Connections served at once, by all threads together");
    app.add_option("--threads", threads,
                   "Threads, each with its own listener and epoll loop "
                   "(default: the CPUs it may run on)")
        ->capture_default_str()
        ->check(CLI::Range(1, kMaxThreads));
    add_loop_flags(app, loop);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        std::vector<Fd> listeners = listen_all(opts, threads);
        serve(listeners, opts, loop, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
