// Pattern: the byte stream every connection sends, and the check of an
// echo against it.
#include "support/pattern.hpp"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace {

using echolab::support::Pattern;
using echolab::support::shared_pattern;

std::string window(std::uint64_t stream, std::uint64_t offset, std::size_t n) {
    return std::string(shared_pattern().at(stream, offset), n);
}

TEST(Pattern, WindowsAgreeWhereverTheyStart) {
    // A byte has one value, whichever window it is read through,
    // including windows that run past the end of the period.
    const std::uint64_t offsets[] = {0, 1, 1000, Pattern::kPeriod - 5,
                                     3 * Pattern::kPeriod + 17};
    for (std::uint64_t stream : {0u, 1u, 999u}) {
        for (std::uint64_t off : offsets) {
            std::string a = window(stream, off, Pattern::kMaxWindow);
            std::string b = window(stream, off + 100, Pattern::kMaxWindow);
            EXPECT_EQ(a.substr(100), b.substr(0, a.size() - 100))
                << stream << "/" << off;
        }
    }
}

TEST(Pattern, StreamsAndConsecutiveMessagesDiffer) {
    EXPECT_NE(window(0, 0, 64), window(1, 0, 64));
    EXPECT_NE(window(0, 0, 64), window(0, 64, 64));
}

TEST(Pattern, AcceptsTheStreamItself) {
    std::string echo = window(5, 12345, 4096);
    EXPECT_EQ(
        shared_pattern().first_mismatch(5, 12345, echo.data(), echo.size()),
        echo.size());
}

TEST(Pattern, FindsAFlippedByte) {
    std::string echo = window(5, 12345, 4096);
    echo[1000] = static_cast<char>(~echo[1000]);
    EXPECT_EQ(
        shared_pattern().first_mismatch(5, 12345, echo.data(), echo.size()),
        1000u);
}

TEST(Pattern, FindsADroppedByteSoonAfterIt) {
    // Without byte 1000 everything after it is one place early: a
    // pseudo-random stream cannot match itself shifted for long.
    std::string echo = window(5, 12345, 4096);
    echo.erase(1000, 1);
    std::size_t at =
        shared_pattern().first_mismatch(5, 12345, echo.data(), echo.size());
    EXPECT_GE(at, 1000u);
    EXPECT_LT(at, 1010u);
}

}  // namespace
