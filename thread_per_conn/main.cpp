// thread_per_conn: one thread per connection; the main thread only accepts,
// starts a thread, and joins the threads that have finished.
//
// Model:    accept in main; start a std::jthread that serves the client to
//           the end; main joins finished threads as it goes.
//           Main waits in accept(2), or at the limit in sem_wait(3);
//           a worker in recv(2) and send(2).
//           The workers block the stop signals, so a stop interrupts main,
//           which closes the listener, waits out the grace period and then
//           shutdown(2)s what is still open.
//           A stop and --idle-timeout reach a blocked call: core/session.hpp.
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
#include "core/conn_slots.hpp"
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
constexpr auto kBackoff = 100ms;

// A thread, its client, and the flag it raises as its last act, so main
// can tell which threads join() would not block on.
struct Worker {
    Accepted client;
    std::atomic<bool> finished{false};
    std::jthread thread;
};

// Joins every thread that has finished; the others keep running.
void reap_workers(std::list<Worker>& workers) {
    workers.remove_if([](Worker& worker) { return worker.finished.load(); });
}

// Starts a thread for the client. A thread that cannot be created costs
// this one connection, not the server.
void serve_connection(Accepted client, const ServerOptions& opts,
                      StopSignal& stop, ConnSlots& slots,
                      std::list<Worker>& workers) {
    slots.hold(client.conn);
    Worker& worker = workers.emplace_back();
    worker.client = std::move(client);
    try {
        worker.thread = std::jthread([&worker, &opts, &stop, &slots] {
            block_stop_signals();
            serve_blocking(worker.client.conn, worker.client.peer, opts, stop);
            slots.release(std::move(worker.client.conn));
            worker.finished = true;
        });
    } catch (const std::system_error& error) {
        slots.release(std::move(worker.client.conn));
        workers.pop_back();
        log_line(std::string("thread: ").append(error.what()));
        std::this_thread::sleep_for(kBackoff);
    }
}

void serve(Fd& listener, const ServerOptions& opts, StopSignal& stop) {
    std::list<Worker> workers;
    ConnSlots slots(opts.max_conns);
    AcceptBackoff backoff;
    while (!stop.requested()) {
        reap_workers(workers);
        // At the limit this blocks until a client is done: clients wait in
        // the backlog meanwhile. A stop interrupts it (EINTR).
        if (!slots.wait_for_room()) {
            continue;
        }
        // Blocks until a client connects; a stop makes it fail with EINTR.
        Accepted client = accept_conn(listener, ConnMode::blocking);
        if (client.result != AcceptResult::accepted) {
            // After EMFILE this sleeps instead of spinning on an accept that
            // fails at once; the clients wait in the backlog meanwhile.
            std::this_thread::sleep_for(backoff.after(client));
            continue;
        }
        serve_connection(std::move(client), opts, stop, slots, workers);
    }
    listener.reset();
    // The threads go on echoing through the grace period; then the ones
    // still open are shut down, and the jthread destructors join them all.
    slots.finish_by(stop.requested_at() + opts.grace());
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
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        Fd listener = start_listening(opts, ConnMode::blocking);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
