// bench/harness/plan.hpp: which benchmarks one run holds, in which order,
// and how each variant is started for each. Pure data, no I/O, so that the
// names, the round-robin order and the model limits are unit-tested.
#pragma once

#include "bench/harness/options.hpp"
#include "support/server_registry.hpp"

#include <string>
#include <vector>

namespace echolab::harness {

enum class Scenario { throughput, accept, cost, micro, floor, scaling };

// One benchmark: a variant at one point, a micro-benchmark or a floor.
struct BenchSpec {
    Scenario scenario = Scenario::throughput;
    std::string name;  // "echo/epoll_loop/conns:100/bytes:64"
    std::string kind;  // micro and floor: "select", "pingpong_cross", ...
    support::ServerUnderTest server;  // the variant, for echo/accept/cost
    int conns = 0;  // connections, connectors, idle connections or fds
    int bytes = 0;  // message size
    // Not empty: the model cannot serve this point; the benchmark reports
    // this instead of a number.
    std::string cannot_serve;
    // Where the server runs; empty: the first --server-cpus set.
    CpuSet server_cpus = {};
};

// One round: every selected point, and within each point every variant
// in registry order, so consecutive runs compare models, not drift.
std::vector<BenchSpec> plan_round(
    const HarnessOptions& opts,
    const std::vector<support::ServerUnderTest>& servers);

// The servers of the registry and the --server ones that opts selects;
// throws std::invalid_argument naming an unknown variant or an external
// name that is a variant's.
std::vector<support::ServerUnderTest> select_servers(
    const HarnessOptions& opts,
    const std::vector<support::ServerUnderTest>& all);

// The connection count of the scaling points: the largest --conns up to
// 100 (where the models separate and the client is not yet the limit),
// else the smallest.
int scaling_conns(const HarnessOptions& opts);

// Why the server's model or its CONN_LIMIT cannot serve `conns`
// long-lived clients at once, or "".
std::string cannot_serve(const support::ServerUnderTest& server, int conns);

// The flags a variant is started with for a spec: bounds opened to the
// point's connection count where the model has them, so that a default
// limit does not pass for the model's cost.
std::vector<std::string> server_flags(const BenchSpec& spec);

}  // namespace echolab::harness
