// bench/harness/aggregate.hpp: RoundsReporter. Google Benchmark runs all
// repetitions of one benchmark back to back; echo_bench instead registers
// each benchmark once per round so that the variants interleave. This
// reporter numbers those rounds and adds the median, min and max of each
// benchmark at the end, in Google Benchmark's own aggregate format.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace echolab::harness {

using Run = benchmark::BenchmarkReporter::Run;

class RoundsReporter : public benchmark::BenchmarkReporter {
public:
    // Writes to inner (which must outlive this), on this reporter's
    // streams.
    RoundsReporter(benchmark::BenchmarkReporter& inner, int rounds)
        : inner_(inner), rounds_(rounds) {}

    bool ReportContext(const Context& context) override;
    void ReportRuns(const std::vector<Run>& runs) override;
    void Finalize() override;

private:
    benchmark::BenchmarkReporter& inner_;
    int rounds_;
    std::vector<std::string> order_;  // benchmark names, first-seen order
    std::map<std::string, std::vector<Run>> runs_;
};

// The median of values (the mean of the middle two for an even count);
// 0 for none.
double median_of(std::vector<double> values);

// median, min and max of the runs that did not fail, one aggregate Run
// each; nothing when fewer than two succeeded.
std::vector<Run> aggregates_of(const std::vector<Run>& runs);

}  // namespace echolab::harness
