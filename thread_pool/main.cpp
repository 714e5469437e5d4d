// thread_pool: a fixed set of worker threads serves connections taken from
// a bounded queue; the main thread only accepts.
//
// Model:    accept in main; push the client onto a queue of --queue places;
//           each of --threads workers idles there, pops one, serves it.
//           Main waits in accept(2), or at the limit in sem_wait(3);
//           a worker in recv(2) and send(2).
//           The workers block the stop signals, so a stop interrupts main,
//           which closes the listener, waits out the grace period and then
//           shutdown(2)s what is still open.
//           A stop and --idle-timeout reach a blocked call: core/session.hpp.
// Costs:    --threads stacks and buffers, made once at start; per client a
//           queue slot and one lock round trip, no thread creation.
// Bounds:   --threads clients served and --queue waiting, at most
//           --max-conns held (by default their sum); at the limit main stops
//           accepting and new clients wait in the kernel backlog.
// Breaks:   --threads slow or idle clients hold every worker and the rest
//           wait (head-of-line blocking); --idle-timeout is the only way out.
// Choose:   short, CPU-light requests at steady load, where bounded memory
//           and no per-client thread start matter.
// Compare:  thread_per_conn (a thread per client); prefork (the same pool,
//           of processes); epoll_loop (one thread, no blocking per client).
#include "core/conn_slots.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include "thread_pool/work_queue.hpp"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace echolab;

constexpr int kDefaultThreads = 16;
constexpr int kDefaultQueue = 64;
constexpr int kDefaultMaxConns = kDefaultThreads + kDefaultQueue;

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

// Queues the client for a worker. The queue has room for every slot, so
// this fails only while closing; then the connection closes here.
void serve_connection(Accepted client, WorkQueue<Accepted>& queue,
                      ConnSlots& slots) {
    slots.hold(client.conn);
    if (!queue.try_push(std::move(client))) {
        slots.release(std::move(client.conn));
    }
}

void serve(Fd& listener, const ServerOptions& opts, const PoolOptions& pool,
           StopSignal& stop) {
    // The slots, not the queue, enforce --queue: a worker that is free but
    // has not yet woken still counts its client as queued.
    ConnSlots slots(opts.max_conns);
    WorkQueue<Accepted> queue(static_cast<std::size_t>(opts.max_conns));
    std::vector<std::jthread> workers;
    for (int i = 0; i < pool.threads; ++i) {
        workers.emplace_back([&](std::stop_token leave) {
            run_worker(leave, queue, slots, opts, stop);
        });
    }
    AcceptBackoff backoff;
    while (!stop.requested()) {
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
        serve_connection(std::move(client), queue, slots);
    }
    listener.reset();
    // Workers finish their clients, then the queued ones, within the grace
    // period; then the rest is shut down (a session started later ends at
    // once). On an exception, the jthreads' stop requests free the workers.
    slots.finish_by(stop.requested_at() + opts.grace());
    queue.close();
    workers.clear();
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    PoolOptions pool;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"thread_pool: an echo server with a fixed pool of threads"};
    add_common_flags(app, opts);
    add_number_flag(app, "--threads", pool.threads, "Worker threads", 1, 4096);
    add_number_flag(app, "--queue", pool.queue,
                    "Accepted connections waiting for a worker", 0, 1 << 16);
    app.footer("--max-conns defaults to --threads + --queue.");
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    // Never more held than the pool serves and queues. Computed after
    // parsing, or --threads 128 would still be capped at the defaults' 80.
    int pool_size = pool.threads + pool.queue;
    if (app.count("--max-conns") == 0 || opts.max_conns > pool_size) {
        opts.max_conns = pool_size;
    }
    try {
        StopSignal& stop = StopSignal::install(StopWake::interrupt);
        Fd listener = start_listening(opts, ConnMode::blocking);
        serve(listener, opts, pool, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
