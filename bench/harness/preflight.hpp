// bench/harness/preflight.hpp: the conditions a fair measurement needs,
// checked (and where possible made true) before any benchmark runs:
// pinning, descriptors, and reaping what servers leave behind.
#pragma once

#include "bench/harness/options.hpp"

#include <string>
#include <vector>

namespace echolab::harness {

struct Preflight {
    bool pinned = false;   // this thread sits on opts.client_cpu
    long descriptors = 0;  // RLIMIT_NOFILE soft limit after raising it
    // Sentences for the report: what could not be made right, and what
    // that means for the figures.
    std::vector<std::string> problems;
};

// Pins the calling thread (and so every thread it starts later) to the
// client CPU, raises RLIMIT_NOFILE as far as the largest point needs, and
// makes this process the reaper of orphaned server children, so that
// their CPU time is counted (wait4) and none is left behind.
Preflight prepare_machine(const HarnessOptions& opts);

// Descriptors a point with conns connections needs in this process.
long descriptors_needed(int conns);

}  // namespace echolab::harness
