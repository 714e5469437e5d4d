// thread_pool: a fixed set of worker threads serves connections taken from
// a bounded queue; the main thread only accepts.
//
// Model:    accept in main; push the connection to a queue of --queue slots;
//           each of --threads workers pops one and echoes it to the end.
// Costs:    --threads stacks and buffers, made once at start; per client a
//           queue slot and one lock round trip, no thread creation.
// Bounds:   at most --threads served at once and --queue waiting (and never
//           more than --max-conns held); when all are taken main stops
//           accepting and the kernel backlog absorbs the rest.
// Breaks:   a few slow or idle clients occupy every worker and everyone
//           else waits (head-of-line blocking); latency jumps once clients
//           exceed --threads. --idle-timeout is the only way out.
// Choose:   short, CPU-light requests at steady load, where bounded memory
//           and no per-client thread start matter.
// Compare:  thread_per_conn (same session code, a thread per client);
//           epoll_loop (one thread, no blocking per client).
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/session.hpp"
#include "core/signals.hpp"

#include "thread_pool/work_queue.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

constexpr int kDefaultThreads = 16;
constexpr int kDefaultQueue = 64;
// How often main looks again when every slot is taken; a freed slot is
// noticed within this time.
constexpr auto kReapInterval = 20ms;

struct PoolOptions {
    int threads = kDefaultThreads;
    int queue = kDefaultQueue;
};

// Connections accepted and not yet finished: queued plus in service.
using HeldCount = std::atomic<int>;

void run_worker(std::stop_token leave, WorkQueue<Accepted>& queue,
                HeldCount& held, const ServerOptions& opts, StopSignal& stop) {
    while (std::optional<Accepted> client = queue.pop(leave)) {
        serve_blocking(std::move(client->conn), client->peer, opts, stop);
        --held;
    }
}

void serve_connection(Accepted client, WorkQueue<Accepted>& queue,
                      HeldCount& held) {
    ++held;
    if (!queue.try_push(std::move(client))) {
        --held;  // only while closing; the connection closes with client
    }
}

void serve(Fd& listener, const ServerOptions& opts, const PoolOptions& pool,
           StopSignal& stop) {
    // The held count, not the queue, enforces --queue: a worker that is
    // free but has not yet woken still counts its client as queued.
    int max_held = std::min(opts.max_conns, pool.threads + pool.queue);
    WorkQueue<Accepted> queue(static_cast<std::size_t>(max_held));
    HeldCount held{0};
    std::vector<std::jthread> workers;
    for (int i = 0; i < pool.threads; ++i) {
        workers.emplace_back([&](std::stop_token leave) {
            run_worker(leave, queue, held, opts, stop);
        });
    }
    AcceptBackoff backoff;
    while (!stop.requested()) {
        // When every worker is busy and the queue is full, stop watching
        // the listener: clients wait in the backlog.
        bool room = held < max_held;
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
        serve_connection(std::move(client), queue, held);
    }
    listener.reset();
    // Workers finish their clients, then the queued ones, within the grace
    // period (a session started after it ends at once), then leave. On an
    // exception the jthreads' stop requests end the workers' waits instead.
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
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, pool, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
