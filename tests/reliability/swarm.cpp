#include "tests/reliability/swarm.hpp"

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/fd.hpp"

#include "bench/loadgen/client_socket.hpp"
#include "bench/loadgen/clock.hpp"
#include "bench/loadgen/describe.hpp"
#include "bench/loadgen/echo_check.hpp"
#include "bench/loadgen/event_loop.hpp"
#include "support/pattern.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace echolab::test {
namespace {

// Waiting, connecting, checking echoes and the clock are the load
// generator's; the swarm adds only the scripts (bench/loadgen/
// CMakeLists.txt says why tests may use them).
using loadgen::call_failed_text;
using loadgen::EventLoop;
using loadgen::Nanos;
using loadgen::now_ns;
using support::Pattern;
using support::shared_pattern;
using namespace std::chrono_literals;

// A chunk is sent from, and checked against, one window of the pattern.
constexpr std::size_t kRecvChunk = Pattern::kMaxWindow;
constexpr std::size_t kSendChunk = Pattern::kMaxWindow;
constexpr std::size_t kFailuresKept = 10;
// Reads per wake-up and client, so one fast client cannot starve the rest.
constexpr int kReadsPerWake = 4;

constexpr Nanos nanos(Millis span) {
    return std::chrono::nanoseconds(span).count();
}

constexpr Nanos kTickInterval = nanos(50ms);

// The first address the host resolves to: every client connects there.
SocketAddress target_of(const std::string& host, std::uint16_t port) {
    AddrInfoList list = resolve(host, port, false);
    SocketAddress addr;
    std::memcpy(&addr.storage, list->ai_addr, list->ai_addrlen);
    addr.length = list->ai_addrlen;
    return addr;
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

enum class State { pending, connecting, active, parked, done, failed };

struct Conn {
    ClientPlan plan;
    Fd sock;
    State state = State::pending;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t round_end = 0;  // ping-pong: send up to here, then wait
    std::uint64_t rng = 0;
    bool write_shut = false;
    bool blocked = false;  // the last send hit EAGAIN
    bool paused_once = false;
    std::uint32_t interest = 0;
    Nanos quiet_until = 0;  // silent or paused until then (0: not)
    Nanos last_progress = 0;

    bool settled() const {
        return state == State::done || state == State::failed ||
               state == State::parked;
    }
    std::uint64_t send_limit() const {
        std::uint64_t limit = plan.message ? round_end : plan.bytes;
        if (plan.end == Ending::reset) {
            limit = std::min<std::uint64_t>(limit, plan.reset_after);
        }
        return limit;
    }
    // A streaming client's bytes are one message, for check_echo's text.
    loadgen::EchoPosition echo_position() const {
        std::uint64_t size = plan.message ? plan.message : plan.bytes;
        return {plan.seed, received, sent, std::max<std::uint64_t>(size, 1)};
    }
    std::string where() const {
        return "client " + std::to_string(plan.seed) + " (sent " +
               std::to_string(sent) + ", echoed " + std::to_string(received) +
               " of " + std::to_string(plan.bytes) + ")";
    }
};

}  // namespace

struct Swarm::Impl {
    Impl(const std::string& host, std::uint16_t port, SwarmOptions opts)
        : target(target_of(host, port)),
          // 10,000 clients, and churn's tens of thousands of closed ones
          // in TIME_WAIT, would exhaust one source address's ports.
          sources(target, true, 0),
          options(opts),
          stall_after(nanos(opts.stall_timeout)) {}

    const SocketAddress target;
    loadgen::SourceAddresses sources;
    SwarmOptions options;
    Nanos stall_after;  // 0: never
    EventLoop loop;
    std::vector<std::unique_ptr<Conn>> conns;
    std::size_t next_start = 0;
    int connecting = 0;
    bool more_to_come = false;
    SwarmStats stats;
    const Pattern& pattern = shared_pattern();
    std::array<char, kRecvChunk> recv_buf{};

    void watch(Conn& c, std::uint32_t events, std::size_t index) {
        if (c.interest == events) {
            return;
        }
        if (std::error_code ec = loop.modify(c.sock.get(), events, index)) {
            fail(c, call_failed_text("epoll_ctl", ec.value()));
            return;
        }
        c.interest = events;
    }

    void close_conn(Conn& c, State end) {
        c.state = end;
        c.sock.reset();
        --stats.open;
        if (end == State::done) {
            ++stats.finished;
        }
    }

    void fail(Conn& c, const std::string& why) {
        if (stats.failures.size() < kFailuresKept) {
            stats.failures.push_back(c.where() + ": " + why);
        }
        ++stats.failed;
        if (c.state == State::parked) {
            --stats.parked;
        }
        if (c.sock) {
            close_conn(c, State::failed);
        } else {
            c.state = State::failed;
        }
    }

    void progress(Conn& c) {
        c.last_progress = now_ns();
        stats.last_progress = loadgen::to_time_point(c.last_progress);
    }

