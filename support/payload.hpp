// support/payload.hpp: test payloads and byte-exact comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace echolab::support {

// size bytes of the shared Pattern's stream `seed` (pattern.hpp): the same
// for the same seed (so a failure can be replayed), covering every byte
// value including '\0' and '\n'.
std::string random_payload(std::size_t size, std::uint32_t seed);

// "" if the two are equal; otherwise both lengths and the offset of the
// first differing byte, which is what a reader of a failed echo needs.
std::string first_difference(std::string_view expected,
                             std::string_view actual);

}  // namespace echolab::support
