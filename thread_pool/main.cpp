// thread_pool: a fixed set of worker threads serves connections taken from
// a bounded queue; the main thread only accepts.
//
// Model:    accept in main; push the connection to a queue of --queue slots;
//           each of --threads workers pops one and echoes it to the end.
//           Main waits in accept(2), or when all is taken in sem_wait(3);
//           a worker in recv(2) and send(2), or in the queue when idle.
//           The workers block the stop signals, so a stop interrupts main
//           (EINTR), which closes the listener, waits out the grace period
//           and then shutdown(2)s what is still open.
// Costs:    --threads stacks and buffers, made once at start; per client a
//           queue slot and one lock round trip, no thread creation.
// Bounds:   at most --threads served at once and --queue waiting (and never
//           more than --max-conns held, by default --threads + --queue);
//           when all are taken main stops accepting and the kernel backlog
//           absorbs the rest.
// Breaks:   a few slow or idle clients occupy every worker and everyone
//           else waits (head-of-line blocking); latency jumps once clients
//           exceed --threads. --idle-timeout is the only way out.
// Choose:   short, CPU-light requests at steady load, where bounded memory
//           and no per-client thread start matter.
// Compare:  thread_per_conn (same session code, a thread per client);
//           prefork (the same fixed pool, of processes); epoll_loop (one
//           thread, no blocking per client).
#include "core/conn_slots.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include "thread_pool/work_queue.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace echolab;

constexpr int kDefaultThreads = 16;
constexpr int kDefaultQueue = 64;

struct PoolOptions {
    int threads = kDefaultThreads;
    int queue = kDefaultQueue;
};

void run_worker(std::stop_token leave, WorkQueue<Accepted>& queue,
                ConnSlots& slots, const ServerOptions& opts, StopSignal& stop) {
    block_stop_signals();
    while (std::optional<Accepted> client = queue.pop(leave)) {
        serve_blocking(client->conn, client->peer, opts, stop);
        slots.release(std::move(client->conn));
    }
}

void serve_connection(Accepted client, WorkQueue<Accepted>& queue,
                      ConnSlots& slots) {
    slots.hold(client.conn);
    // The queue has a place for every slot, so this fails only while
    // closing; then the connection closes here.
    if (!queue.try_push(std::move(client))) {
        slots.release(std::move(client.conn));
    }
}

void serve(Fd& listener, const ServerOptions& opts, const PoolOptions& pool,
           StopSignal& stop) {
    // The slots, not the queue, enforce --queue: a worker that is free but
    // has not yet woken still counts its client as queued.
    int max_held = std::min(opts.max_conns, pool.threads + pool.queue);
    ConnSlots slots(max_held);
    WorkQueue<Accepted> queue(static_cast<std::size_t>(max_held));
    std::vector<std::jthread> workers;
    for (int i = 0; i < pool.threads; ++i) {
        workers.emplace_back([&](std::stop_token leave) {
            run_worker(leave, queue, slots, opts, stop);
        });
    }
    AcceptBackoff backoff;
    while (!stop.requested()) {
        // When every worker is busy and the queue is full, this blocks
        // until one finishes: clients wait in the backlog. A stop
        // interrupts it (EINTR).
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
        serve_connection(std::move(client), queue, slots);
    }
    listener.reset();
    // Workers finish their clients, then the queued ones, within the grace
    // period; then what is still open is shut down, and a session started
    // after it ends at once. On an exception the jthreads' stop requests
    // end the workers' waits instead.
    slots.finish_by(stop.requested_at() + opts.grace());
    queue.close();
    workers.clear();
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    PoolOptions pool;
    opts.max_conns = kDefaultThreads + kDefaultQueue;
    CLI::App app{"thread_pool: an echo server with a fixed pool of threads"};
    add_common_flags(app, opts);
    app.add_option("--threads", pool.threads, "Worker threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    app.add_option("--queue", pool.queue,
                   "Accepted connections waiting for a worker")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 16));
    app.footer("--max-conns defaults to --threads + --queue.");
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    // A default that follows other flags is computed after parsing, or
    // --threads 128 would still be capped at the 80 of the defaults.
    if (app.count("--max-conns") == 0) {
        opts.max_conns = pool.threads + pool.queue;
    }
    try {
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        Fd listener = start_listening(opts);
        // A blocking listener: accept(2) itself is where this server waits.
        if (auto error = set_nonblocking(listener, false)) {
            throw SetupError(error.value(), "fcntl(O_NONBLOCK)");
        }
        serve(listener, opts, pool, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