    // Writable means the handshake is over, one way or the other.
    void start(Conn& c, std::size_t index) {
        loadgen::ConnectStart attempt =
            loadgen::start_connect(target, sources.next());
        if (!attempt.sock) {
            fail(c, call_failed_text(attempt.failed_call, attempt.error));
            return;
        }
        c.sock = std::move(attempt.sock);
        ++stats.open;
        stats.peak_open = std::max(stats.peak_open, stats.open);
        if (std::error_code ec = loop.add(c.sock.get(), EPOLLOUT, index)) {
            fail(c, call_failed_text("epoll_ctl", ec.value()));
            return;
        }
        c.interest = EPOLLOUT;
        c.state = State::connecting;
        c.rng = splitmix(c.plan.seed);
        progress(c);
        ++connecting;
    }

    void start_pending() {
        while (next_start < conns.size() && stats.open < options.max_open &&
               connecting < options.max_connecting) {
            Conn& c = *conns[next_start];
            start(c, next_start++);
        }
    }

    void connected(Conn& c, std::size_t index) {
        --connecting;
        if (int err = loadgen::connect_error(c.sock)) {
            fail(c, call_failed_text("connect", err));
            return;
        }
        ++stats.connected;
        c.state = State::active;
        c.round_end = std::min<std::uint64_t>(c.plan.message, c.plan.bytes);
        c.quiet_until = now_ns() + nanos(c.plan.silent);
        pump(c, index);
    }

    void send_some(Conn& c) {
        c.blocked = false;
        std::uint64_t limit = c.send_limit();
        while (c.sent < limit) {
            c.rng = splitmix(c.rng);
            std::size_t chunk = 1 + c.rng % c.plan.max_chunk;
            chunk = std::min(
                {chunk, kSendChunk, static_cast<std::size_t>(limit - c.sent)});
            ssize_t n = ::send(c.sock.get(), pattern.at(c.plan.seed, c.sent),
                               chunk, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    c.blocked = errno == EAGAIN;
                    return;
                }
                fail(c, call_failed_text("send", errno));
                return;
            }
            c.sent += static_cast<std::uint64_t>(n);
            stats.bytes_sent += static_cast<std::uint64_t>(n);
            progress(c);
        }
    }

    // Reads what is there and checks it. Returns false once c ended.
    bool receive(Conn& c) {
        for (int i = 0; i < kReadsPerWake; ++i) {
            ssize_t n =
                ::recv(c.sock.get(), recv_buf.data(), recv_buf.size(), 0);
            if (n == 0) {
                bool clean = c.write_shut && c.received == c.sent &&
                             c.plan.end == Ending::half_close;
                if (clean) {
                    close_conn(c, State::done);
                } else {
                    fail(c, loadgen::closed_early_text(c.received, c.sent));
                }
                return false;
            }
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    return true;
                }
                fail(c, call_failed_text("recv", errno));
                return false;
            }
            auto got = static_cast<std::size_t>(n);
            if (auto wrong = loadgen::check_echo(pattern, c.echo_position(),
                                                 recv_buf.data(), got)) {
                fail(c, *wrong);
                return false;
            }
            c.received += got;
            stats.bytes_verified += got;
            progress(c);
            if (got < recv_buf.size()) {
                return true;
            }
        }
        return true;
    }

    // Moves c on as far as it can go now, then sets what to watch.
    void pump(Conn& c, std::size_t index) {
        Nanos now = now_ns();
        bool quiet = now < c.quiet_until;
        // Silent clients still watch for input, to notice a server that
        // closes on them; a paused reader goes on sending but reads nothing.
        if (c.state != State::active || (quiet && !c.paused_once)) {
            if (c.state == State::active || c.state == State::parked) {
                watch(c, EPOLLIN, index);
            }
            return;
        }
        if (c.plan.message && c.received == c.round_end &&
            c.sent == c.round_end && c.sent < c.plan.bytes) {
            c.round_end =
                std::min<std::uint64_t>(c.sent + c.plan.message, c.plan.bytes);
        }
        send_some(c);
        if (c.state != State::active) {
            return;
        }
        if (c.plan.end == Ending::reset && c.sent >= c.plan.reset_after) {
            // SO_LINGER {1, 0}: close sends RST with echo still in flight.
            linger hard{1, 0};
            ::setsockopt(c.sock.get(), SOL_SOCKET, SO_LINGER, &hard,
                         sizeof hard);
            close_conn(c, State::done);
            return;
        }
        bool all_sent = c.sent == c.plan.bytes;
        if (all_sent && c.plan.end == Ending::half_close && !c.write_shut) {
            ::shutdown(c.sock.get(), SHUT_WR);
            c.write_shut = true;
        }
        if (all_sent && c.received == c.sent) {
            if (c.plan.end == Ending::close) {
                close_conn(c, State::done);
                return;
            }
            if (c.plan.end == Ending::park) {
                c.state = State::parked;
                ++stats.parked;
            }
        }
        if (c.plan.pause_at && !c.paused_once &&
            c.received >= c.plan.pause_at) {
            c.paused_once = quiet = true;
            c.quiet_until = now + nanos(c.plan.pause);
        }
        watch(c, (quiet ? 0u : EPOLLIN) | (c.blocked ? EPOLLOUT : 0u), index);
    }

    void on_event(std::size_t index, std::uint32_t events) {
        Conn& c = *conns[index];
        if (c.state == State::done || c.state == State::failed) {
            return;  // closed earlier in this batch of events
        }
        if (c.state == State::connecting) {
            connected(c, index);
            return;
        }
        if (c.state == State::parked && (events & (EPOLLIN | EPOLLHUP))) {
            fail(c, "the server spoke or closed while the client was parked");
            return;
        }
        if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !receive(c)) {
            return;
        }
        pump(c, index);
    }

    void wake_quiet(Nanos now) {
        for (std::size_t i = 0; i < next_start; ++i) {
            Conn& c = *conns[i];
            if (c.state == State::active && c.quiet_until != 0 &&
                now >= c.quiet_until) {
                c.quiet_until = 0;
                c.last_progress = now;  // a pause is not a stall
                pump(c, i);
            }
            bool stalled = stall_after > 0 && c.state == State::active &&
                           now >= c.quiet_until &&
                           now - c.last_progress > stall_after;
            if (stalled) {
                fail(c,
                     loadgen::stall_text(
                         "it", now - c.last_progress,
                         c.blocked ? "the socket to take more" : "the server"));
            }
        }
    }

    bool all_settled() const {
        return stats.finished + stats.failed + stats.parked == stats.added;
    }
};

