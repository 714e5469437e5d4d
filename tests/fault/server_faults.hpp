// tests/fault/server_faults.hpp: the ServerFaults suite: what clients and
// the system do to a server (resets, a client that never reads, SIGTERM,
// running out of descriptors), run against every server like
// EchoConformance. Its tests are split by topic into *_test.cpp files.
#pragma once

#include "tests/support/server_test.hpp"

namespace echolab::test {

class ServerFaults : public ServerTest {};

}  // namespace echolab::test
