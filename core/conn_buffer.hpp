// core/conn_buffer.hpp: ConnBuffer, the non-blocking echo state of one
// connection, shared by the event loops. It reads and writes when told the
// socket is ready; it never waits and never asks the kernel which sockets
// are ready (the variants do, and that is their lesson).
// Shared event-loop policy (with conn_table.hpp), built on the mechanism
// layer (fd, address, listen, signals, log).
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace echolab {

class ConnBuffer {
public:
    using Clock = std::chrono::steady_clock;
    // Bytes per system call dominate bulk echo throughput (libevent's 4 KiB
    // read cap cost it 70 % against muduo's 16 KiB), so read up to what a
    // loopback segment carries.
    static constexpr std::size_t kDefaultCapacity = 64 * 1024;

    // Takes a non-blocking connected socket. At most `capacity` bytes are
    // ever held for this connection.
    ConnBuffer(Fd conn, const SocketAddress& peer, std::size_t capacity);

    // Call when the readiness API reports the socket: reads once into the
    // free space if readable and wants_read(), then writes what is pending
    // until the kernel takes no more. Never blocks, never throws.
    void on_ready(bool readable, bool writable);

    // What to watch next: input only while there is room (backpressure: a
    // client that does not read stops being read), output only while
    // bytes are pending.
    bool wants_read() const noexcept;
    bool wants_write() const noexcept { return begin_ != end_; }
    // True once the connection is over (the client half-closed and has got
    // everything back, or it failed): remove it and destroy the buffer.
    bool done() const noexcept;
    // True when bytes wait that the server, not the client, has to move:
    // input in the socket that there is room to read (or its EOF), or
    // pending output the socket would take now. Such a connection is never
    // idle, however old its last progress: the loop is behind (it was
    // stopped, or busy). Output the client does not take is the client's
    // silence. One poll(2) with a zero timeout; for idle checks only.
    bool waiting_on_server() const noexcept;
    // What the loop last asked the kernel to watch for this connection
    // (epoll_loop: EPOLLIN, EPOLLOUT), so it asks again only when
    // wants_read() or wants_write() change. 0, nothing, for a new one.
    std::uint32_t watched() const noexcept { return watched_; }
    void set_watched(std::uint32_t events) noexcept { watched_ = events; }
    // Moves the last progress later by `stalled`: time the server did not
    // run is not held against the client (see ConnTable::close_idle).
    void excuse(Clock::duration stalled) noexcept { progress_ += stalled; }

    const Fd& conn() const noexcept { return conn_; }
    const SocketAddress& peer() const noexcept { return peer_; }
    std::size_t pending() const noexcept { return end_ - begin_; }
    std::size_t capacity() const noexcept { return capacity_; }
    unsigned long long bytes_echoed() const noexcept { return echoed_; }
    Clock::time_point last_progress() const noexcept { return progress_; }
    // "client closed", or the error that ended it.
    std::string end_reason() const;

private:
    void read_once();
    void write_pending();

    Fd conn_;
    std::uint32_t watched_ = 0;  // fills the padding before peer_
    SocketAddress peer_;
    std::size_t capacity_;
    // Allocated on first read, so an idle connection costs no buffer pages.
    std::unique_ptr<char[]> data_;
    std::size_t begin_ = 0;  // first byte not yet written back
    std::size_t end_ = 0;    // one past the last byte read
    bool input_closed_ = false;
    int error_ = 0;
    unsigned long long echoed_ = 0;
    Clock::time_point progress_ = Clock::now();
};

}  // namespace echolab
