// The echo and accept scenarios: a fresh pinned server per run, loaded by
// echolab::loadgen from this process on the client CPU.
#include "bench/harness/scenarios.hpp"
#include "bench/harness/server_run.hpp"
#include "bench/loadgen/engine.hpp"

#include <algorithm>
#include <exception>
#include <string>

namespace echolab::harness {
namespace {

using benchmark::Counter;
using loadgen::Histogram;

double micros(std::uint64_t ns) {
    return static_cast<double>(ns) / 1e3;
}

void set_percentiles(benchmark::State& state, const std::string& prefix,
                     const Histogram& h) {
    state.counters[prefix + "_p50_us"] = micros(h.percentile(0.50));
    state.counters[prefix + "_p90_us"] = micros(h.percentile(0.90));
    state.counters[prefix + "_p99_us"] = micros(h.percentile(0.99));
    state.counters[prefix + "_p999_us"] = micros(h.percentile(0.999));
    state.counters[prefix + "_max_us"] = micros(h.max());
    state.counters[prefix + "_mean_us"] = h.mean() / 1e3;
}

std::string joined(const std::vector<std::string>& flags) {
    std::string text;
    for (const std::string& flag : flags) {
        text.append(text.empty() ? "" : " ").append(flag);
    }
    return text;
}

// A point the machine cannot hold, or a model that cannot serve it, ends
// here with the reason instead of a figure.
bool refuse(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    std::string why = spec.cannot_serve;
    if (why.empty() &&
        descriptors_needed(spec.conns) > env.preflight.descriptors) {
        why = "RLIMIT_NOFILE " + std::to_string(env.preflight.descriptors) +
              " is too low for " + std::to_string(spec.conns) + " connections";
    }
    if (!why.empty()) {
        state.SkipWithError(why.c_str());
    }
    return !why.empty();
}

// Runs one load against a fresh server; false (and the error set) when
// the run or the server failed.
bool measure(benchmark::State& state, const BenchSpec& spec,
             const loadgen::RunConfig& base, const Env& env,
             loadgen::RunResult& result, ServerEnd& end, ServerSnapshot& peak) {
    std::vector<std::string> flags = server_flags(spec);
    state.SetLabel(joined(flags));
    PinnedServer server(spec.server, flags, server_cpus_of(spec, env),
                        env.opts.client_cpus);
    loadgen::RunConfig config = base;
    config.host = server.host();
    config.port = server.port();
    // Once a second: what the server holds while loaded.
    config.on_progress = [&](const loadgen::Progress&) {
        ServerSnapshot now = server.snapshot(false);
        peak.threads = std::max(peak.threads, now.threads);
        peak.processes = std::max(peak.processes, now.processes);
        peak.rss_bytes = std::max(peak.rss_bytes, now.rss_bytes);
    };
    for (auto _ : state) {
        result = loadgen::run(config);
        state.SetIterationTime(std::max(result.window_s, 1e-9));
    }
    bool alive = server.running();
    end = server.stop();
    std::string why;
    if (result.verdict != loadgen::Verdict::ok) {
        why = std::string(loadgen::to_string(result.verdict)) + ": " +
              result.detail;
    } else if (!alive || !end.clean) {
        why = "server did not exit cleanly after SIGTERM: " + end.status;
    }
    if (!why.empty()) {
        state.SkipWithError(why.c_str());
    }
    return why.empty();
}

void set_peak(benchmark::State& state, const ServerSnapshot& peak) {
    if (peak.processes > 0) {
        state.counters["server_threads_peak"] = peak.threads;
        state.counters["server_procs_peak"] = peak.processes;
        state.counters["server_rss_mib_peak"] =
            static_cast<double>(peak.rss_bytes) / (1 << 20);
    }
}

}  // namespace

CpuSet server_cpus_of(const BenchSpec& spec, const Env& env) {
    if (!env.preflight.pinned) {
        return env.opts.client_cpus;  // equal sets: nothing is pinned
    }
    return spec.server_cpus.empty() ? env.opts.server_cpu_sets.front()
                                    : spec.server_cpus;
}

loadgen::RunConfig throughput_config(const std::string& host,
                                     std::uint16_t port, const BenchSpec& spec,
                                     const Env& env) {
    loadgen::RunConfig config;
    config.host = host;
    config.port = port;
    config.mode = loadgen::Mode::throughput;
    config.connections = spec.conns;
    config.size = static_cast<std::size_t>(spec.bytes);
    // A model that forks or spawns per client needs time to take on 1000
    // of them: the window opens only after about 1 ms per connection, and
    // a client waiting for its turn is not called stalled too soon.
    double conns = spec.conns;
    config.warmup_s = std::max(env.opts.warmup_s, conns / 1000);
    config.stall_timeout_s = std::max(config.stall_timeout_s, conns / 100);
    config.duration_s = env.opts.duration_s;
    // One loop thread per client CPU, each pinned to its own.
    auto client_cpus = static_cast<int>(env.opts.client_cpus.size());
    config.threads = std::clamp(client_cpus, 1, spec.conns);
    if (env.preflight.pinned) {
        config.cpus.assign(env.opts.client_cpus.begin(),
                           env.opts.client_cpus.end());
    }
    return config;
}

void set_throughput_counters(benchmark::State& state,
                             const loadgen::RunResult& result, std::size_t size,
                             double server_cpu_s, double server_cpus_busy_s) {
    auto done = static_cast<double>(result.completed);
    state.counters["msgs_per_s"] = Counter(done, Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(result.completed) *
                            static_cast<std::int64_t>(size));
    set_percentiles(state, "rtt", result.latency);
    state.counters["client_cpu_us_per_msg"] = result.cpu_us_per_op();
    state.counters["client_cpu_load"] = result.cpu_load();
    if (server_cpu_s >= 0 && result.messages_verified > 0) {
        // Server CPU over its whole life (wait4) divided by every message
        // it echoed, warm-up and drain included, so both sides match.
        state.counters["server_cpu_us_per_msg"] =
            server_cpu_s * 1e6 / static_cast<double>(result.messages_verified);
        state.counters["server_cpu_s"] = server_cpu_s;
    }
    if (server_cpus_busy_s >= 0 && result.messages_verified > 0) {
        state.counters["server_cpus_busy_us_per_msg"] =
            server_cpus_busy_s * 1e6 /
            static_cast<double>(result.messages_verified);
    }
}

void run_echo(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    if (refuse(state, spec, env)) {
        return;
    }
    try {
        loadgen::RunResult result;
        ServerEnd end;
        ServerSnapshot peak;
        if (measure(state, spec, throughput_config("", 0, spec, env), env,
                    result, end, peak)) {
            set_throughput_counters(state, result,
                                    static_cast<std::size_t>(spec.bytes),
                                    end.cpu_s, end.cpus_busy_s);
            set_peak(state, peak);
        }
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

void run_accept(benchmark::State& state, const BenchSpec& spec,
                const Env& env) {
    if (refuse(state, spec, env)) {
        return;
    }
    try {
        loadgen::RunConfig config = throughput_config("", 0, spec, env);
        config.mode = loadgen::Mode::connect;
        loadgen::RunResult result;
        ServerEnd end;
        ServerSnapshot peak;
        if (!measure(state, spec, config, env, result, end, peak)) {
            return;
        }
        auto done = static_cast<double>(result.completed);
        state.counters["conns_per_s"] = Counter(done, Counter::kIsRate);
        set_percentiles(state, "connect", result.connect_latency);
        set_percentiles(state, "first_echo", result.first_echo_latency);
        set_percentiles(state, "round", result.latency);
        state.counters["client_cpu_load"] = result.cpu_load();
        if (result.connections_opened > 0) {
            state.counters["server_cpu_us_per_conn"] =
                end.cpu_s * 1e6 /
                static_cast<double>(result.connections_opened);
        }
        set_peak(state, peak);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

}  // namespace echolab::harness
