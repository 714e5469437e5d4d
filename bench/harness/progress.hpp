// bench/harness/progress.hpp: ProgressReporter, one line a person can read
// per benchmark point on stderr ("[ 12/96] echo epoll_loop conns:100
// bytes:64  round 1/3  ok 98,000 msgs/s  ~3 min 10 s left"), while the
// raw Google Benchmark lines go on to the wrapped reporter (stdout,
// console.txt under run-comparison).
#pragma once

#include "bench/harness/options.hpp"
#include "bench/harness/plan.hpp"

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace echolab::harness {

class ProgressReporter : public benchmark::BenchmarkReporter {
public:
    // round: the specs of one round, in the order they are registered;
    // inner and out must outlive this.
    ProgressReporter(benchmark::BenchmarkReporter& inner,
                     std::vector<BenchSpec> round, const HarnessOptions& opts,
                     std::ostream& out);

    bool ReportContext(const Context& context) override;
    void ReportRuns(const std::vector<Run>& runs) override;
    void Finalize() override;

private:
    benchmark::BenchmarkReporter& inner_;
    std::vector<BenchSpec> round_;
    std::vector<double> planned_s_;  // per spec of the round
    double planned_total_s_ = 0;
    double planned_done_s_ = 0;
    int point_width_ = 0;  // the longest "conns:100 bytes:64" of the round
    int rounds_;
    std::size_t done_ = 0;
    std::ostream& out_;
    std::chrono::steady_clock::time_point start_;
};

// The specs of the round that --benchmark_filter lets run, so that the
// count and the time left cover what runs. Google Benchmark matches the
// filter as an extended regular expression anywhere in the name; a
// leading '-' inverts it; empty and "all" match everything.
std::vector<BenchSpec> selected_by_filter(std::vector<BenchSpec> round,
                                          const std::string& filter);

// What one benchmark is expected to take, in seconds: its windows and the
// server's start and stop. Only the ratio matters: the time left is the
// time so far scaled by planned-left over planned-done.
double planned_seconds(const BenchSpec& spec, const HarnessOptions& opts);

// "3 min 10 s", "42 s", "1 h 02 min".
std::string duration_text(double seconds);

}  // namespace echolab::harness
