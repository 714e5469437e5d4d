#include "io_uring_loop/clients.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <cerrno>
#include <string>

#include <sys/socket.h>

namespace echolab::uring {
namespace {

// Idle clients are looked for this often, so a timeout fires at most this
// late; a scan costs one comparison per connection.
constexpr auto kIdleScan = std::chrono::seconds(1);
constexpr std::uint32_t kGenMask = 0xffffff;  // what a Tag carries

}  // namespace

void Clients::admit(Fd sock) {
    if (count_ >= opts_.max_conns) {
        waiting_.push_back(std::move(sock));
        return;
    }
    std::uint32_t slot;
    if (free_slots_.empty()) {
        slot = static_cast<std::uint32_t>(conns_.size());
        conns_.emplace_back();
        gens_.push_back(0);
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
    }
    auto conn = std::make_unique<Conn>();
    conn->sock = std::move(sock);
    conn->gen = gens_[slot] = (gens_[slot] + 1) & kGenMask;
    if (opts_.verbose) {
        // The multishot accept reports no address (one buffer would serve
        // every connection), so ask for it only when it is logged.
        conn->peer.length = sizeof conn->peer.storage;
        if (::getpeername(conn->sock.get(), conn->peer.get(),
                          &conn->peer.length) != 0) {
            conn->peer.length = 0;  // logged as "?"; the client left
        }
        log_connect(conn->peer);
    }
    conns_[slot] = std::move(conn);
    ++count_;
    update(slot);
}

Clients::Conn* Clients::find(Tag tag) const noexcept {
    if (tag.slot >= conns_.size() || !conns_[tag.slot]) {
        return nullptr;
    }
    Conn* conn = conns_[tag.slot].get();
    return conn->gen == tag.gen ? conn : nullptr;
}

void Clients::on_recv(const io_uring_cqe& cqe, Tag tag) {
    Conn* conn = find(tag);
    if ((cqe.flags & IORING_CQE_F_BUFFER) != 0) {
        ring_.took_buffer();
        auto id =
            static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        if (conn == nullptr) {
            ring_.recycle(id);
            return;
        }
        conn->unsent.push_back({id, 0, static_cast<std::uint32_t>(cqe.res)});
        conn->progress = Clock::now();
    }
    if (conn == nullptr) {
        return;
    }
    if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
        conn->receiving = conn->cancelling = false;
    }
    if (cqe.res == 0) {
        // Half-close: everything received is sent back, then it closes.
        conn->input_closed = true;
    } else if (cqe.res == -ENOBUFS) {
        conn->starved = true;
        starved_.push_back(tag.slot);
    } else if (cqe.res < 0 && cqe.res != -ECANCELED) {
        close(tag.slot, error_text(-cqe.res));
        return;
    }
    update(tag.slot);
}

void Clients::on_send(const io_uring_cqe& cqe, Tag tag) {
    Conn* conn = find(tag);
    if (conn == nullptr) {
        ring_.recycle(tag.buffer);  // its connection was closed meanwhile
        return;
    }
    if (cqe.res == -EAGAIN) {
        // The socket buffer is full: wait for room through the ring (the
        // front chunk stays in flight), then send it again.
        ring_.poll_writable(conn->sock.get(),
                            {Op::writable, tag.slot, conn->gen, tag.buffer});
        return;
    }
    conn->sending = false;
    if (cqe.res < 0) {
        close(tag.slot, error_text(-cqe.res));
        return;
    }
    // A send may take less than it was given (a full socket buffer, a
    // signal): the rest goes out next, from where it stopped.
    Chunk& chunk = conn->unsent.front();
    chunk.begin += static_cast<std::uint32_t>(cqe.res);
    conn->echoed += static_cast<unsigned long long>(cqe.res);
    conn->progress = Clock::now();
    if (chunk.begin == chunk.end) {
        ring_.recycle(chunk.buffer);
        conn->unsent.erase(conn->unsent.begin());
    }
    update(tag.slot);
}

