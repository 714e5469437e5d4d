#include "core/fd.hpp"

#include <cerrno>

#include <fcntl.h>
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

int open_standard_fds() noexcept {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) {
            continue;
        }
        // open returns the lowest free descriptor: this one, since the
        // ones below it are open by now. Never closed: it is stdio.
        int opened = ::open("/dev/null", O_RDWR);
        if (opened < 0) {
            return errno;
        }
    }
    return 0;
}

}  // namespace echolab
