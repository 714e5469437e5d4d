#include "support/payload.hpp"

#include "support/pattern.hpp"

#include <algorithm>

namespace echolab::support {

std::string random_payload(std::size_t size, std::uint32_t seed) {
    const Pattern& pattern = shared_pattern();
    std::string out;
    out.reserve(size);
    while (out.size() < size) {
        std::size_t n = std::min(size - out.size(), Pattern::kMaxWindow);
        out.append(pattern.at(seed, out.size()), n);
    }
    return out;
}

std::string first_difference(std::string_view expected,
                             std::string_view actual) {
    if (expected == actual) {
        return "";
    }
    auto [want, got] = std::mismatch(expected.begin(), expected.end(),
                                     actual.begin(), actual.end());
    auto offset = static_cast<std::size_t>(want - expected.begin());
    std::string text = "expected ";
    text.append(std::to_string(expected.size()))
        .append(" bytes, got ")
        .append(std::to_string(actual.size()))
        .append("; first difference at byte ")
        .append(std::to_string(offset));
    (void)got;
    return text;
}

}  // namespace echolab::support
