// coroutine_loop: one thread and one epoll loop, as in epoll_loop, but each
// client's echo is a C++20 coroutine written like thread_per_conn's
// session: co_await a read, co_await writing it all back, until EOF.
//
// Model:    a co_await that cannot go on parks the coroutine's handle in
//           its connection and tells epoll what it waits for (task.hpp);
//           epoll_wait returns the ready sockets and the loop resumes the
//           coroutine parked on each. The compiler turns the straight-line
//           session into the state machine epoll_loop writes by hand: the
//           locals live in a heap frame, and each co_await is a resume
//           point. Level-triggered, as in epoll_loop: the interest stays
//           armed between messages, so a message costs no epoll_ctl.
// Costs:    one coroutine frame per client (a few hundred bytes, made at
//           accept) and a --buffer taken on its first read; an epoll_ctl
//           only when a client starts or stops waiting to write. A resume
//           is an indirect call; per message the system calls are
//           epoll_loop's: a share of an epoll_wait, one recv, one send.
// Bounds:   --max-conns; one --buffer per client, and a coroutine with
//           unsent echo does not read (backpressure through TCP).
// Breaks:   one core only; a blocking call or a long computation inside a
//           coroutine stalls every client, and nothing in the code shows
//           it: a co_await looks as harmless as the call that blocks.
// Choose:   the code of thread_per_conn with the scaling of epoll_loop;
//           protocols with several steps per client (a handshake, then a
//           loop) that a hand-written state machine makes hard to read.
// Compare:  thread_per_conn (same session shape, a thread per client);
//           epoll_loop (same loop and calls, a hand-written ConnBuffer).
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include "coroutine_loop/conn.hpp"
#include "coroutine_loop/conns.hpp"
#include "coroutine_loop/task.hpp"

#include <array>
#include <cerrno>
#include <cstdint>

#include <sys/epoll.h>

namespace {

using namespace echolab;
using namespace echolab::coro;

constexpr int kDefaultMaxConns = 10000;
constexpr std::size_t kDefaultBuffer = 64 * 1024;
// Events taken per epoll_wait: enough that a busy loop makes few calls.
constexpr int kMaxEvents = 512;
// Clients accepted per turn at most, so a connection storm cannot starve
// the clients already being served.
constexpr int kAcceptBatch = 64;

struct LoopOptions {
    std::size_t buffer = kDefaultBuffer;
};

// One client's echo. Each co_await returns to the loop until the socket is
// ready; then the loop resumes it here, with its locals as they were.
Session echo(Conn& conn, std::size_t capacity) {
    Buffer buffer(capacity);
    for (;;) {
        IoResult got = co_await read_some(conn, buffer);
        if (got.transient()) {
            continue;
        }
        if (got.bytes == 0) {
            co_return;  // half-close, or an error (conn.why says which)
        }
        std::size_t sent = 0;
        while (sent < got.bytes) {
            IoResult put = co_await write_some(
                conn, buffer.get().subspan(sent, got.bytes - sent));
            if (put.error != 0 && !put.transient()) {
                co_return;
            }
            sent += put.bytes;
        }
    }
}

// The listener and the stop pipe are the server's own: if epoll refuses
// them, the server cannot run, so this is a setup error.
void set_interest(const Fd& epoll, int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll.get(), op, fd, &event) != 0) {
        throw SetupError(errno, "epoll_ctl");
    }
}

void accept_clients(const Fd& listener, Conns& table, const StopSignal& stop,
                    const LoopOptions& loop) {
    for (int i = 0; i < kAcceptBatch && table.accepting(stop); ++i) {
        Conn* conn = table.admit(accept_conn(listener, ConnMode::nonblocking));
        if (conn == nullptr) {
            break;
        }
        table.start(*conn, echo(*conn, loop.buffer));
    }
}

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) {
        throw SetupError(errno, "epoll_create1");
    }
    Conns table(opts, epoll.get());
    set_interest(epoll, listener.get(), EPOLLIN, EPOLL_CTL_ADD);
    set_interest(epoll, stop.fd(), EPOLLIN, EPOLL_CTL_ADD);
    bool listening = true;
    std::array<epoll_event, kMaxEvents> events;
    while (!table.finished(stop)) {
        if (listener && listening != table.accepting(stop)) {
            // At the limit or after EMFILE, stop hearing of the listener;
            // level-triggered, it would otherwise be reported every turn.
            listening = !listening;
            set_interest(epoll, listener.get(), listening ? EPOLLIN : 0u,
                         EPOLL_CTL_MOD);
        }
        auto timeout = table.timeout(stop);
        int ready = ::epoll_wait(epoll.get(), events.data(), kMaxEvents,
                                 static_cast<int>(timeout.count()));
        if (ready < 0 && errno != EINTR) {
            throw SetupError(errno, "epoll_wait");
        }
        table.tick(timeout);
        bool clients_waiting = false;
        for (int i = 0; i < ready; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            // Whatever epoll reports, EPOLLHUP and EPOLLERR included, the
            // coroutine's next recv or send finds out what it means.
            table.resume(fd);
            clients_waiting |= fd == listener.get();
        }
        if (clients_waiting) {
            accept_clients(listener, table, stop, loop);
        }
        if (stop.requested() && listener) {
            listener.reset();  // refuse new clients at once
            // The stop pipe stays readable; level-triggered, it would spin.
            set_interest(epoll, stop.fd(), 0, EPOLL_CTL_DEL);
        }
        table.close_idle();
    }
    table.close_all("grace period over");
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{
        "coroutine_loop: an echo server on one thread, a C++20 coroutine "
        "per client on epoll(7); memory is at most --max-conns x (--buffer "
        "+ one coroutine frame)"};
    add_common_flags(app, opts);
    app.add_option("--buffer", loop.buffer, "Bytes buffered per connection")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, loop, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
