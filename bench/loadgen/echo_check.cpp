#include "bench/loadgen/echo_check.hpp"

#include "bench/loadgen/describe.hpp"

#include <algorithm>

namespace echolab::loadgen {

std::optional<std::string> check_echo(const Pattern& pattern,
                                      const EchoPosition& at, const char* data,
                                      std::size_t n) {
    std::uint64_t owed = at.sent - at.received;
    auto checked = static_cast<std::size_t>(std::min<std::uint64_t>(n, owed));
    std::size_t bad =
        pattern.first_mismatch(at.stream, at.received, data, checked);
    if (bad < checked) {
        std::uint64_t offset = at.received + bad;
        return mismatch_text(offset, at.message_size,
                             *pattern.at(at.stream, offset), data[bad]);
    }
    if (n > owed) {
        return extra_bytes_text(n - owed, at.sent);
    }
    return std::nullopt;
}

}  // namespace echolab::loadgen
