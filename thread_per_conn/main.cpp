// thread_per_conn: one thread per connection; the main thread only accepts,
// starts a thread, and joins the threads that have finished.
//
// Model:    accept in main; start a std::jthread that serves the client to
//           the end; main joins finished threads as it goes.
// Costs:    a thread per client: a clone, an 8 MiB stack reservation (a few
//           pages touched), a 64 KiB buffer on that stack.
// Bounds:   at most --max-conns live threads; at the limit main stops
//           accepting and new clients wait in the kernel backlog.
// Breaks:   thousands of clients mean thousands of threads, their stacks
//           and a busy scheduler; pthread_create fails (EAGAIN) at limits.
// Choose:   moderate numbers of clients, code that must block (a database
//           call per request), and the simplest code that is concurrent.
// Compare:  fork_per_conn (a process instead of a thread); thread_pool
//           (the threads made once, the clients queued).
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include <atomic>
#include <chrono>
#include <list>
#include <system_error>
#include <thread>
#include <utility>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 1024;
// How often main joins finished threads while it has nothing else to do; at
// the limit, a freed slot is noticed within this time.
constexpr auto kReapInterval = 20ms;
constexpr auto kBackoff = 100ms;

// A thread and the flag it raises as its last act, so main can tell which
// threads join() would not block on.
struct Worker {
    std::atomic<bool> finished{false};
    std::jthread thread;
};

// Joins every thread that has finished; the others keep running.
void reap_workers(std::list<Worker>& workers) {
    workers.remove_if([](Worker& worker) { return worker.finished.load(); });
}

// Starts a thread for the client. A thread that cannot be created costs
// this one connection (closed when the failed call drops it), not the
// server.
void serve_connection(Accepted client, const ServerOptions& opts,
                      StopSignal& stop, std::list<Worker>& workers) {
    Worker& worker = workers.emplace_back();
    try {
        worker.thread = std::jthread(
            [&worker, &opts, &stop, client = std::move(client)]() mutable {
                serve_blocking(std::move(client.conn), client.peer, opts, stop);
                worker.finished = true;
            });
    } catch (const std::system_error& error) {
        workers.pop_back();
        log_line(std::string("thread: ").append(error.what()));
        stop.wait(-1, kBackoff);
    }
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    std::list<Worker> workers;
    AcceptBackoff backoff;
    while (!stop.requested()) {
        reap_workers(workers);
        // At the limit, stop watching the listener: clients wait in the
        // backlog until a thread finishes.
        bool room = workers.size() < static_cast<std::size_t>(opts.max_conns);
        if (stop.wait(room ? listener.get() : -1, kReapInterval) !=
            Wake::ready) {
            continue;
        }
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            stop.wait(-1, backoff.after(client));
            continue;
        }
        serve_connection(std::move(client), opts, stop, workers);
    }
    listener.reset();
    // Each session ends by itself when the grace period is over; the
    // jthread destructors join them all here.
    workers.clear();
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"thread_per_conn: an echo server with a thread per client"};
    add_common_flags(app, opts);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
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
