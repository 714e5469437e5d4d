// support/pattern.hpp: Pattern, the known byte stream each connection
// sends, so that every echoed byte is checked for content and order without
// keeping a copy of what was sent: the one pattern of the load generator,
// the reliability swarm and the tests' payloads. It does no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace echolab::support {

// Stream s is an endless pseudo-random byte sequence with period kPeriod,
// each stream starting at its own phase. Any window of up to kMaxWindow
// bytes is contiguous in memory, so sending is one send() from the table
// and checking is one memcmp against it. The table is shared read-only by
// every thread.
class Pattern {
public:
    // A prime period: a message size never divides it, so consecutive
    // messages differ, and a dropped or repeated byte shifts everything
    // after it out of phase.
    static constexpr std::size_t kPeriod = 65521;
    static constexpr std::size_t kMaxWindow = 64 * 1024;

    Pattern();

    // The kMaxWindow bytes of stream `stream` from `offset` on.
    const char* at(std::uint64_t stream, std::uint64_t offset) const noexcept {
        return table_.data() + (stream * kStride + offset) % kPeriod;
    }

    // The index of the first of data[0, n) that is not the stream's byte
    // at offset + index, or n when all match. n <= kMaxWindow.
    std::size_t first_mismatch(std::uint64_t stream, std::uint64_t offset,
                               const char* data, std::size_t n) const noexcept;

private:
    // Streams start this far apart (co-prime with kPeriod, so the first
    // kPeriod streams all differ).
    static constexpr std::uint64_t kStride = 4099;
    std::vector<char> table_;
};

// The one table every connection uses.
const Pattern& shared_pattern();

}  // namespace echolab::support
