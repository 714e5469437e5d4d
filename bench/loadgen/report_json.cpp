#include "bench/loadgen/report.hpp"
#include "bench/loadgen/report_common.hpp"

namespace echolab::loadgen {
namespace {

using nlohmann::json;

json histogram_json(const Histogram& h) {
    json out = {{"count", h.count()},
                {"min", micros(h.min())},
                {"mean", h.mean() / 1000.0},
                {"max", micros(h.max())}};
    for (const auto& [name, q] : kQuantiles) {
        out[name] = micros(h.percentile(q));
    }
    json buckets = json::array();
    for (const Histogram::Bucket& b : h.nonzero_buckets()) {
        buckets.push_back({micros(b.low), micros(b.high), b.count});
    }
    out["buckets"] = std::move(buckets);  // [low_us, high_us, count]
    return out;
}

json parameters_json(const RunConfig& c) {
    return {{"host", c.host},
            {"port", c.port},
            {"mode", to_string(c.mode)},
            {"open_loop", c.rate > 0},
            {"connections", c.connections},
            {"pipeline", c.pipeline},
            {"size", c.size},
            {"warmup_s", c.warmup_s},
            {"duration_s", c.duration_s},
            {"messages", c.messages},
            {"rate", c.rate},
            {"threads", c.threads},
            {"cpus", c.cpus},
            {"stall_timeout_s", c.stall_timeout_s},
            {"spread_sources", c.spread_sources}};
}

json counts_json(const RunResult& r) {
    return {{"completed", r.completed},
            {"rate_per_s", r.rate_per_s()},
            {"messages_sent", r.messages_sent},
            {"messages_verified", r.messages_verified},
            {"bytes_sent", r.bytes_sent},
            {"bytes_received", r.bytes_received},
            {"connections_opened", r.connections_opened}};
}

json cpu_json(const CpuTimes& t) {
    return {{"user_s", t.user_s},
            {"system_s", t.system_s},
            {"total_s", t.total_s()}};
}

json errors_json(const ErrorCounts& e) {
    json out = json::object();
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        auto kind = static_cast<ErrorKind>(i);
        out[to_string(kind)] = {{"count", e.count(kind)},
                                {"first", e.first(kind)}};
    }
    return out;
}

json machine_json(const MachineInfo& m) {
    return {{"hostname", m.hostname},
            {"kernel", m.kernel},
            {"arch", m.arch},
            {"cpu_model", m.cpu_model},
            {"cpus_online", m.cpus_online},
            {"cpus_allowed", m.cpus_allowed},
            {"ip_local_port_range", m.port_range},
            {"tcp_tw_reuse", m.tcp_tw_reuse}};
}

}  // namespace

nlohmann::json to_json(const RunConfig& config, const RunResult& result,
                       const MachineInfo& machine) {
    const OpenLoopStats& o = result.open_loop;
    double mb = result.rate_per_s() * static_cast<double>(config.size) / 1e6;
    return {
        {"tool", "echoload"},
        {"parameters", parameters_json(config)},
        {"target", result.target},
        {"verdict", to_string(result.verdict)},
        {"detail", result.detail},
        {"exit_status", exit_status(result)},
        {"window_s", result.window_s},
        {"megabytes_per_s", mb},
        {"counts", counts_json(result)},
        {"latency_us", histogram_json(result.latency)},
        {"service_latency_us", histogram_json(result.service_latency)},
        {"connect_latency_us", histogram_json(result.connect_latency)},
        {"first_echo_latency_us", histogram_json(result.first_echo_latency)},
        {"fairness",
         {{"connections", result.fairness.connections},
          {"min", result.fairness.min},
          {"max", result.fairness.max},
          {"starved", result.fairness.starved}}},
        {"open_loop",
         {{"scheduled", o.scheduled},
          {"started", o.started},
          {"max_lag_us", micros(o.max_lag_ns)},
          {"kept_up", o.kept_up()}}},
        {"errors", errors_json(result.errors)},
        {"cpu",
         {{"window", cpu_json(result.cpu_window)},
          {"total", cpu_json(result.cpu_total)},
          {"load", result.cpu_load()},
          {"us_per_op", result.cpu_us_per_op()}}},
        {"machine", machine_json(machine)},
    };
}

}  // namespace echolab::loadgen
