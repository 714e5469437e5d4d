// bench/loadgen/engine.hpp: run(), the load generator's one entry point:
// a RunConfig in, a RunResult out. It prints nothing; the CLI and the
// benchmark harness decide what to show.
#pragma once

#include "bench/loadgen/config.hpp"
#include "bench/loadgen/result.hpp"

namespace echolab::loadgen {

// Runs one load against config.host:config.port and returns every figure.
// Blocks for about warmup + duration (plus a drain of at most the stall
// timeout), on config.threads threads of its own; config.on_progress is
// called from this thread. Throws std::invalid_argument for a config that
// validate() rejects, and SetupError when the run cannot start (name not
// resolved, nothing listening, too few descriptors). Everything that goes
// wrong once the run has started is in the result instead.
RunResult run(const RunConfig& config);

}  // namespace echolab::loadgen
