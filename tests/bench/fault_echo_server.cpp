// fault_echo_server: an echo server that misbehaves on purpose, so the
// tests can check that echoload notices. A thread per connection echoes
// with blocking calls, except that it can flip or drop the byte at one
// offset of every connection's stream, and stall every connection once
// for a while after the server has echoed a number of bytes in all.
//
// A test double, not a variant: its threads are detached and it has no
// graceful stop; the test's SIGTERM (or SIGKILL) ends it.
#include "core/listen.hpp"
#include "core/options.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>

namespace {

using namespace echolab;
using Clock = std::chrono::steady_clock;

struct Faults {
    long long flip_at = -1;      // stream offset whose byte is inverted
    long long drop_at = -1;      // stream offset whose byte is left out
    long long stall_after = -1;  // total bytes echoed before the stall
    int stall_ms = 200;
};

std::atomic<long long> g_echoed{0};
std::atomic<Clock::rep> g_stall_until{0};

// The connection that carries the total past stall_after starts a stall
// that every connection then waits out before its next send.
void maybe_stall(const Faults& f, long long n) {
    long long before = g_echoed.fetch_add(n);
    if (f.stall_after >= 0 && before <= f.stall_after &&
        f.stall_after < before + n) {
        auto until = Clock::now() + std::chrono::milliseconds(f.stall_ms);
        g_stall_until = until.time_since_epoch().count();
    }
    Clock::time_point until{Clock::duration(g_stall_until.load())};
    std::this_thread::sleep_until(until);
}

// Applies the flip and the drop to buf[0, n), which holds the stream from
// `offset`; returns the bytes left to send.
std::size_t corrupt(const Faults& f, long long offset, char* buf,
                    std::size_t n) {
    auto end = offset + static_cast<long long>(n);
    if (f.flip_at >= offset && f.flip_at < end) {
        buf[f.flip_at - offset] = static_cast<char>(~buf[f.flip_at - offset]);
    }
    if (f.drop_at >= offset && f.drop_at < end) {
        auto at = static_cast<std::size_t>(f.drop_at - offset);
        std::memmove(buf + at, buf + at + 1, n - at - 1);
        return n - 1;
    }
    return n;
}

void serve(Fd conn, Faults f) {
    std::vector<char> buf(64 * 1024);
    long long offset = 0;
    for (;;) {
        ssize_t got = ::recv(conn.get(), buf.data(), buf.size(), 0);
        if (got <= 0) {
            return;
        }
        maybe_stall(f, got);
        std::size_t n =
            corrupt(f, offset, buf.data(), static_cast<std::size_t>(got));
        offset += got;
        for (std::size_t sent = 0; sent < n;) {
            ssize_t rc =
                ::send(conn.get(), buf.data() + sent, n - sent, MSG_NOSIGNAL);
            if (rc <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(rc);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    Faults f;
    CLI::App app{"fault_echo_server: an echo server with injected faults"};
    app.add_option("--host", opts.host);
    app.add_option("--port", opts.port);
    app.add_option("--flip-at", f.flip_at, "Invert the byte at this offset");
    app.add_option("--drop-at", f.drop_at, "Leave out the byte at this offset");
    app.add_option("--stall-after", f.stall_after,
                   "Stall once after this many bytes echoed in all");
    app.add_option("--stall-ms", f.stall_ms, "How long the stall lasts");
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        Fd listener = start_listening(opts);
        for (;;) {
            pollfd p{listener.get(), POLLIN, 0};
            (void)::poll(&p, 1, -1);
            Accepted a = accept_conn(listener, ConnMode::blocking);
            if (a.result == AcceptResult::accepted) {
                std::thread(serve, std::move(a.conn), f).detach();
            }
        }
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
