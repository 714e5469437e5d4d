// bench/loadgen/schedule.hpp: Schedule, the fixed timetable of an open-loop
// run. Event j is due at start + j / rate whatever happened before, so a
// slow server shows up as latency instead of as a lighter load
// (coordinated omission, as wrk2 corrects it).
#pragma once

#include "bench/loadgen/clock.hpp"

#include <cstdint>

namespace echolab::loadgen {

class Schedule {
public:
    Schedule() = default;
    // rate > 0 events per second from `start` on.
    Schedule(Nanos start, double rate) : start_(start), interval_(1e9 / rate) {}

    Nanos due(std::uint64_t event) const noexcept {
        return start_ +
               static_cast<Nanos>(static_cast<double>(event) * interval_);
    }

private:
    Nanos start_ = 0;
    double interval_ = 0;  // nanoseconds between events
};

}  // namespace echolab::loadgen
