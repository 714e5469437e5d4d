#include "core/fd.hpp"

#include <unistd.h>

namespace echolab {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

Fd::~Fd() {
    reset();
}

void Fd::reset() noexcept {
    if (fd_ >= 0) {
        // Never retried on EINTR: Linux releases the descriptor even then
        // (close(2), NOTES), so a retry could close a descriptor that
        // another thread has just been given.
        ::close(std::exchange(fd_, -1));
    }
}

}  // namespace echolab
