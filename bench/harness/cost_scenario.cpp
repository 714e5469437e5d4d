// The cost scenario: what K open, idle connections cost a model in memory,
// threads, processes and descriptors, read from /proc while they are open.
#include "core/error.hpp"

#include "bench/harness/scenarios.hpp"
#include "bench/harness/server_run.hpp"
#include "support/test_client.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

namespace echolab::harness {
namespace {

using namespace std::chrono_literals;
using support::Millis;

// A model that serves no more clients after its first burst (a pool, one
// at a time) is recognised by this long a silence; one that forks or
// spawns per client keeps answering, for at most kServeLimit.
constexpr int kQuietMs = 500;
constexpr auto kServeLimit = 20s;
// Threads and children finish starting after the echo that proved them.
constexpr auto kSettle = 100ms;

double kib(long long bytes) {
    return static_cast<double>(bytes) / 1024;
}

struct Opened {
    std::vector<support::TestClient> clients;
    int served = 0;  // clients whose byte came back
};

// How many clients got their byte back, waiting as long as echoes keep
// coming: forking 500 children can take seconds on a busy machine.
int wait_for_echoes(std::vector<support::TestClient>& clients) {
    std::vector<bool> done(clients.size(), false);
    int served = 0;
    auto deadline = std::chrono::steady_clock::now() + kServeLimit;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<pollfd> fds;
        std::vector<std::size_t> index;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (!done[i]) {
                fds.push_back({clients[i].sock().get(), POLLIN, 0});
                index.push_back(i);
            }
        }
        if (fds.empty() || ::poll(fds.data(), fds.size(), kQuietMs) <= 0) {
            break;
        }
        for (std::size_t k = 0; k < fds.size(); ++k) {
            char byte = 0;
            if (fds[k].revents != 0) {
                done[index[k]] = true;
                served += ::recv(fds[k].fd, &byte, 1, 0) == 1 ? 1 : 0;
            }
        }
    }
    return served;
}

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
    out.served = wait_for_echoes(out.clients);
    return out;
}

void measure_cost(benchmark::State& state, const BenchSpec& spec,
                  const Env& env) {
    std::vector<std::string> flags = server_flags(spec);
    PinnedServer server(spec.server, flags, server_cpus_of(spec, env),
                        env.opts.client_cpus);
    // One finished client first, so lazy start-up costs are not charged
    // to the idle connections.
    std::string problem =
        support::echo_problem(server.host(), server.port(), 64, Millis{2000});
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
