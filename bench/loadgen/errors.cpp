#include "bench/loadgen/errors.hpp"

#include <cerrno>
#include <utility>

namespace echolab::loadgen {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::refused:
            return "refused";
        case ErrorKind::reset:
            return "reset";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::mismatch:
            return "mismatch";
        case ErrorKind::closed:
            return "closed";
        case ErrorKind::other:
            return "other";
    }
    return "other";
}

ErrorKind classify_errno(int err) noexcept {
    switch (err) {
        case ECONNREFUSED:
            return ErrorKind::refused;
        case ECONNRESET:
        case EPIPE:
        case ECONNABORTED:
            return ErrorKind::reset;
        case ETIMEDOUT:
            return ErrorKind::timeout;
        default:
            return ErrorKind::other;
    }
}

void ErrorCounts::add(ErrorKind kind, std::string example, Nanos at) {
    std::size_t i = index(kind);
    if (count_[i]++ == 0) {
        first_[i] = std::move(example);
        first_at_[i] = at;
    }
}

void ErrorCounts::merge(const ErrorCounts& other) {
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        if (other.count_[i] == 0) {
            continue;
        }
        if (count_[i] == 0 || other.first_at_[i] < first_at_[i]) {
            first_[i] = other.first_[i];
            first_at_[i] = other.first_at_[i];
        }
        count_[i] += other.count_[i];
    }
}

std::uint64_t ErrorCounts::total() const noexcept {
    std::uint64_t sum = 0;
    for (std::uint64_t c : count_) {
        sum += c;
    }
    return sum;
}

}  // namespace echolab::loadgen
