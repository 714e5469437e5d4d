// bench/loadgen/echo_check.hpp: check_echo(), the test every echoed byte
// passes: the byte that was sent at that offset, and no byte beyond what
// was sent. Both loop engines call it on each read.
#pragma once

#include "support/pattern.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace echolab::loadgen {

// The byte stream lives in echolab::support, shared with the tests.
using support::Pattern;
using support::shared_pattern;

// Where one connection's echo stands.
struct EchoPosition {
    std::uint64_t stream = 0;    // the connection's pattern stream
    std::uint64_t received = 0;  // bytes echoed and checked so far
    std::uint64_t sent = 0;      // bytes sent so far
    std::uint64_t message_size = 0;
};

// Checks data[0, n), the next bytes echoed. Returns nothing when all are
// right, otherwise what is wrong, e.g. "echoed byte 1000 (message 15,
// byte 40 of 64) is 0xc5, sent 0x3a". Allocates only in the second case.
std::optional<std::string> check_echo(const Pattern& pattern,
                                      const EchoPosition& at, const char* data,
                                      std::size_t n);

}  // namespace echolab::loadgen
