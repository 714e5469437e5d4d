// tests/support/server_registry.hpp: which servers the suites run against:
// every registered variant, or one server command given by the user.
// It only names and launches; server_process.hpp runs the process.
#pragma once

#include <string>
#include <vector>

namespace echolab::test {

// How a server serves clients, as far as the tests must know: where the
// model is the lesson, a test asserts the model's limit instead of skipping.
enum class Model {
    one_at_a_time,   // iterative: the next client waits for this one
    worker_pool,     // a fixed set of workers; idle clients pin them
    per_connection,  // every accepted client is served at once
};

// One server the suites start: a registered variant binary, or a command
// line from ECHOLAB_SERVER_CMD.
struct ServerUnderTest {
    std::string name;     // a variant folder name, or "custom"
    std::string binary;   // the executable of a registered variant
    std::string command;  // a shell command line (custom); may hold {port}
    Model model = Model::per_connection;
};

// The servers to test. ECHOLAB_SERVER_CMD set and non-empty: one entry
// named "custom" (its model from ECHOLAB_SERVER_MODEL: one_at_a_time,
// worker_pool or per_connection, the default). Otherwise every variant in
// the registry, found in ECHOLAB_BIN_DIR (default: the build's bin folder).
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

}  // namespace echolab::test
