#include "bench/loadgen/report.hpp"

#include <cstdio>

namespace echolab::loadgen {
namespace {

using nlohmann::json;

constexpr std::pair<const char*, double> kQuantiles[] = {
    {"p50", 0.50},    {"p90", 0.90},      {"p99", 0.99},
    {"p99.9", 0.999}, {"p99.99", 0.9999},
};

std::string number(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// 1234567 -> "1,234,567": rates are read at a glance.
std::string grouped(std::uint64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

double micros(std::uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

void add_row(std::string& out, const char* label, const std::string& text) {
    char head[24];
    std::snprintf(head, sizeof head, "%-15s", label);
    out.append(head).append(text).append("\n");
}

// Microseconds with one decimal below a millisecond, grouped above.
std::string micros_text(std::uint64_t ns) {
    return ns < 1'000'000 ? number(micros(ns), 1) : grouped(ns / 1000);
}

std::string percentiles(const Histogram& h) {
    std::string out;
    for (const auto& [name, q] : kQuantiles) {
        out.append(name).append(" ").append(micros_text(h.percentile(q)));
        out.append("  ");
    }
    out.append("max ").append(micros_text(h.max()));
    return out;
}

std::string headline(const RunConfig& c, const RunResult& r) {
    std::string out = "echoload ";
    out.append(to_string(c.mode)).append(", ");
    out.append(c.rate > 0 ? "open loop" : "closed loop").append(": ");
    out.append(r.target).append(", ");
    out.append(std::to_string(c.connections));
    out.append(c.mode == Mode::connect ? " workers" : " connections");
    if (c.mode == Mode::throughput) {
        out.append(" x ")
            .append(std::to_string(c.pipeline))
            .append(" in flight");
    }
    out.append(", ").append(std::to_string(c.size)).append("-byte messages, ");
    out.append(std::to_string(c.threads));
    out.append(c.threads == 1 ? " thread" : " threads");
    return out;
}

void add_rates(std::string& out, const RunConfig& c, const RunResult& r) {
    std::string window = number(r.window_s, 2) + " s";
    if (c.messages == 0) {
        window.append(" after ").append(number(c.warmup_s, 2));
        window.append(" s warm-up");
    }
    add_row(out, "window", window);
    double rate = r.rate_per_s();
    std::string text = grouped(r.completed);
    text.append(" = ").append(grouped(static_cast<std::uint64_t>(rate)));
    text.append(" /s, ").append(
        number(rate * static_cast<double>(c.size) / 1e6, 2));
    text.append(" MB/s each way");
    add_row(out, c.mode == Mode::connect ? "connections" : "round trips", text);
}

void add_latencies(std::string& out, const RunConfig& c, const RunResult& r) {
    if (c.mode == Mode::connect) {
        add_row(out, "connect us", percentiles(r.connect_latency));
        add_row(out, "first echo us", percentiles(r.first_echo_latency));
        add_row(out, "whole us", percentiles(r.latency));
    } else {
        add_row(out, "latency us", percentiles(r.latency));
    }
    if (c.rate <= 0) {
        return;
    }
    if (c.mode == Mode::throughput) {
        add_row(out, "from send us", percentiles(r.service_latency));
    }
    const OpenLoopStats& o = r.open_loop;
    std::string text = grouped(static_cast<std::uint64_t>(c.rate));
    text.append(" /s asked; ").append(grouped(o.started)).append(" of ");
    text.append(grouped(o.scheduled)).append(" due were started in time");
    text.append(", max lag ").append(micros_text(o.max_lag_ns));
    text.append(" us");
    text.append(o.kept_up() ? " (kept up)" : " (FELL BEHIND)");
    add_row(out, "schedule", text);
}

void add_fairness(std::string& out, const RunResult& r) {
    const Fairness& f = r.fairness;
    if (f.connections < 2) {
        return;
    }
    std::string text = "per connection min " + grouped(f.min);
    text.append(", max ").append(grouped(f.max));
    if (f.starved != 0) {
        text.append("; ").append(grouped(f.starved)).append(" of ");
        text.append(grouped(f.connections));
        text.append(" connections got no round trip in the window");
    }
    add_row(out, "fairness", text);
}

void add_accounts(std::string& out, const RunConfig& c, const RunResult& r) {
    std::string text = grouped(r.messages_sent) + " sent, ";
    text.append(grouped(r.messages_verified)).append(" verified, ");
    text.append(grouped(r.bytes_sent)).append(" bytes out, ");
    text.append(grouped(r.bytes_received)).append(" back");
    add_row(out, "checked", text);
    std::string cpu = number(r.cpu_window.total_s(), 2) + " s (user ";
    cpu.append(number(r.cpu_window.user_s, 2)).append(", sys ");
    cpu.append(number(r.cpu_window.system_s, 2)).append(") = ");
    cpu.append(number(r.cpu_load() * 100, 1)).append(" % of a core, ");
    cpu.append(number(r.cpu_us_per_op(), 2)).append(" us per ");
    cpu.append(c.mode == Mode::connect ? "connection" : "round trip");
    add_row(out, "client cpu", cpu);
}

void add_errors(std::string& out, const RunResult& r) {
    if (r.errors.total() == 0) {
        add_row(out, "errors", "none");
    }
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        auto kind = static_cast<ErrorKind>(i);
        if (r.errors.count(kind) != 0) {
            std::string text = to_string(kind);
            text.append(" ").append(grouped(r.errors.count(kind)));
            text.append(", first: ").append(r.errors.first(kind));
            add_row(out, "errors", text);
        }
    }
    std::string verdict = to_string(r.verdict);
    if (!r.detail.empty()) {
        verdict.append(": ").append(r.detail);
    }
    add_row(out, "verdict", verdict);
}

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
            {"cpu", c.cpu},
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

std::string format_table(const RunConfig& config, const RunResult& result) {
    std::string out = headline(config, result) + "\n";
    add_rates(out, config, result);
    add_latencies(out, config, result);
    add_fairness(out, result);
    add_accounts(out, config, result);
    add_errors(out, result);
    return out;
}

json to_json(const RunConfig& config, const RunResult& result,
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

std::string format_progress(const Progress& p, double per_second) {
    static constexpr const char* kPhases[] = {"setup", "warmup", "measure",
                                              "drain", "done"};
    std::string out = "[";
    out.append(number(p.elapsed_s, 0)).append(" s] ");
    out.append(kPhases[static_cast<int>(p.phase)]).append("  ");
    out.append(grouped(static_cast<std::uint64_t>(per_second))).append("/s  ");
    out.append(grouped(p.done)).append(" done  errors ");
    out.append(grouped(p.errors));
    return out;
}

}  // namespace echolab::loadgen
