// core/fd.hpp: Fd, the move-only owner of one file descriptor, and the
// start-up check that descriptors 0, 1 and 2 are open.
// Mechanism layer: it only owns and closes; it never reads, writes or
// changes flags.
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

// Opens /dev/null on whichever of 0, 1 and 2 is closed. Call it before
// creating any descriptor: a server started with `>&- 2>&-` would
// otherwise get its stop pipe or a socket as stdout or stderr, and write
// the ready line and its log into it. Returns 0, or the errno of the
// failed open.
int open_standard_fds() noexcept;

}  // namespace echolab
