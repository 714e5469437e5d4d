// io_uring_loop/ring.hpp: Ring, one io_uring instance with its provided
// buffer ring, and Tag, what a completion belongs to. It sets up, queues
// requests and recycles buffers; it never submits or waits on its own:
// main.cpp's loop calls io_uring_submit_and_wait_timeout itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <liburing.h>

namespace echolab::uring {

enum class Op : std::uint8_t { accept, stop, recv, send, writable, ignore };

// The user_data of a request, packed into 64 bits: which operation, for
// which connection slot and generation (a completion for a connection
// that was closed, whose slot now holds another, must not touch the new
// one), and for a send the buffer it reads from, which goes back to the
// pool when the send completes, whoever owns the slot by then.
struct Tag {
    Op op = Op::ignore;
    std::uint32_t slot = 0;  // < 2^20
    std::uint32_t gen = 0;   // compared modulo 2^24
    std::uint16_t buffer = 0;

    std::uint64_t pack() const noexcept;
    static Tag unpack(std::uint64_t data) noexcept;
};

// Throws SetupError naming io_uring_enter unless rc is a success or a
// transient failure: a timeout, a signal, or a full completion queue
// (io_uring_enter(2)). Anything else means the ring itself is broken.
void check_enter(int rc);

// A relative timeout as io_uring takes it.
__kernel_timespec to_timespec(std::chrono::nanoseconds wait) noexcept;

class Ring {
public:
    // A ring of `entries` submission slots (twice as many completion
    // slots) and a pool of `buffers` (a power of two, at most 32768)
    // receive buffers of `buffer_bytes` each. Throws SetupError naming
    // io_uring_setup and, where the kernel refuses io_uring, the sysctl
    // kernel.io_uring_disabled; or naming io_uring_register_buf_ring.
    Ring(unsigned entries, unsigned buffers, std::size_t buffer_bytes);
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;

    io_uring* get() noexcept { return &ring_; }

    // Queue one request each; they reach the kernel at the next submit.
    // If the submission queue is full it is submitted first.
    void accept_multishot(int listener, Tag tag);
    void recv_multishot(int sock, Tag tag);  // into the buffer pool
    // Never waits: a full socket completes it with -EAGAIN, and the
    // caller polls for room (poll_writable) and sends again.
    void send(int sock, const char* data, std::size_t size, Tag tag);
    void poll_readable(int fd, Tag tag);
    void poll_writable(int fd, Tag tag);
    void cancel(Tag victim);
    // Cancels every request on fd, then closes it, in one submission, so
    // the number cannot be reused while a request still names it. Takes
    // ownership of fd.
    void cancel_and_close(int fd);

    // The receive buffer with this id, and giving it back to the kernel.
    char* buffer(std::uint16_t id) const noexcept;
    void recycle(std::uint16_t id) noexcept;
    unsigned free_buffers() const noexcept { return free_; }
    // Call for every completion that carried a buffer.
    void took_buffer() noexcept { --free_; }

    struct Unmap {
        std::size_t bytes;
        void operator()(void* at) const noexcept;
    };
    using Mapping = std::unique_ptr<void, Unmap>;

private:
    struct QueueExit {
        void operator()(io_uring* ring) const noexcept;
    };

    io_uring_sqe* next_sqe(Tag tag);

    io_uring ring_{};
    Mapping slots_map_{nullptr, Unmap{0}};
    Mapping pool_map_{nullptr, Unmap{0}};
    io_uring_buf_ring* slots_ = nullptr;  // the kernel-shared buffer ring
    char* pool_ = nullptr;                // buffers * buffer_bytes
    // Declared last, so destroyed first: the kernel may write into the
    // pool until the ring is gone (exiting it cancels what is in flight).
    std::unique_ptr<io_uring, QueueExit> live_;
    unsigned buffers_;
    std::size_t buffer_bytes_;
    unsigned free_;
};

}  // namespace echolab::uring
