// tests/reliability/reliability.hpp: what the reliability suites share:
// picking variants by name, the CI or on-demand size of a run, and
// messages that say how a swarm of clients fared.
#pragma once

#include "tests/reliability/swarm.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/server_registry.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include <sys/types.h>

namespace echolab::test {

// The registered variants among names (none when ECHOLAB_SERVER_CMD points
// the suites at a custom server: these tests know the variants' flags).
std::vector<ServerUnderTest> variants_named(
    std::initializer_list<const char*> names);

// Every registered variant but those in `except`.
std::vector<ServerUnderTest> variants_except(
    std::initializer_list<const char*> except);

// ECHOLAB_LONG=1 asks for the on-demand sizes (soak minutes, 60,000-
// connection churn); CI runs the short ones.
bool long_run();
// ci in CI, on_demand under ECHOLAB_LONG=1.
template <typename T>
T sized(T ci, T on_demand) {
    return long_run() ? on_demand : ci;
}

// "finished 998 of 1000, failed 2, parked 0: <first failures>".
std::string describe(const SwarmStats& stats);

// The path of a tool on PATH, or "" (tests that need one skip without it).
std::string find_tool(const std::string& name);

// variant run under a command prefix such as "strace -f ..." or "setpriv
// ...": the prefix, then the variant's binary, then its flags.
ServerUnderTest wrapped(const ServerUnderTest& variant,
                        const std::string& prefix);

// The first child of pid (the server under a strace or setpriv that did
// not exec), waiting up to 2 s for it; 0 if there is none.
pid_t first_child(pid_t pid);

// Stops a server run under strace and waits up to 15 s for strace to exit
// with the server's status. strace keeps fatal signals from the program
// it runs with -o, so SIGTERM goes to the server itself.
ExitStatus stop_traced(ServerProcess& strace);

}  // namespace echolab::test
