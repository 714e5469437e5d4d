#include "bench/harness/plan.hpp"

#include <algorithm>
#include <stdexcept>

namespace echolab::harness {
namespace {

using support::Model;
using support::ServerUnderTest;

// Room above the point's own connections for the load generator's probe
// connection; small, and capped at a variant's CONN_LIMIT, which may sit
// just above the largest default point (select_loop's 1008).
constexpr int kConnSlack = 8;

std::string point_name(const char* prefix, const std::string& variant,
                       const std::string& rest) {
    std::string name = prefix;
    name.append("/").append(variant).append("/").append(rest);
    return name;
}

void add_echo(std::vector<BenchSpec>& out, const HarnessOptions& opts,
              const std::vector<ServerUnderTest>& servers) {
    for (int size : opts.sizes) {
        for (int conns : opts.conns) {
            for (const ServerUnderTest& s : servers) {
                BenchSpec spec{Scenario::throughput,  "", "", s, conns, size,
                               cannot_serve(s, conns)};
                spec.name = point_name("echo", s.name,
                                       "conns:" + std::to_string(conns) +
                                           "/bytes:" + std::to_string(size));
                out.push_back(spec);
            }
        }
    }
}

// Short connections queue in the backlog and are served in turn, so every
// model can serve connect mode; the queueing shows as latency.
void add_accept(std::vector<BenchSpec>& out, const HarnessOptions& opts,
                const std::vector<ServerUnderTest>& servers) {
    for (int conns : opts.accept_conns) {
        for (const ServerUnderTest& s : servers) {
            BenchSpec spec{Scenario::accept, "", "", s, conns, 64, ""};
            spec.name =
                point_name("accept", s.name, "conns:" + std::to_string(conns));
            out.push_back(spec);
        }
    }
}

void add_cost(std::vector<BenchSpec>& out, const HarnessOptions& opts,
              const std::vector<ServerUnderTest>& servers) {
    for (const ServerUnderTest& s : servers) {
        BenchSpec spec{Scenario::cost, "", "", s, opts.idle_conns, 1, ""};
        spec.name = point_name("cost", s.name,
                               "idle:" + std::to_string(opts.idle_conns));
        out.push_back(spec);
    }
}

void add_micro(std::vector<BenchSpec>& out, const HarnessOptions& opts) {
    for (const char* kind :
         {"fork_exit_wait", "thread_create_join", "fd_handoff"}) {
        out.push_back({Scenario::micro,
                       std::string("micro/") + kind,
                       kind,
                       {},
                       0,
                       0,
                       ""});
    }
    // As many blocked tasks as a pool of 100 workers has at 100 clients.
    constexpr int kRingTasks = 100;
    for (const char* kind : {"switch_threads", "switch_processes"}) {
        std::string name = std::string("micro/") + kind +
                           "/tasks:" + std::to_string(kRingTasks);
        out.push_back({Scenario::micro, name, kind, {}, kRingTasks, 0, ""});
    }
    for (const char* kind : {"select", "poll", "epoll_wait"}) {
        for (int fds : opts.watched_fds) {
            std::string name = std::string("micro/") + kind;
            name.append("/fds:").append(std::to_string(fds));
            out.push_back({Scenario::micro, name, kind, {}, fds, 0, ""});
        }
    }
}

void add_floor(std::vector<BenchSpec>& out, const HarnessOptions& opts) {
    struct Floor {
        const char* kind;
        const char* name;
        int conns;
    };
    constexpr Floor kFloors[] = {
        {"send_recv", "floor/send_recv", 1},
        {"pingpong_same", "floor/pingpong_same_cpu", 1},
        {"pingpong_cross", "floor/pingpong_cross_cpu", 1},
        {"epoll_echo", "floor/epoll_echo/conns:100", 100},
    };
    for (int size : opts.sizes) {
        for (const Floor& f : kFloors) {
            std::string name = f.name;
            name.append("/bytes:").append(std::to_string(size));
            out.push_back(
                {Scenario::floor, name, f.kind, {}, f.conns, size, ""});
        }
    }
}

// Throughput against server CPUs: every --server-cpus set at one point,
// named by the set's size (the sizes differ, options.cpp checks).
void add_scaling(std::vector<BenchSpec>& out, const HarnessOptions& opts,
                 const std::vector<ServerUnderTest>& servers) {
    int conns = scaling_conns(opts);
    int size = opts.sizes.front();
    for (const CpuSet& cpus : opts.server_cpu_sets) {
        for (const ServerUnderTest& s : servers) {
            BenchSpec spec{Scenario::scaling,      "",  "", s, conns, size,
                           cannot_serve(s, conns), cpus};
            spec.name =
                point_name("scaling", s.name,
                           "server_cpus:" + std::to_string(cpus.size()) +
                               "/conns:" + std::to_string(conns) +
                               "/bytes:" + std::to_string(size));
            out.push_back(spec);
        }
    }
}

}  // namespace

int scaling_conns(const HarnessOptions& opts) {
    int best = 0;
    for (int n : opts.conns) {
        best = n <= 100 ? std::max(best, n) : best;
    }
    return best > 0 ? best
                    : *std::min_element(opts.conns.begin(), opts.conns.end());
}

std::string cannot_serve(const ServerUnderTest& server, int conns) {
    if (server.model == Model::one_at_a_time && conns > 1) {
        return "model cannot serve " + std::to_string(conns) +
               " concurrent clients: it serves one at a time and the "
               "others wait until that one leaves";
    }
    if (server.conn_limit > 0 && conns > server.conn_limit) {
        return "model cannot serve " + std::to_string(conns) +
               " concurrent clients: --max-conns stops at " +
               std::to_string(server.conn_limit);
    }
    return "";
}

std::vector<ServerUnderTest> select_servers(
    const HarnessOptions& opts, const std::vector<ServerUnderTest>& registry) {
    std::vector<ServerUnderTest> all = registry;
    for (const ExternalServer& e : opts.external) {
        for (const ServerUnderTest& s : registry) {
            if (s.name == e.name) {
                throw std::invalid_argument("--server " + e.name +
                                            ": a variant has that name");
            }
        }
        // Assumed to serve every client at once; a server that cannot
        // shows as a stall in the report's failures.
        ServerUnderTest outside;
        outside.name = e.name;
        outside.command = e.command;
        outside.model = Model::per_connection;
        all.push_back(outside);
    }
    if (opts.variants.empty()) {
        return all;
    }
    std::vector<ServerUnderTest> chosen;
    for (const std::string& name : opts.variants) {
        auto it = std::find_if(all.begin(), all.end(),
                               [&](const auto& s) { return s.name == name; });
        if (it == all.end()) {
            throw std::invalid_argument("unknown variant '" + name + "'");
        }
        chosen.push_back(*it);
    }
    return chosen;
}

std::vector<BenchSpec> plan_round(const HarnessOptions& opts,
                                  const std::vector<ServerUnderTest>& servers) {
    std::vector<BenchSpec> out;
    if (wants(opts, "floor")) {
        add_floor(out, opts);
    }
    if (wants(opts, "throughput")) {
        add_echo(out, opts, servers);
    }
    if (wants(opts, "throughput") && opts.server_cpu_sets.size() > 1) {
        add_scaling(out, opts, servers);
    }
    if (wants(opts, "accept")) {
        add_accept(out, opts, servers);
    }
    if (wants(opts, "cost")) {
        add_cost(out, opts, servers);
    }
    if (wants(opts, "micro")) {
        add_micro(out, opts);
    }
    return out;
}

std::vector<std::string> server_flags(const BenchSpec& spec) {
    const ServerUnderTest& s = spec.server;
    if (s.model == Model::one_at_a_time || !s.command.empty()) {
        return {};
    }
    if (spec.scenario == Scenario::accept) {
        return {};  // short connections: every default suffices
    }
    int wanted = spec.conns + kConnSlack;
    if (s.conn_limit > 0) {
        wanted = std::min(wanted, s.conn_limit);
    }
    std::string limit = std::to_string(wanted);
    if (s.model == Model::worker_pool && spec.scenario == Scenario::cost) {
        return {};  // the pool's bound is what the cost scenario shows
    }
    if (s.model == Model::worker_pool) {
        // Long-lived clients each hold a worker to the end, so a pool
        // smaller than the load would leave clients unserved forever: the
        // pool is sized to the point, and --max-conns with it.
        return {s.pool_flag, limit, "--max-conns", limit};
    }
    return {"--max-conns", limit};
}

}  // namespace echolab::harness