Swarm::Swarm(std::string host, std::uint16_t port, SwarmOptions options)
    : impl_(std::make_unique<Impl>(host, port, options)) {
    impl_->stats.last_progress = loadgen::to_time_point(now_ns());
}

Swarm::~Swarm() = default;

void Swarm::add(const ClientPlan& plan) {
    auto conn = std::make_unique<Conn>();
    conn->plan = plan;
    conn->plan.max_chunk = std::max<std::size_t>(plan.max_chunk, 1);
    conn->plan.reset_after = std::min(plan.reset_after, plan.bytes);
    impl_->conns.push_back(std::move(conn));
    ++impl_->stats.added;
}

const SwarmStats& Swarm::run(Millis deadline,
                             const std::function<bool(Swarm&)>& tick) {
    Impl& s = *impl_;
    Nanos end = now_ns() + nanos(deadline);
    Nanos next_tick = now_ns();
    while ((s.more_to_come || !s.all_settled()) && now_ns() < end) {
        s.start_pending();
        for (const epoll_event& ev : s.loop.wait(std::min(next_tick, end))) {
            s.on_event(static_cast<std::size_t>(ev.data.u64), ev.events);
        }
        Nanos now = now_ns();
        if (now >= next_tick) {
            next_tick = now + kTickInterval;
            s.wake_quiet(now);
            if (tick && !tick(*this)) {
                return s.stats;
            }
        }
    }
    for (auto& c : s.conns) {
        if (!c->settled()) {
            s.fail(*c, "unfinished when the run's time was up");
        }
    }
    return s.stats;
}

void Swarm::release(std::size_t message) {
    Impl& s = *impl_;
    for (std::size_t i = 0; i < s.conns.size(); ++i) {
        Conn& c = *s.conns[i];
        if (c.state != State::parked) {
            // Still waiting for the server: it leaves once echoed instead.
            if (c.plan.end == Ending::park) {
                c.plan.end = Ending::half_close;
            }
            continue;
        }
        --s.stats.parked;
        c.state = State::active;
        c.plan.bytes += message;
        c.plan.message = message;
        c.plan.end = Ending::half_close;
        s.pump(c, i);
    }
}

void Swarm::half_close_all() {
    Impl& s = *impl_;
    cancel_pending();
    for (std::size_t i = 0; i < s.conns.size(); ++i) {
        Conn& c = *s.conns[i];
        if (c.state == State::parked) {
            --s.stats.parked;
            c.state = State::active;
        }
        if (c.state != State::active) {
            continue;
        }
        c.plan.bytes = c.round_end = c.sent;
        c.plan.end = Ending::half_close;
        c.quiet_until = 0;
        s.pump(c, i);
    }
}

void Swarm::cancel_pending() {
    Impl& s = *impl_;
    s.stats.added -= static_cast<int>(s.conns.size() - s.next_start);
    s.conns.resize(s.next_start);
}

void Swarm::more_to_come(bool on) {
    impl_->more_to_come = on;
}

const SwarmStats& Swarm::stats() const noexcept {
    return impl_->stats;
}

int Swarm::waiting_for_echo() const {
    return static_cast<int>(std::count_if(
        impl_->conns.begin(), impl_->conns.end(), [](const auto& c) {
            return c->state == State::active && c->received < c->sent;
        }));
}

}  // namespace echolab::test
