#include "bench/loadgen/engine.hpp"

#include "core/error.hpp"
#include "core/listen.hpp"

#include "bench/loadgen/connect_worker.hpp"
#include "bench/loadgen/cpu.hpp"
#include "bench/loadgen/stream_worker.hpp"
#include "support/fd_limit.hpp"

#include <algorithm>
#include <barrier>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace echolab::loadgen {
namespace {

constexpr Nanos kProgressInterval = kNanosPerSecond;

// Each connection needs a descriptor; raise the soft limit as far as the
// hard one allows rather than fail at connection 1020.
void ensure_descriptors(const RunConfig& config) {
    long need = static_cast<long>(config.connections) +
                static_cast<long>(4 * config.threads) + 32;
    if (support::raise_descriptor_limit(need) < need) {
        throw SetupError(EMFILE, "setrlimit(RLIMIT_NOFILE) to " +
                                     std::to_string(need) + " descriptors");
    }
}

// The first connect says whether anyone is listening (so a refusal is a
// clear setup error) and which of the resolved addresses answered.
SocketAddress reach_target(const RunConfig& config) {
    Fd probe = connect_tcp(config.host, config.port);
    return peer_address(probe);
}

Timeline plan(const RunConfig& config, Nanos start) {
    Nanos warmup = config.messages ? 0 : from_seconds(config.warmup_s);
    return {start, start + warmup,
            start + warmup + from_seconds(config.duration_s)};
}

std::unique_ptr<Worker> make_worker(RunContext& ctx, int index) {
    const RunConfig& c = ctx.config;
    // Deal the connections out: the first (connections % threads) threads
    // get one more.
    int count =
        c.connections / c.threads + (index < c.connections % c.threads ? 1 : 0);
    if (c.mode == Mode::connect) {
        return std::make_unique<ConnectWorker>(ctx, index, count);
    }
    return std::make_unique<StreamWorker>(ctx, index, count);
}

Phase phase_at(const Timeline& t, Nanos now) {
    if (now < t.window_start) {
        return Phase::warmup;
    }
    return now < t.window_end ? Phase::measure : Phase::drain;
}

// Starts the workers' threads, watches them for the controller, and
// joins them. All shared state is behind mutex_ except what the workers
// publish through atomics.
class Crew {
public:
    Crew(RunContext& ctx, std::vector<std::unique_ptr<Worker>>& workers)
        : ctx_(ctx),
          workers_(workers),
          barrier_(static_cast<std::ptrdiff_t>(workers.size()), Begin{this}) {
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            threads_.emplace_back([this, i] { work(*workers_[i], i); });
        }
    }
    ~Crew() {
        for (std::thread& t : threads_) {
            t.join();
        }
    }
    Crew(const Crew&) = delete;
    Crew& operator=(const Crew&) = delete;

    // Reports progress and takes the CPU snapshots until every worker is
    // done; returns the CPU used in the window and in all.
    void supervise(CpuTimes& window, CpuTimes& total);
    std::exception_ptr setup_error() const { return setup_error_; }

private:
    struct Begin {
        Crew* crew;
        // Runs once, when every thread has its connections: the clock of
        // the run starts here, for all threads alike.
        void operator()() noexcept {
            std::lock_guard lock(crew->mutex_);
            crew->ctx_.times = plan(crew->ctx_.config, now_ns());
            crew->started_ = true;
            crew->changed_.notify_all();
        }
    };

    void work(Worker& worker, std::size_t index);
    Progress progress(Nanos now) const;

    RunContext& ctx_;
    std::vector<std::unique_ptr<Worker>>& workers_;
    std::barrier<Begin> barrier_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool started_ = false;
    std::size_t finished_ = 0;
    std::exception_ptr setup_error_;
};

void Crew::work(Worker& worker, std::size_t index) {
    if (const std::vector<int>& cpus = ctx_.config.cpus; !cpus.empty()) {
        // validate() checked the CPUs; a failure here only costs pinning.
        (void)pin_thread_to_cpu(cpus[index % cpus.size()]);
    }
    try {
        worker.setup();
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (!setup_error_) {
            setup_error_ = std::current_exception();
        }
        ctx_.request_stop();
    }
    barrier_.arrive_and_wait();
    if (!ctx_.stop_requested()) {
        worker.run();
    }
    std::lock_guard lock(mutex_);
    ++finished_;
    changed_.notify_all();
}

void Crew::supervise(CpuTimes& window, CpuTimes& total) {
    CpuTimes at_start = process_cpu_times();
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return started_; });
    const Timeline t = ctx_.times;
    CpuTimes at_window = at_start;
    CpuTimes at_end{};
    bool in_window = false;
    bool past_window = false;
    Nanos next_report = t.start + kProgressInterval;
    while (finished_ < workers_.size()) {
        Nanos wake = next_report;
        if (!past_window) {
            wake = std::min(wake, in_window ? t.window_end : t.window_start);
        }
        changed_.wait_until(lock, to_time_point(wake),
                            [this] { return finished_ == workers_.size(); });
        Nanos now = now_ns();
        if (!in_window && now >= t.window_start) {
            at_window = process_cpu_times();
            in_window = true;
        }
        if (!past_window && now >= t.window_end) {
            at_end = process_cpu_times();
            past_window = true;
        }
        if (now >= next_report) {
            next_report += kProgressInterval;
            if (ctx_.config.on_progress) {
                lock.unlock();
                ctx_.config.on_progress(progress(now));
                lock.lock();
            }
        }
    }
    CpuTimes at_finish = process_cpu_times();
    window = (past_window ? at_end : at_finish) - at_window;
    total = at_finish - at_start;
}

Progress Crew::progress(Nanos now) const {
    Progress p;
    p.elapsed_s = to_seconds(now - ctx_.times.start);
    p.phase = phase_at(ctx_.times, now);
    for (const auto& worker : workers_) {
        p.done += worker->done_so_far();
        p.errors += worker->errors_so_far();
    }
    return p;
}

}  // namespace

RunResult run(const RunConfig& config) {
    if (auto error = validate(config)) {
        throw std::invalid_argument("--" + error->field + ": " +
                                    error->message);
    }
    ensure_descriptors(config);
    RunContext ctx(config, reach_target(config));
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < config.threads; ++i) {
        workers.push_back(make_worker(ctx, i));
    }
    RunResult result;
    result.target = to_string(ctx.target);
    std::exception_ptr setup_error;
    {
        Crew crew(ctx, workers);
        crew.supervise(result.cpu_window, result.cpu_total);
        setup_error = crew.setup_error();
    }
    if (setup_error) {
        std::rethrow_exception(setup_error);
    }
    Nanos end = ctx.times.start;
    for (const auto& worker : workers) {
        merge_into(result, worker->result());
        end = std::max(end, worker->finished_at());
    }
    Nanos window = std::min(end, ctx.times.window_end) - ctx.times.window_start;
    result.window_s = to_seconds(std::max<Nanos>(window, 0));
    settle_verdict(result);
    return result;
}

}  // namespace echolab::loadgen
