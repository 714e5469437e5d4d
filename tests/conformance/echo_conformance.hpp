// tests/conformance/echo_conformance.hpp: the EchoConformance suite, one
// fixture run against every server in the registry (or the one given by
// ECHOLAB_SERVER_CMD). Its tests are split by topic into the *_test.cpp
// files beside this header.
#pragma once

#include "tests/support/server_test.hpp"

namespace echolab::test {

class EchoConformance : public ServerTest {};

}  // namespace echolab::test
