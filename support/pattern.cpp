#include "support/pattern.hpp"

#include <cstring>

namespace echolab::support {

Pattern::Pattern() : table_(kPeriod + kMaxWindow) {
    // xorshift64: cheap, deterministic, and no byte value is favoured.
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < kPeriod; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        table_[i] = static_cast<char>(state >> 56);
    }
    // The tail repeats the start, so a window never wraps.
    for (std::size_t i = kPeriod; i < table_.size(); ++i) {
        table_[i] = table_[i - kPeriod];
    }
}

std::size_t Pattern::first_mismatch(std::uint64_t stream, std::uint64_t offset,
                                    const char* data,
                                    std::size_t n) const noexcept {
    const char* expected = at(stream, offset);
    if (std::memcmp(expected, data, n) == 0) {
        return n;
    }
    std::size_t i = 0;
    while (expected[i] == data[i]) {
        ++i;
    }
    return i;
}

const Pattern& shared_pattern() {
    static const Pattern pattern;
    return pattern;
}

}  // namespace echolab::support
