// support/server_registry.hpp: which servers the suites and the harness
// run against: every registered variant, or one server command given by
// the user. It only names and launches; server_process.hpp runs it.
#pragma once

#include "support/variants.hpp"

#include <string>
#include <vector>

namespace echolab::support {

// One server the suites and the harness start: a registered variant, or a
// command line from ECHOLAB_SERVER_CMD with the traits the user gave.
struct ServerUnderTest : VariantInfo {
    std::string command;  // a shell command line (custom); may hold {port}
};

// The servers to test. ECHOLAB_SERVER_CMD set and non-empty: one entry
// named "custom" (its model from ECHOLAB_SERVER_MODEL: one_at_a_time,
// per_connection, the default, worker_pool, sized by --threads, or
// event_loop). Otherwise every registered variant (variants.hpp).
std::vector<ServerUnderTest> servers_under_test();

// The argv that starts server on port (a number, or anything a test wants
// the server to reject) with extra flags after it. A custom command runs
// under /bin/sh -c 'exec ...' so that the PID is the server's own; its
// {port} placeholder, if any, takes the port, else "--port P" is appended.
std::vector<std::string> launch_argv(const ServerUnderTest& server,
                                     const std::string& port,
                                     const std::vector<std::string>& flags);

// True when the command names its port itself ({port}), so the server may
// not print the ready line and the caller has to pick a free port.
bool takes_port_placeholder(const ServerUnderTest& server);

// The test name of a server: letters, digits and '_' only, as GoogleTest
// parameter names must be.
std::string param_name(const ServerUnderTest& server);

}  // namespace echolab::support
