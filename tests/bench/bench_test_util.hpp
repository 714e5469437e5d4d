// tests/bench/bench_test_util.hpp: what the load generator's tests share:
// starting a server from build/bin, a RunConfig aimed at it, and running
// the echoload CLI as a child with its output captured.
#pragma once

#include "bench/loadgen/config.hpp"
#include "support/server_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace echolab::test {

using namespace echolab::support;

// The path of build/bin/<name>.
std::string bin_path(const std::string& name);

// Starts build/bin/<name> --port 0 <flags> and waits for its ready line.
std::unique_ptr<ServerProcess> start_server(
    const std::string& name, const std::vector<std::string>& flags = {});

// A run against server: no warm-up, a generous time limit and stall
// timeout, so that a slow, shared machine changes how long a test takes
// but not what it asserts.
loadgen::RunConfig config_for(const ServerProcess& server);

struct CommandResult {
    int status = -1;  // the exit code, or -1 if killed or not run
    std::string out;
    std::string err;
};

// Runs build/bin/echoload with args; kills it after 60 s.
CommandResult run_echoload(const std::vector<std::string>& args);

}  // namespace echolab::test
