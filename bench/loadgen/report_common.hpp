// bench/loadgen/report_common.hpp: what the table and the JSON report
// share: the percentiles they show and the unit they show them in.
// Internal to report_table.cpp and report_json.cpp.
#pragma once

#include <cstdint>
#include <utility>

namespace echolab::loadgen {

inline constexpr std::pair<const char*, double> kQuantiles[] = {
    {"p50", 0.50},    {"p90", 0.90},      {"p99", 0.99},
    {"p99.9", 0.999}, {"p99.99", 0.9999},
};

inline double micros(std::uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

}  // namespace echolab::loadgen
