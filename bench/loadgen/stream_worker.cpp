#include "bench/loadgen/stream_worker.hpp"

#include "core/error.hpp"
#include "core/listen.hpp"

#include "bench/loadgen/client_socket.hpp"
#include "bench/loadgen/describe.hpp"
#include "bench/loadgen/echo_check.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>

namespace echolab::loadgen {

StreamWorker::StreamWorker(RunContext& ctx, int index, int connections)
    : Worker(ctx, index, connections),
      size_(ctx.config.size),
      pipeline_(static_cast<std::uint64_t>(ctx.config.pipeline)),
      limit_(ctx.config.messages),
      open_loop_(ctx.config.rate > 0),
      buffer_(Pattern::kMaxWindow) {}

void StreamWorker::setup() {
    auto count = static_cast<std::uint64_t>(connections_);
    conns_.resize(count);
    send_times_.assign(count * pipeline_, 0);
    for (std::uint64_t i = 0; i < count; ++i) {
        Conn& c = conns_[i];
        c.local = i;
        c.number = i * static_cast<std::uint64_t>(config_.threads) +
                   static_cast<std::uint64_t>(index_);
        c.fd = connect_tcp(config_.host, config_.port);
        if (std::error_code ec = set_nonblocking(c.fd, true)) {
            throw SetupError(ec.value(), "fcntl(O_NONBLOCK)");
        }
        if (std::error_code ec = set_nodelay(c.fd)) {
            throw SetupError(ec.value(), "setsockopt(TCP_NODELAY)");
        }
        if (std::error_code ec = loop_.add(c.fd.get(), EPOLLIN, i)) {
            throw SetupError(ec.value(), "epoll_ctl");
        }
        ++open_;
    }
    result_.connections_opened = count;
}

void StreamWorker::run() {
    Nanos now = now_ns();
    if (open_loop_) {
        // Each thread keeps its share of the rate on its own timetable.
        schedule_ = Schedule(ctx_.times.start,
                             config_.rate * connections_ / config_.connections);
    }
    for (Conn& c : conns_) {
        c.last_progress = now;
        start_messages(c, now);
    }
    tick(now);
    while (open_ > 0 && !ctx_.stop_requested()) {
        for (const epoll_event& ev : loop_.wait(next_wake())) {
            on_event(ev);
        }
        tick(now_ns());
    }
    collect_totals();
    finish(now_ns());
}

void StreamWorker::on_event(const epoll_event& ev) {
    if (ev.data.u64 == EventLoop::kStopToken) {
        return;
    }
    Conn& c = conns_[ev.data.u64];
    Nanos now = now_ns();
    if (c.fd && (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
        receive(c, now);
    }
    if (c.fd && (ev.events & EPOLLOUT) != 0) {
        flush(c, now);
    }
}

void StreamWorker::receive(Conn& c, Nanos now) {
    // One read of up to 64 KiB per readiness, as the floor client does;
    // level triggering brings us back for the rest.
    ssize_t n = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
    if (n > 0) {
        auto got = static_cast<std::size_t>(n);
        EchoPosition at{c.number, c.received_bytes, c.sent_bytes, size_};
        if (auto wrong = check_echo(ctx_.pattern, at, buffer_.data(), got)) {
            drop(c, ErrorKind::mismatch, *wrong, now);
            return;
        }
        c.received_bytes += got;
        c.last_progress = now;
        complete_messages(c, now);
        return;
    }
    int err = n == 0 ? 0 : errno;
    if (err == EAGAIN || err == EINTR) {
        return;
    }
    if (err == 0) {
        drop(c, ErrorKind::closed,
             closed_early_text(c.received_bytes, c.sent_bytes), now);
        return;
    }
    drop(c, classify_errno(err), call_failed_text("recv", err), now);
}

void StreamWorker::complete_messages(Conn& c, Nanos now) {
    const Nanos* sent = send_times(c);
    while (c.completed < c.started &&
           c.received_bytes >= (c.completed + 1) * size_) {
        record(c, sent[c.completed % pipeline_], now);
        ++c.completed;
        ++completed_;
    }
    publish_done(completed_);
    start_messages(c, now);
    close_if_finished(c);
}

// Closed loop counts a round trip in the window it ends in; open loop
// counts it in the window it was scheduled in, and measures it from that
// schedule, so a send that waited behind a stall pays for the wait.
void StreamWorker::record(Conn& c, Nanos sent, Nanos now) {
    const Timeline& t = ctx_.times;
    if (!open_loop_) {
        if (now >= t.window_start && now < t.window_end) {
            ++in_window_;
            ++c.in_window;
            result_.latency.record(static_cast<std::uint64_t>(now - sent));
        }
        return;
    }
    Nanos due = due_time(c, c.completed);
    if (due >= t.window_start && due < t.window_end) {
        ++in_window_;
        ++c.in_window;
        result_.latency.record(static_cast<std::uint64_t>(now - due));
        result_.service_latency.record(static_cast<std::uint64_t>(now - sent));
    }
}

void StreamWorker::start_messages(Conn& c, Nanos now) {
    std::uint64_t allowed = c.completed + pipeline_;
    if (draining_) {
        allowed = c.started;
    } else if (open_loop_) {
        allowed = std::min(allowed, c.due);
    } else if (limit_ != 0) {
        allowed = std::min(allowed, limit_);
    }
    Nanos* sent = send_times(c);
    for (; c.started < allowed; ++c.started) {
        sent[c.started % pipeline_] = now;
        if (open_loop_) {
            note_start(due_time(c, c.started), now);
        }
    }
    flush(c, now);
}

void StreamWorker::flush(Conn& c, Nanos now) {
    std::uint64_t end = c.started * size_;
    while (c.sent_bytes < end) {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(end - c.sent_bytes, Pattern::kMaxWindow));
        ssize_t rc = ::send(c.fd.get(), ctx_.pattern.at(c.number, c.sent_bytes),
                            n, MSG_NOSIGNAL);
        if (rc < 0) {
            int err = errno;
            if (err == EINTR) {
                continue;
            }
            if (err == EAGAIN) {
                watch_output(c, true, now);
            } else {
                drop(c, classify_errno(err), call_failed_text("send", err),
                     now);
            }
            return;
        }
        c.sent_bytes += static_cast<std::uint64_t>(rc);
        c.last_progress = now;
    }
    if (c.watching_output) {
        watch_output(c, false, now);
    }
}

// Output is watched only while a send is unfinished: with level
// triggering a writable socket would otherwise wake the loop endlessly.
void StreamWorker::watch_output(Conn& c, bool on, Nanos now) {
    if (c.watching_output == on) {
        return;
    }
    std::uint32_t events = on ? EPOLLIN | EPOLLOUT : EPOLLIN;
    if (std::error_code ec = loop_.modify(c.fd.get(), events, c.local)) {
        drop(c, ErrorKind::other, call_failed_text("epoll_ctl", ec.value()),
             now);
        return;
    }
    c.watching_output = on;
}

void StreamWorker::release_due(Nanos now) {
    const Timeline& t = ctx_.times;
    while (slots_left()) {
        Nanos due = schedule_.due(next_slot_);
        if (due > now) {
            return;
        }
        Conn& c = conns_[next_slot_ % conns_.size()];
        ++next_slot_;
        if (due >= t.window_start) {
            ++result_.open_loop.scheduled;
        }
        if (c.fd) {
            ++c.due;
            start_messages(c, now);
        }
    }
}

bool StreamWorker::slots_left() const noexcept {
    if (limit_ != 0 && next_slot_ / conns_.size() >= limit_) {
        return false;
    }
    return schedule_.due(next_slot_) < ctx_.times.window_end;
}

void StreamWorker::tick(Nanos now) {
    if (open_loop_) {
        release_due(now);
    }
    if (!draining_ && now >= ctx_.times.window_end) {
        // No new messages from here on; the loop runs until every echo
        // owed has come back (or the watchdog calls it a stall).
        draining_ = true;
        for (Conn& c : conns_) {
            close_if_finished(c);
        }
    }
    if (watchdog_due(now)) {
        check_stalls(now);
    }
}

void StreamWorker::check_stalls(Nanos now) {
    for (const Conn& c : conns_) {
        bool waiting =
            c.sent_bytes > c.received_bytes || c.sent_bytes < c.started * size_;
        if (c.fd && waiting && stalled_since(c.last_progress, now)) {
            report_stall(stall_text(describe_connection(c.number, c.fd),
                                    now - c.last_progress, waiting_for(c)));
            return;
        }
    }
}

std::string StreamWorker::waiting_for(const Conn& c) const {
    if (c.sent_bytes < c.started * size_) {
        return send_wait_text(c.sent_bytes - c.completed * size_,
                              (c.started - c.completed) * size_);
    }
    return echo_wait_text(c.completed, c.received_bytes - c.completed * size_,
                          size_);
}

void StreamWorker::close_if_finished(Conn& c) {
    bool idle = c.completed == c.started && c.sent_bytes == c.started * size_;
    bool over = draining_ || (limit_ != 0 && c.completed >= limit_);
    if (c.fd && idle && over) {
        c.fd.reset();
        --open_;
    }
}

void StreamWorker::drop(Conn& c, ErrorKind kind, const std::string& why,
                        Nanos now) {
    std::string text = describe_connection(c.number, c.fd);
    text.append(": ").append(why);
    count_error(kind, std::move(text), now);
    c.fd.reset();
    --open_;
}

void StreamWorker::collect_totals() {
    result_.completed = in_window_;
    for (const Conn& c : conns_) {
        result_.messages_sent += c.started;
        result_.messages_verified += c.completed;
        result_.bytes_sent += c.sent_bytes;
        result_.bytes_received += c.received_bytes;
        result_.fairness.add(c.in_window);
    }
}

Nanos StreamWorker::next_wake() const noexcept {
    Nanos next = next_check_;
    if (!draining_) {
        next = std::min(next, ctx_.times.window_end);
    }
    if (open_loop_ && slots_left()) {
        next = std::min(next, schedule_.due(next_slot_));
    }
    return next;
}

Nanos StreamWorker::due_time(const Conn& c,
                             std::uint64_t message) const noexcept {
    return schedule_.due(message * conns_.size() + c.local);
}

Nanos* StreamWorker::send_times(const Conn& c) noexcept {
    return send_times_.data() + c.local * pipeline_;
}

}  // namespace echolab::loadgen
