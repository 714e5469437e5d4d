#include "bench/loadgen/report.hpp"
#include "bench/loadgen/report_common.hpp"

#include <cstdio>

namespace echolab::loadgen {
namespace {

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
