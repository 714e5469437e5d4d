#include "bench/loadgen/worker.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

#include <sys/eventfd.h>
#include <unistd.h>

namespace echolab::loadgen {

RunContext::RunContext(const RunConfig& run_config,
                       const SocketAddress& target_address)
    : config(run_config),
      pattern(shared_pattern()),
      target(target_address),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!stop_fd_) {
        throw SetupError(errno, "eventfd");
    }
}

void RunContext::request_stop() noexcept {
    stop_.store(true, std::memory_order_relaxed);
    // Never read, so it stays readable and wakes every loop, now and later.
    std::uint64_t one = 1;
    (void)!::write(stop_fd_.get(), &one, sizeof one);
}

Worker::Worker(RunContext& ctx, int index, int connections)
    : ctx_(ctx),
      config_(ctx.config),
      index_(index),
      connections_(connections),
      loop_(ctx.stop_fd()),
      stall_after_(from_seconds(ctx.config.stall_timeout_s)) {}

void Worker::count_error(ErrorKind kind, std::string example, Nanos now) {
    result_.errors.add(kind, std::move(example), now);
    errors_.store(result_.errors.total(), std::memory_order_relaxed);
    // On loopback a refusal means no listener at all: retrying would only
    // spin, so the run ends with what it has.
    if (kind == ErrorKind::refused) {
        ctx_.request_stop();
    }
}

void Worker::report_stall(std::string what) {
    if (result_.verdict != Verdict::stalled) {
        result_.verdict = Verdict::stalled;
        result_.detail = std::move(what);
        result_.errors.add(ErrorKind::timeout, result_.detail, now_ns());
    }
    ctx_.request_stop();
}

bool Worker::watchdog_due(Nanos now) noexcept {
    if (now < next_check_) {
        return false;
    }
    // Often enough to name a stall within 10 % of the timeout, rarely
    // enough that walking the connections costs nothing measurable.
    constexpr Nanos kMin = 1'000'000;
    constexpr Nanos kMax = 100'000'000;
    next_check_ = now + std::clamp(stall_after_ / 10, kMin, kMax);
    return true;
}

void Worker::note_start(Nanos due, Nanos now) noexcept {
    const Timeline& t = ctx_.times;
    if (due < t.window_start || due >= t.window_end) {
        return;
    }
    OpenLoopStats& stats = result_.open_loop;
    if (now < t.window_end) {
        ++stats.started;
    }
    stats.max_lag_ns =
        std::max(stats.max_lag_ns, static_cast<std::uint64_t>(now - due));
}

}  // namespace echolab::loadgen
