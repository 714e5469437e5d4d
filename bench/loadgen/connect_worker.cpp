#include "bench/loadgen/connect_worker.hpp"

#include "core/error.hpp"

#include "bench/loadgen/describe.hpp"
#include "bench/loadgen/echo_check.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>

namespace echolab::loadgen {
namespace {

// "connect 127.0.0.1:7007 from 127.0.1.9:0: Connection refused"
std::string setup_failed_text(const char* call, int err,
                              const SocketAddress& target,
                              const SocketAddress* source) {
    std::string out = call;
    out.append(" ").append(to_string(target));
    if (source != nullptr) {
        out.append(" from ").append(to_string(*source));
    }
    out.append(": ").append(error_text(err));
    return out;
}

}  // namespace

ConnectWorker::ConnectWorker(RunContext& ctx, int index, int workers)
    : Worker(ctx, index, workers),
      size_(ctx.config.size),
      limit_(ctx.config.messages * static_cast<std::uint64_t>(workers)),
      open_loop_(ctx.config.rate > 0),
      slots_(static_cast<std::size_t>(workers)),
      buffer_(Pattern::kMaxWindow),
      // Threads start at different places in the list, so they do not all
      // bind the same address at the same moment.
      sources_(ctx.target, ctx.config.spread_sources,
               SourceAddresses::kCount * static_cast<std::size_t>(index) /
                   static_cast<std::size_t>(ctx.config.threads)) {
    idle_.reserve(slots_.size());
    resting_.reserve(slots_.size());
}

void ConnectWorker::run() {
    Nanos now = now_ns();
    if (open_loop_) {
        schedule_ = Schedule(ctx_.times.start,
                             config_.rate * connections_ / config_.connections);
    }
    for (auto i = static_cast<std::uint32_t>(slots_.size()); i > 0; --i) {
        idle_.push_back(i - 1);
    }
    tick(now);
    start_idle(now);
    while (!finished() && !ctx_.stop_requested()) {
        for (const epoll_event& ev : loop_.wait(next_wake())) {
            on_event(ev);
        }
        tick(now_ns());
    }
    result_.completed = in_window_;
    finish(now_ns());
}

void ConnectWorker::start_idle(Nanos now) {
    Nanos origin = now;
    while (!idle_.empty() && may_start(origin, now)) {
        std::uint32_t slot = idle_.back();
        idle_.pop_back();
        start(slot, origin, now);
    }
}

// Closed loop starts at once and measures from now; open loop starts
// only what the schedule has made due, and measures from when it was due.
bool ConnectWorker::may_start(Nanos& origin, Nanos now) const noexcept {
    if (open_loop_) {
        origin = schedule_.due(started_);
        return started_ < released_ && !draining_;
    }
    origin = now;
    return !draining_ && (limit_ == 0 || started_ < limit_);
}

void ConnectWorker::start(std::uint32_t slot, Nanos origin, Nanos now) {
    Slot& s = slots_[slot];
    s.number = started_ * static_cast<std::uint64_t>(config_.threads) +
               static_cast<std::uint64_t>(index_);
    ++started_;
    if (open_loop_) {
        note_start(origin, now);
    }
    s.origin = origin;
    s.sent = s.received = 0;
    s.last_progress = now;
    const SocketAddress* source = sources_.next();
    ConnectStart attempt = start_connect(ctx_.target, source);
    ++result_.connections_opened;
    s.state = State::connecting;
    ++busy_;
    if (!attempt.sock) {
        fail(slot, classify_errno(attempt.error),
             setup_failed_text(attempt.failed_call, attempt.error, ctx_.target,
                               source),
             now);
        return;
    }
    s.fd = std::move(attempt.sock);
    // Writable means the handshake is over, one way or the other.
    if (std::error_code ec = loop_.add(s.fd.get(), EPOLLOUT, slot)) {
        fail(slot, ErrorKind::other, call_failed_text("epoll_ctl", ec.value()),
             now);
    }
}

void ConnectWorker::on_event(const epoll_event& ev) {
    if (ev.data.u64 == EventLoop::kStopToken) {
        return;
    }
    auto slot = static_cast<std::uint32_t>(ev.data.u64);
    Slot& s = slots_[slot];
    Nanos now = now_ns();
    if (s.state == State::connecting) {
        on_connected(slot, now);
        return;
    }
    if (s.state == State::echoing &&
        (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
        receive(slot, now);
    }
    if (s.state == State::echoing && (ev.events & EPOLLOUT) != 0) {
        flush(slot, now);
    }
}

void ConnectWorker::on_connected(std::uint32_t slot, Nanos now) {
    Slot& s = slots_[slot];
    if (int err = connect_error(s.fd)) {
        fail(slot, classify_errno(err),
             setup_failed_text("connect", err, ctx_.target, nullptr), now);
        return;
    }
    s.connected_at = now;
    s.last_progress = now;
    s.state = State::echoing;
    ++result_.messages_sent;
    flush(slot, now);
}

void ConnectWorker::flush(std::uint32_t slot, Nanos now) {
    Slot& s = slots_[slot];
    while (s.sent < size_) {
        auto n = static_cast<std::size_t>(
            std::min<std::uint64_t>(size_ - s.sent, Pattern::kMaxWindow));
        ssize_t rc = ::send(s.fd.get(), ctx_.pattern.at(s.number, s.sent), n,
                            MSG_NOSIGNAL);
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0 && errno == EAGAIN) {
            break;
        }
        if (rc < 0) {
            int err = errno;
            fail(slot, classify_errno(err), call_failed_text("send", err), now);
            return;
        }
        s.sent += static_cast<std::uint64_t>(rc);
        result_.bytes_sent += static_cast<std::uint64_t>(rc);
        s.last_progress = now;
    }
    // Level-triggered: watch output only while bytes are left to send.
    std::uint32_t events = s.sent < size_ ? EPOLLIN | EPOLLOUT : EPOLLIN;
    if (std::error_code ec = loop_.modify(s.fd.get(), events, slot)) {
        fail(slot, ErrorKind::other, call_failed_text("epoll_ctl", ec.value()),
             now);
    }
}

void ConnectWorker::receive(std::uint32_t slot, Nanos now) {
    Slot& s = slots_[slot];
    ssize_t n = ::recv(s.fd.get(), buffer_.data(), buffer_.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        int err = errno;
        if (n == 0) {
            fail(slot, ErrorKind::closed, closed_early_text(s.received, s.sent),
                 now);
        } else {
            fail(slot, classify_errno(err), call_failed_text("recv", err), now);
        }
        return;
    }
    auto got = static_cast<std::size_t>(n);
    EchoPosition at{s.number, s.received, s.sent, size_};
    if (auto wrong = check_echo(ctx_.pattern, at, buffer_.data(), got)) {
        fail(slot, ErrorKind::mismatch, *wrong, now);
        return;
    }
    if (s.received == 0) {
        s.first_echo_at = now;
    }
    s.received += got;
    result_.bytes_received += got;
    s.last_progress = now;
    if (s.received == size_) {
        complete(slot, now);
    }
}

void ConnectWorker::complete(std::uint32_t slot, Nanos now) {
    Slot& s = slots_[slot];
    const Timeline& t = ctx_.times;
    Nanos when = open_loop_ ? s.origin : now;
    if (when >= t.window_start && when < t.window_end) {
        ++in_window_;
        auto since = [&](Nanos at) {
            return static_cast<std::uint64_t>(at - s.origin);
        };
        result_.latency.record(since(now));
        result_.connect_latency.record(since(s.connected_at));
        result_.first_echo_latency.record(since(s.first_echo_at));
    }
    ++result_.messages_verified;
    publish_done(++completed_);
    // The client closes first, so the TIME_WAIT is ours (see
    // SourceAddresses), never the server's.
    s.fd.reset();
    s.state = State::idle;
    --busy_;
    idle_.push_back(slot);
    start_idle(now);
}

void ConnectWorker::fail(std::uint32_t slot, ErrorKind kind,
                         const std::string& why, Nanos now) {
    Slot& s = slots_[slot];
    std::string text = describe_connection(s.number, s.fd);
    text.append(": ").append(why);
    count_error(kind, std::move(text), now);
    s.fd.reset();
    s.state = State::idle;
    --busy_;
    // Not restarted at once: a failure that repeats (EMFILE,
    // EADDRNOTAVAIL) must not spin; the next watchdog turn retries.
    resting_.push_back(slot);
}

void ConnectWorker::release_due(Nanos now) {
    const Timeline& t = ctx_.times;
    while (limit_ == 0 || released_ < limit_) {
        Nanos due = schedule_.due(released_);
        if (due > now || due >= t.window_end) {
            return;
        }
        if (due >= t.window_start) {
            ++result_.open_loop.scheduled;
        }
        ++released_;
    }
}

void ConnectWorker::tick(Nanos now) {
    if (open_loop_) {
        release_due(now);
    }
    if (now >= ctx_.times.window_end) {
        draining_ = true;
    }
    if (watchdog_due(now)) {
        idle_.insert(idle_.end(), resting_.begin(), resting_.end());
        resting_.clear();
        check_stalls(now);
    }
    start_idle(now);
}

void ConnectWorker::check_stalls(Nanos now) {
    for (const Slot& s : slots_) {
        if (s.state != State::idle && stalled_since(s.last_progress, now)) {
            report_stall(stall_text(describe_connection(s.number, s.fd),
                                    now - s.last_progress, waiting_for(s)));
            return;
        }
    }
}

std::string ConnectWorker::waiting_for(const Slot& s) const {
    if (s.state == State::connecting) {
        return "the handshake to complete";
    }
    if (s.sent < size_) {
        return send_wait_text(s.sent, size_);
    }
    return echo_wait_text(0, s.received, size_);
}

Nanos ConnectWorker::next_wake() const noexcept {
    Nanos next = next_check_;
    if (!draining_) {
        next = std::min(next, ctx_.times.window_end);
        if (open_loop_ && (limit_ == 0 || released_ < limit_)) {
            next = std::min(next, schedule_.due(released_));
        }
    }
    return next;
}

bool ConnectWorker::finished() const noexcept {
    bool more = !draining_ && (limit_ == 0 || started_ < limit_);
    return busy_ == 0 && !more;
}

}  // namespace echolab::loadgen
