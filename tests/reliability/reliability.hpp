// tests/reliability/reliability.hpp: what the reliability suites share:
// picking variants by their traits, the CI or on-demand size of a run, and
// messages that say how a swarm of clients fared.
#pragma once

#include "support/server_process.hpp"
#include "support/server_registry.hpp"
#include "tests/reliability/swarm.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace echolab::test {

using namespace echolab::support;

// The registered variants whose traits (support/variants.hpp) satisfy
// pick; none when ECHOLAB_SERVER_CMD points the suites at a custom
// server, because these tests know the variants' flags.
std::vector<ServerUnderTest> variants_where(
    const std::function<bool(const ServerUnderTest&)>& pick);

// Every registered variant (none for a custom server, as above).
std::vector<ServerUnderTest> all_variants();

// Traits the suites pick by: more than one client at a time; waits in
// select(2), which cannot watch a descriptor at or past FD_SETSIZE.
bool serves_many(const ServerUnderTest& server);
bool waits_in_select(const ServerUnderTest& server);

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

// Raises the descriptor limit to count for the test and the servers it
// starts (support/fd_limit.hpp); "" when it is in force, else why not,
// for GTEST_SKIP (the hard limit is lower).
std::string descriptors_missing(long count);

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