void Clients::on_writable(Tag tag) {
    Conn* conn = find(tag);
    if (conn == nullptr) {
        ring_.recycle(tag.buffer);
        return;
    }
    conn->sending = false;
    update(tag.slot);
}

void Clients::update(std::uint32_t slot) {
    Conn& conn = *conns_[slot];
    int sock = conn.sock.get();
    if (!conn.sending && !conn.unsent.empty()) {
        // One send at a time per client keeps the echo in order.
        const Chunk& next = conn.unsent.front();
        ring_.send(sock, ring_.buffer(next.buffer) + next.begin,
                   next.end - next.begin,
                   {Op::send, slot, conn.gen, next.buffer});
        conn.sending = true;
    }
    // Backpressure: a client whose echo is not yet sent stops being
    // received, so TCP flow control stalls it instead of the pool filling.
    bool wanted = !conn.input_closed && conn.unsent.size() < kHeldPerConn;
    if (conn.receiving && !wanted && !conn.cancelling) {
        ring_.cancel({Op::recv, slot, conn.gen, 0});
        conn.cancelling = true;
    } else if (!conn.receiving && wanted && !conn.starved) {
        ring_.recv_multishot(sock, {Op::recv, slot, conn.gen, 0});
        conn.receiving = true;
    }
    if (conn.input_closed && conn.unsent.empty()) {
        close(slot, "client closed");
    }
}

void Clients::close(std::uint32_t slot, std::string_view why) {
    Conn& conn = *conns_[slot];
    if (opts_.verbose) {
        log_disconnect(conn.peer, why, conn.echoed);
    }
    // The buffer a send still reads from comes back with its completion.
    for (std::size_t i = conn.sending ? 1 : 0; i < conn.unsent.size(); ++i) {
        ring_.recycle(conn.unsent[i].buffer);
    }
    ring_.cancel_and_close(conn.sock.release());
    conns_[slot].reset();
    free_slots_.push_back(slot);
    --count_;
    if (!waiting_.empty()) {
        Fd next = std::move(waiting_.front());
        waiting_.pop_front();
        admit(std::move(next));
    }
}

void Clients::after_turn(Clock::time_point now) {
    // Re-armed only once buffers are back, so an empty pool is not polled.
    if (!starved_.empty() && ring_.free_buffers() > 0) {
        std::vector<std::uint32_t> retry;
        retry.swap(starved_);
        for (std::uint32_t slot : retry) {
            if (conns_[slot] && conns_[slot]->starved) {
                conns_[slot]->starved = false;
                update(slot);
            }
        }
    }
    close_idle(now);
}

void Clients::close_idle(Clock::time_point now) {
    if (opts_.idle_timeout().count() <= 0 || now < next_idle_scan_) {
        return;
    }
    next_idle_scan_ = now + kIdleScan;
    auto oldest = now - opts_.idle_timeout();
    for (std::uint32_t slot = 0; slot < conns_.size(); ++slot) {
        const Conn* conn = conns_[slot].get();
        // A client with unread input or unsent output is never idle.
        if (conn != nullptr && conn->unsent.empty() && !conn->starved &&
            conn->progress < oldest) {
            close(slot, "idle timeout");
        }
    }
}

bool Clients::finished(const StopSignal& stop) const {
    return stop.requested() &&
           (count_ == 0 || Clock::now() >= stop.requested_at() + opts_.grace());
}

Clock::duration Clients::timeout(const StopSignal& stop,
                                 Clock::time_point paused_until) const {
    auto now = Clock::now();
    Clock::time_point next = now + kIdleScan;
    if (paused_until > now) {
        next = std::min(next, paused_until);
    }
    if (stop.requested()) {
        next = std::min(next, stop.requested_at() + opts_.grace());
    }
    return std::max(next - now, Clock::duration::zero());
}

void Clients::credit(Clock::duration paused) {
    for (auto& conn : conns_) {
        if (conn) {
            conn->progress += paused;
        }
    }
}

}  // namespace echolab::uring
