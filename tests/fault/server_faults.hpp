// tests/fault/server_faults.hpp: the ServerFaults suite: what clients and
// the system do to a server (resets, a client that never reads, SIGTERM,
// running out of descriptors), run against every server like
// EchoConformance. Its tests are split by topic into *_test.cpp files.
#pragma once

#include "tests/support/server_test.hpp"

#include <string>

namespace echolab::test {

class ServerFaults : public ServerTest {
protected:
    // Sends signo (named name in messages) to a server with one client
    // open: the listener must close within 1 s, the open client must still
    // be served and closed after its half-close, and the server exit 0.
    void expect_stop_closes_listener_then_serves(int signo,
                                                 const std::string& name);
};

}  // namespace echolab::test
