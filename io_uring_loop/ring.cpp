#include "io_uring_loop/ring.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <fstream>
#include <string>

#include <poll.h>
#include <sys/mman.h>

namespace echolab::uring {
namespace {

// The provided buffers are group 0: this server has only one pool.
constexpr std::uint16_t kBufferGroup = 0;

// "kernel.io_uring_disabled=2", or "unreadable" before Linux 6.6.
std::string disabled_sysctl() {
    std::ifstream file("/proc/sys/kernel/io_uring_disabled");
    std::string value;
    if (!(file >> value)) {
        value = "unreadable";
    }
    return "kernel.io_uring_disabled=" + value;
}

// Pages the kernel may share with us: the buffer ring must be page
// aligned, and the pool is touched only where data is received.
Ring::Mapping map_anonymous(std::size_t bytes, const char* what) {
    void* at = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) {
        throw SetupError(errno, std::string("mmap ") + what);
    }
    return Ring::Mapping(at, Ring::Unmap{bytes});
}

}  // namespace

void check_enter(int rc) {
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN &&
        rc != -EBUSY) {
        throw SetupError(-rc, "io_uring_enter");
    }
}

__kernel_timespec to_timespec(std::chrono::nanoseconds wait) noexcept {
    constexpr long long kPerSecond = 1'000'000'000;
    return {wait.count() / kPerSecond, wait.count() % kPerSecond};
}

void Ring::Unmap::operator()(void* at) const noexcept {
    ::munmap(at, bytes);
}

void Ring::QueueExit::operator()(io_uring* ring) const noexcept {
    io_uring_queue_exit(ring);
}

std::uint64_t Tag::pack() const noexcept {
    return std::uint64_t{static_cast<std::uint8_t>(op)} << 60 |
           std::uint64_t{buffer} << 44 | std::uint64_t{slot & 0xfffffu} << 24 |
           (gen & 0xffffffu);
}

Tag Tag::unpack(std::uint64_t data) noexcept {
    return {static_cast<Op>(data >> 60),
            static_cast<std::uint32_t>(data >> 24 & 0xfffffu),
            static_cast<std::uint32_t>(data & 0xffffffu),
            static_cast<std::uint16_t>(data >> 44 & 0xffffu)};
}

Ring::Ring(unsigned entries, unsigned buffers, std::size_t buffer_bytes)
    : buffers_(buffers), buffer_bytes_(buffer_bytes), free_(buffers) {
    slots_map_ = map_anonymous(buffers * sizeof(io_uring_buf), "buffer ring");
    pool_map_ = map_anonymous(buffers * buffer_bytes, "buffer pool");
    slots_ = static_cast<io_uring_buf_ring*>(slots_map_.get());
    pool_ = static_cast<char*>(pool_map_.get());
    // Completions are posted only when this thread enters the kernel to
    // wait (DEFER_TASKRUN, Linux 6.1), so they arrive in batches, once per
    // loop turn; older kernels refuse the flags and get a plain ring.
    io_uring_params params{};
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int rc = io_uring_queue_init_params(entries, &ring_, &params);
    if (rc == -EINVAL) {
        params = io_uring_params{};
        rc = io_uring_queue_init_params(entries, &ring_, &params);
    }
    if (rc < 0) {
        throw SetupError(-rc,
                         "io_uring_setup (sysctl " + disabled_sysctl() + ")");
    }
    live_.reset(&ring_);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(slots_);
    reg.ring_entries = buffers;
    reg.bgid = kBufferGroup;
    rc = io_uring_register_buf_ring(&ring_, &reg, 0);
    if (rc < 0) {
        throw SetupError(-rc, "io_uring_register_buf_ring");
    }
    io_uring_buf_ring_init(slots_);
    for (unsigned id = 0; id < buffers; ++id) {
        io_uring_buf_ring_add(slots_, buffer(static_cast<std::uint16_t>(id)),
                              static_cast<unsigned>(buffer_bytes_),
                              static_cast<unsigned short>(id),
                              io_uring_buf_ring_mask(buffers_),
                              static_cast<int>(id));
    }
    io_uring_buf_ring_advance(slots_, static_cast<int>(buffers));
}

io_uring_sqe* Ring::next_sqe(Tag tag) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    while (sqe == nullptr) {
        // A full queue is handed to the kernel early; the loop's own
        // submit then carries the rest.
        check_enter(io_uring_submit(&ring_));
        sqe = io_uring_get_sqe(&ring_);
    }
    io_uring_sqe_set_data64(sqe, tag.pack());
    return sqe;
}

void Ring::accept_multishot(int listener, Tag tag) {
    // No address: one address buffer would be overwritten by every
    // connection; --verbose asks getpeername instead.
    io_uring_prep_multishot_accept(next_sqe(tag), listener, nullptr, nullptr,
                                   SOCK_CLOEXEC);
}

void Ring::recv_multishot(int sock, Tag tag) {
    io_uring_sqe* sqe = next_sqe(tag);
    io_uring_prep_recv_multishot(sqe, sock, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
}

void Ring::send(int sock, const char* data, std::size_t size, Tag tag) {
    // MSG_NOSIGNAL: a reset peer fails this send with EPIPE, no signal.
    // MSG_DONTWAIT: without it a send the kernel cannot finish by polling
    // (after 128 spurious wake-ups, e.g. under TCP memory pressure) goes
    // to an io-wq kernel thread, which then blocks in it and stays.
    io_uring_prep_send(next_sqe(tag), sock, data, size,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
}

void Ring::poll_readable(int fd, Tag tag) {
    io_uring_prep_poll_add(next_sqe(tag), fd, POLLIN);
}

void Ring::poll_writable(int fd, Tag tag) {
    io_uring_prep_poll_add(next_sqe(tag), fd, POLLOUT);
}

void Ring::cancel(Tag victim) {
    io_uring_prep_cancel64(next_sqe(Tag{}), victim.pack(), 0);
}

void Ring::cancel_and_close(int fd) {
    // A hard link runs the close even when there was nothing to cancel
    // (-ENOENT), which would break an ordinary link.
    io_uring_sqe* sqe = next_sqe(Tag{});
    io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
    sqe->flags |= IOSQE_IO_HARDLINK;
    io_uring_prep_close(next_sqe(Tag{}), fd);
}

char* Ring::buffer(std::uint16_t id) const noexcept {
    return pool_ + std::size_t{id} * buffer_bytes_;
}

void Ring::recycle(std::uint16_t id) noexcept {
    io_uring_buf_ring_add(slots_, buffer(id),
                          static_cast<unsigned>(buffer_bytes_), id,
                          io_uring_buf_ring_mask(buffers_), 0);
    io_uring_buf_ring_advance(slots_, 1);
    ++free_;
}

}  // namespace echolab::uring
