// core/fd.hpp: Fd, the move-only owner of one file descriptor.
// It only owns and closes; it never reads, writes or changes flags.
#pragma once

#include <utility>

namespace echolab {

// Owns one descriptor and closes it exactly once, in the destructor or on
// move-assignment. Raw access is always spelled .get(); giving ownership
// away is always spelled .release().
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    // Closes now (if open) and leaves the Fd empty.
    void reset() noexcept;

private:
    int fd_ = -1;
};

}  // namespace echolab
