// bench/loadgen/errors.hpp: the failures a run can meet, counted by kind
// with the first example of each. Counting never allocates; only the first
// example of a kind builds a string.
#pragma once

#include "bench/loadgen/clock.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace echolab::loadgen {

enum class ErrorKind {
    refused,   // nothing listening (ECONNREFUSED)
    reset,     // ECONNRESET, EPIPE
    timeout,   // a stalled connection, ETIMEDOUT
    mismatch,  // an echoed byte differs from the byte sent, or is extra
    closed,    // the server closed before echoing everything
    other,     // anything else, e.g. EADDRNOTAVAIL, EMFILE
};

inline constexpr std::size_t kErrorKinds = 6;

const char* to_string(ErrorKind kind) noexcept;

// The kind of a failed socket call's errno.
ErrorKind classify_errno(int err) noexcept;

class ErrorCounts {
public:
    // Counts one error; keeps `example` if it is the first of its kind.
    void add(ErrorKind kind, std::string example, Nanos at);
    // Adds other's counts; keeps the earlier first example of each kind.
    void merge(const ErrorCounts& other);

    std::uint64_t count(ErrorKind kind) const noexcept {
        return count_[index(kind)];
    }
    const std::string& first(ErrorKind kind) const noexcept {
        return first_[index(kind)];
    }
    std::uint64_t total() const noexcept;

private:
    static std::size_t index(ErrorKind kind) noexcept {
        return static_cast<std::size_t>(kind);
    }
    std::array<std::uint64_t, kErrorKinds> count_{};
    std::array<std::string, kErrorKinds> first_{};
    std::array<Nanos, kErrorKinds> first_at_{};
};

}  // namespace echolab::loadgen
