#include "bench/harness/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <utility>

namespace echolab::harness {
namespace {

// Server start, connection set-up, SIGTERM and grace around each window.
constexpr double kRunOverheadS = 0.4;

std::string with_commas(double value) {
    std::string digits = std::to_string(std::llround(value));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        std::size_t left = digits.size() - i;
        if (i > 0 && left % 3 == 0 && digits[i - 1] != '-') {
            out.push_back(',');
        }
        out.push_back(digits[i]);
    }
    return out;
}

// "ok 98,000 msgs/s", "cannot serve", "FAILED: stall: ...".
std::string outcome(const benchmark::BenchmarkReporter::Run& run) {
    if (run.error_occurred) {
        if (run.error_message.rfind("model cannot serve", 0) == 0) {
            return "cannot serve";
        }
        return "FAILED: " + run.error_message.substr(0, 100);
    }
    for (auto [key, unit] : {std::pair{"msgs_per_s", " msgs/s"},
                             std::pair{"conns_per_s", " conns/s"}}) {
        auto it = run.counters.find(key);
        if (it != run.counters.end()) {
            // Counters arrive finished: a kIsRate one is already per s.
            return "ok " + with_commas(it->second.value) + unit;
        }
    }
    return "ok";
}

// "echo/epoll_loop/conns:100/bytes:64" -> "epoll_loop" and
// "conns:100 bytes:64".
std::pair<std::string, std::string> what_and_point(const std::string& name) {
    std::string what = name.substr(name.find('/') + 1);
    std::string point;
    if (auto slash = what.find('/'); slash != std::string::npos) {
        point = what.substr(slash + 1);
        what.resize(slash);
        std::replace(point.begin(), point.end(), '/', ' ');
    }
    return {what, point};
}

}  // namespace

double planned_seconds(const BenchSpec& spec, const HarnessOptions& opts) {
    switch (spec.scenario) {
        case Scenario::micro:
            return opts.quick ? 0.3 : 0.9;  // min_time and calibration
        case Scenario::floor:
            return spec.kind == "epoll_echo"
                       ? kRunOverheadS + opts.warmup_s + opts.duration_s
                       : (opts.quick ? 0.3 : 0.9);
        case Scenario::cost:
            return kRunOverheadS + 2.0 + spec.conns / 500.0;
        default:
            return kRunOverheadS +
                   std::max(opts.warmup_s, spec.conns / 1000.0) +
                   opts.duration_s;
    }
}

std::vector<BenchSpec> selected_by_filter(std::vector<BenchSpec> round,
                                          const std::string& filter) {
    if (filter.empty() || filter == "all") {
        return round;
    }
    bool invert = filter.front() == '-';
    std::regex pattern;
    try {
        pattern = std::regex(invert ? filter.substr(1) : filter,
                             std::regex::extended);
    } catch (const std::regex_error&) {
        return round;  // Google Benchmark reports the bad filter itself
    }
    std::erase_if(round, [&](const BenchSpec& spec) {
        return std::regex_search(spec.name, pattern) == invert;
    });
    return round;
}

std::string duration_text(double seconds) {
    auto s = static_cast<long>(std::lround(std::max(seconds, 0.0)));
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600,
                      s / 60 % 60);
    } else if (s >= 60) {
        std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld s", s);
    }
    return text;
}

ProgressReporter::ProgressReporter(benchmark::BenchmarkReporter& inner,
                                   std::vector<BenchSpec> round,
                                   const HarnessOptions& opts,
                                   std::ostream& out)
    : inner_(inner),
      round_(std::move(round)),
      rounds_(opts.rounds),
      out_(out),
      start_(std::chrono::steady_clock::now()) {
    for (const BenchSpec& spec : round_) {
        auto width = what_and_point(spec.name).second.size();
        point_width_ = std::max(point_width_, static_cast<int>(width));
        planned_s_.push_back(planned_seconds(spec, opts));
        planned_total_s_ += planned_s_.back() * rounds_;
    }
}

bool ProgressReporter::ReportContext(const Context& context) {
    inner_.SetOutputStream(&GetOutputStream());
    inner_.SetErrorStream(&GetErrorStream());
    start_ = std::chrono::steady_clock::now();
    return inner_.ReportContext(context);
}

void ProgressReporter::ReportRuns(const std::vector<Run>& runs) {
    inner_.ReportRuns(runs);
    if (round_.empty() || runs.empty()) {
        return;
    }
    auto found = std::find_if(round_.begin(), round_.end(), [&](auto& s) {
        return s.name == runs.front().run_name.function_name;
    });
    if (found == round_.end()) {
        return;  // not one of ours
    }
    auto index = static_cast<std::size_t>(found - round_.begin());
    const BenchSpec& spec = *found;
    ++done_;
    planned_done_s_ += planned_s_[index];
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start_;
    double left = elapsed.count() * (planned_total_s_ - planned_done_s_) /
                  planned_done_s_;
    std::string scenario = spec.name.substr(0, spec.name.find('/'));
    auto [what, point] = what_and_point(spec.name);
    std::size_t total = round_.size() * static_cast<std::size_t>(rounds_);
    char head[32];
    std::snprintf(head, sizeof head, "[%*zu/%zu] ",
                  static_cast<int>(std::to_string(total).size()), done_, total);
    char middle[160];
    std::snprintf(middle, sizeof middle, "%-8s %-18s %-*s  round %zu/%d  ",
                  scenario.c_str(), what.c_str(), point_width_, point.c_str(),
                  (done_ - 1) / round_.size() + 1, rounds_);
    out_ << head << middle << outcome(runs.front());
    if (done_ < total) {
        out_ << "  ~" << duration_text(left) << " left";
    } else {
        out_ << "  done in " << duration_text(elapsed.count());
    }
    out_ << std::endl;  // a line at a time, also into a pipe
}

void ProgressReporter::Finalize() {
    inner_.Finalize();
}

}  // namespace echolab::harness
