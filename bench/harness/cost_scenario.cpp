// The cost scenario: what K open, idle connections cost a model in memory,
// threads, processes and descriptors, read from /proc while they are open.
#include "core/error.hpp"

#include "bench/harness/scenarios.hpp"
#include "bench/harness/server_run.hpp"
#include "tests/support/test_client.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <thread>

namespace echolab::harness {
namespace {

using namespace std::chrono_literals;
using test::Millis;

// Long enough for a per-connection model to accept K clients, short
// enough that a bounded model's unserved clients do not stall the sweep.
constexpr Millis kServeWait{2000};
// Threads and children finish starting after the echo that proved them.
constexpr auto kSettle = 100ms;

double kib(long long bytes) {
    return static_cast<double>(bytes) / 1024;
}

struct Opened {
    std::vector<test::TestClient> clients;
    int served = 0;  // clients whose byte came back
};

// Opens k clients that each send one byte and then stay silent.
Opened open_idle(const PinnedServer& server, int k) {
    Opened out;
    for (int i = 0; i < k; ++i) {
        out.clients.emplace_back(server.host(), server.port());
        if (!out.clients.back().connected()) {
            throw std::runtime_error(
                "connect " + std::to_string(i) + ": " +
                error_text(out.clients.back().connect_error()));
        }
        out.clients.back().send("x", Millis{100});
    }
    for (const test::Received& r :
         test::receive_all(out.clients, 1, false, kServeWait)) {
        out.served += r.data.size() == 1 ? 1 : 0;
    }
    return out;
}

void measure_cost(benchmark::State& state, const BenchSpec& spec,
                  const Env& env) {
    std::vector<std::string> flags = server_flags(spec);
    PinnedServer server(spec.server, flags, env.opts.server_cpu,
                        env.opts.client_cpu);
    // One finished client first, so lazy start-up costs are not charged
    // to the idle connections.
    std::string problem =
        test::echo_problem(server.host(), server.port(), 64, Millis{2000});
    if (!problem.empty()) {
        throw std::runtime_error("first echo: " + problem);
    }
    std::this_thread::sleep_for(kSettle);
    ServerSnapshot before = server.snapshot();
    ServerSnapshot held;
    int served = 0;
    for (auto _ : state) {
        auto start = std::chrono::steady_clock::now();
        Opened opened = open_idle(server, spec.conns);
        std::chrono::duration<double> took =
            std::chrono::steady_clock::now() - start;
        state.SetIterationTime(took.count());
        std::this_thread::sleep_for(kSettle);
        held = server.snapshot();
        served = opened.served;
    }
    ServerEnd end = server.stop();
    if (!end.clean) {
        throw std::runtime_error("server did not exit cleanly: " + end.status);
    }
    double k = spec.conns;
    state.counters["idle_conns"] = k;
    state.counters["served"] = served;
    state.counters["rss_per_conn_kib"] =
        kib(held.rss_bytes - before.rss_bytes) / k;
    state.counters["pss_per_conn_kib"] =
        kib(held.pss_bytes - before.pss_bytes) / k;
    state.counters["rss_mib"] = kib(held.rss_bytes) / 1024;
    state.counters["rss_base_mib"] = kib(before.rss_bytes) / 1024;
    state.counters["threads"] = held.threads;
    state.counters["processes"] = held.processes;
    state.counters["server_fds"] = held.fds;
}

}  // namespace

void run_cost(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    if (descriptors_needed(spec.conns) > env.preflight.descriptors) {
        state.SkipWithError("RLIMIT_NOFILE too low for the idle clients");
        return;
    }
    try {
        measure_cost(state, spec, env);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

}  // namespace echolab::harness
