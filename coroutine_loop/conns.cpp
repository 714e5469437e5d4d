#include "coroutine_loop/conns.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <cerrno>

#include <poll.h>

namespace echolab::coro {
namespace {

using namespace std::chrono_literals;

// Idle connections are looked for this often at most, and four times per
// --idle-timeout when that is shorter, so a timeout fires at most this
// late; a scan costs one comparison per connection. It also bounds how
// long one epoll_wait lasts, and so the share of a pause that tick()
// cannot tell from waiting (see there).
constexpr std::chrono::milliseconds kIdleScan = 1s;
// A turn that overruns its epoll_wait timeout by more than this was a
// pause of the whole server, not a busy turn (those take milliseconds).
constexpr auto kStall = 250ms;

// True when the socket is ready for what the coroutine parked on it waits
// for: unread input (or EOF), or room for its blocked write. Then the loop
// is behind, not the client, and the connection is not idle however old
// its progress. One poll(2) with no timeout, for idle candidates only.
bool waiting_on_server(const Conn& conn) {
    auto wanted = static_cast<short>((conn.interest & EPOLLIN ? POLLIN : 0) |
                                     (conn.interest & EPOLLOUT ? POLLOUT : 0));
    pollfd probe{conn.sock.get(), wanted, 0};
    return ::poll(&probe, 1, 0) == 1 && (probe.revents & wanted) != 0;
}

}  // namespace

Conns::Conns(const ServerOptions& opts, int epoll_fd)
    : opts_(opts),
      epoll_(epoll_fd),
      scan_every_(opts.idle_timeout().count() > 0
                      ? std::clamp(opts.idle_timeout() / 4,
                                   std::chrono::milliseconds(10), kIdleScan)
                      : kIdleScan) {}

Conn* Conns::admit(Accepted client) {
    if (client.result != AcceptResult::accepted) {
        // While paused the loop stops watching the listener, so a
        // level-triggered readiness report cannot make it spin.
        accept_paused_until_ = Clock::now() + backoff_.after(client);
        return nullptr;
    }
    int fd = client.conn.get();
    auto index = static_cast<std::size_t>(fd);
    if (index >= slots_.size()) {
        slots_.resize(std::max(index + 1, slots_.size() * 2));
    }
    if (opts_.verbose) {
        log_connect(client.peer);
    }
    Slot& slot = slots_[index];
    slot.conn = std::make_unique<Conn>(std::move(client.conn), client.peer,
                                       epoll_, now_);
    ++count_;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
        // ENOSPC (fs.epoll.max_user_watches) or ENOMEM: this client only.
        slot.conn->failed(errno, "epoll_ctl");
        close(slot, slot.conn->why);
        return nullptr;
    }
    return slot.conn.get();
}

void Conns::start(Conn& conn, Session body) {
    Slot& slot = slots_[static_cast<std::size_t>(conn.sock.get())];
    slot.session = std::move(body);
    conn.parked = slot.session.handle();
    resume(conn.sock.get());
}

void Conns::resume(int fd) {
    if (!has(fd)) {
        return;
    }
    Slot& slot = slots_[static_cast<std::size_t>(fd)];
    // Cleared first: the coroutine parks itself again (or finishes) before
    // resume() returns here; nothing else runs meanwhile.
    if (auto handle = std::exchange(slot.conn->parked, nullptr)) {
        handle.resume();
    }
    if (slot.session.done()) {
        const std::string& failure = slot.session.failure();
        close(slot, failure.empty() ? slot.conn->why : failure);
    }
}

bool Conns::has(int fd) const noexcept {
    auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < slots_.size() && slots_[index].conn != nullptr;
}

bool Conns::accepting(const StopSignal& stop) const {
    return !stop.requested() && count_ < opts_.max_conns &&
           Clock::now() >= accept_paused_until_;
}

void Conns::close(Slot& slot, std::string_view why) {
    if (opts_.verbose) {
        log_disconnect(slot.conn->peer, why, slot.conn->echoed);
    }
    slot.session = Session();
    slot.conn.reset();
    --count_;
}

void Conns::tick(std::chrono::milliseconds waited) {
    // A pause that began inside epoll_wait cannot be told from the wait
    // itself, so up to `waited` of it still counts; the rest does not.
    auto turn = Clock::now();
    if (turn - last_turn_ > waited + kStall) {
        not_running_ += turn - last_turn_ - waited;
    }
    last_turn_ = turn;
    now_ = turn - not_running_;
}

void Conns::close_idle() {
    if (opts_.idle_timeout().count() <= 0 || now_ < next_idle_scan_) {
        return;
    }
    next_idle_scan_ = now_ + scan_every_;
    auto oldest = now_ - opts_.idle_timeout();
    for (Slot& slot : slots_) {
        if (slot.conn != nullptr && slot.conn->progress < oldest &&
            !waiting_on_server(*slot.conn)) {
            close(slot, "idle timeout");
        }
    }
}

void Conns::close_all(std::string_view why) {
    for (Slot& slot : slots_) {
        if (slot.conn != nullptr) {
            close(slot, why);
        }
    }
}

bool Conns::finished(const StopSignal& stop) const {
    return stop.requested() &&
           (count_ == 0 || Clock::now() >= stop.requested_at() + opts_.grace());
}

std::chrono::milliseconds Conns::timeout(const StopSignal& stop) const {
    auto now = Clock::now();
    auto next = now + scan_every_;
    if (accept_paused_until_ > now) {
        next = std::min(next, accept_paused_until_);
    }
    if (stop.requested()) {
        next = std::min(next, stop.requested_at() + opts_.grace());
    }
    return std::chrono::ceil<std::chrono::milliseconds>(
        std::max(next - now, Clock::duration::zero()));
}

}  // namespace echolab::coro
