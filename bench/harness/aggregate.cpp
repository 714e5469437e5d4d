#include "bench/harness/aggregate.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace echolab::harness {
namespace {

using Statistic = std::function<double(std::vector<double>)>;

double min_of(std::vector<double> v) {
    return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}

double max_of(std::vector<double> v) {
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

// Per-iteration times, since micro-benchmarks' rounds may differ in
// their iteration counts.
double per_iteration(double total, const Run& run) {
    return run.iterations > 0 ? total / static_cast<double>(run.iterations)
                              : total;
}

Run aggregate(const std::vector<const Run*>& ok, const std::string& name,
              const Statistic& stat) {
    Run out = *ok.front();
    out.run_type = Run::RT_Aggregate;
    out.aggregate_name = name;
    out.aggregate_unit = benchmark::kTime;
    out.repetition_index = Run::no_repetition_index;
    out.iterations = 1;
    std::vector<double> real;
    std::vector<double> cpu;
    for (const Run* run : ok) {
        real.push_back(per_iteration(run->real_accumulated_time, *run));
        cpu.push_back(per_iteration(run->cpu_accumulated_time, *run));
    }
    out.real_accumulated_time = stat(real);
    out.cpu_accumulated_time = stat(cpu);
    for (auto& [key, counter] : out.counters) {
        std::vector<double> values;
        for (const Run* run : ok) {
            auto it = run->counters.find(key);
            if (it != run->counters.end()) {
                values.push_back(it->second.value);
            }
        }
        counter.value = stat(values);
    }
    return out;
}

}  // namespace

double median_of(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid]
                                  : (values[mid - 1] + values[mid]) / 2;
}

std::vector<Run> aggregates_of(const std::vector<Run>& runs) {
    std::vector<const Run*> ok;
    for (const Run& run : runs) {
        if (!run.error_occurred) {
            ok.push_back(&run);
        }
    }
    if (ok.size() < 2) {
        return {};
    }
    return {aggregate(ok, "median", median_of), aggregate(ok, "min", min_of),
            aggregate(ok, "max", max_of)};
}

bool RoundsReporter::ReportContext(const Context& context) {
    inner_.SetOutputStream(&GetOutputStream());
    inner_.SetErrorStream(&GetErrorStream());
    return inner_.ReportContext(context);
}

void RoundsReporter::ReportRuns(const std::vector<Run>& runs) {
    std::vector<Run> numbered = runs;
    for (Run& run : numbered) {
        std::string name = run.benchmark_name();
        auto& seen = runs_[name];
        if (seen.empty()) {
            order_.push_back(name);
        }
        run.repetition_index = static_cast<std::int64_t>(seen.size());
        run.repetitions = rounds_;
        seen.push_back(run);
    }
    inner_.ReportRuns(numbered);
}

void RoundsReporter::Finalize() {
    for (const std::string& name : order_) {
        std::vector<Run> summary = aggregates_of(runs_[name]);
        if (!summary.empty()) {
            inner_.ReportRuns(summary);
        }
    }
    inner_.Finalize();
}

}  // namespace echolab::harness
