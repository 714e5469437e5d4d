// io_uring_loop/clients.hpp: Clients, io_uring_loop's connections and the
// echo each one's completions drive: receive into a pool buffer, send from
// that buffer, give it back. It queues requests on the Ring; it never
// submits or waits (main.cpp's loop does), and it never touches the
// listener.
#pragma once

#include "core/address.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include "io_uring_loop/ring.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

namespace echolab::uring {

using Clock = std::chrono::steady_clock;

class Clients {
public:
    // Pool buffers a client may hold unsent before its receive is
    // cancelled: the counterpart of epoll_loop's full ConnBuffer.
    static constexpr std::size_t kHeldPerConn = 4;

    Clients(const ServerOptions& opts, Ring& ring) : opts_(opts), ring_(ring) {}

    // Takes a new connection and arms its receive; at --max-conns it is
    // kept, unread, until a client leaves (as it would wait in the
    // backlog), since a multishot accept may deliver a few past the limit.
    void admit(Fd sock);
    // The completion of a receive or a send. One for a connection that is
    // gone only gives its buffer back.
    void on_recv(const io_uring_cqe& cqe, Tag tag);
    void on_send(const io_uring_cqe& cqe, Tag tag);
    // The socket a send found full has room again (or failed, which the
    // send that follows reports).
    void on_writable(Tag tag);
    // Once per loop turn: re-arms receives that found the pool empty if
    // buffers came back, and closes clients idle for --idle-timeout.
    void after_turn(Clock::time_point now);
    // The server did not run for `paused` (SIGSTOP): that time is not
    // held against any client.
    void credit(Clock::duration paused);
    // Closes the connections accepted past the limit (stopping).
    void drop_waiting() { waiting_.clear(); }

    // True once a stop was requested and no client is left or the grace
    // period is over.
    bool finished(const StopSignal& stop) const;
    // How long the loop may wait before it has clock work to do: idle
    // checks, the end of an accept pause or of the grace period.
    Clock::duration timeout(const StopSignal& stop,
                            Clock::time_point paused_until) const;

    int size() const noexcept { return count_; }
    int accepted() const noexcept {
        return count_ + static_cast<int>(waiting_.size());
    }

private:
    struct Chunk {
        std::uint16_t buffer;
        std::uint32_t begin;  // first byte not yet sent back
        std::uint32_t end;
    };
    // One client. Its receive is multishot: once armed, it completes each
    // time data arrives, until it ends (EOF, error, cancel, empty pool).
    struct Conn {
        Fd sock;
        SocketAddress peer;
        std::uint32_t gen = 0;
        std::vector<Chunk> unsent;  // in order; the front one is sending
        bool sending = false;       // a send, or a poll for room, is queued
        bool receiving = false;     // a multishot receive is armed
        bool cancelling = false;    // ...and a cancel for it is queued
        bool starved = false;       // it ended for want of a buffer
        bool input_closed = false;  // the client half-closed
        unsigned long long echoed = 0;
        Clock::time_point progress = Clock::now();
    };

    Conn* find(Tag tag) const noexcept;
    // Sends the next chunk, arms or cancels the receive, and closes the
    // connection once it has half-closed and got everything back.
    void update(std::uint32_t slot);
    void close(std::uint32_t slot, std::string_view why);
    void close_idle(Clock::time_point now);

    const ServerOptions& opts_;
    Ring& ring_;
    std::vector<std::unique_ptr<Conn>> conns_;  // by slot
    std::vector<std::uint32_t> gens_;           // by slot, outlives a Conn
    std::vector<std::uint32_t> free_slots_;
    std::vector<std::uint32_t> starved_;
    std::deque<Fd> waiting_;
    int count_ = 0;
    Clock::time_point next_idle_scan_{};
};

}  // namespace echolab::uring
