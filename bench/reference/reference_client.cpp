// reference_client: the least a closed-loop echo client can do, as the
// reference echoload's cost is measured against (docs/echoload.md).
//
// One thread, level-triggered epoll, batches of 512 events, one recv of up
// to 64 KiB per readiness, one message in flight per connection, nothing
// allocated per message. It counts echoed bytes but checks none, takes no
// timestamp per message and keeps no histogram: whatever echoload spends
// beyond this is the price of measuring.
//
// Prints one line: messages=N window_s=S cpu_user_s=U cpu_system_s=Y,
// counting only the measurement window.
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"

#include "bench/loadgen/client_socket.hpp"
#include "bench/loadgen/clock.hpp"
#include "bench/loadgen/cpu.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>

namespace {

using namespace echolab;
using namespace echolab::loadgen;

constexpr int kBatch = 512;
constexpr std::size_t kReadBytes = 64 * 1024;

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7007;
    int connections = 100;
    std::size_t size = 64;
    double warmup_s = 0.5;
    double duration_s = 4.0;
    int cpu = -1;
};

struct Conn {
    Fd sock;
    std::size_t owed = 0;  // bytes of the message in flight not yet back
};

// Sends one whole message; a 64-byte send never meets a full buffer.
bool send_message(const Conn& c, const std::vector<char>& message) {
    return ::send(c.sock.get(), message.data(), message.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(message.size());
}

std::vector<Conn> connect_all(const Options& o, const Fd& epoll) {
    std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].sock = connect_tcp(o.host, o.port);
        if (set_nonblocking(conns[i].sock, true) ||
            set_nodelay(conns[i].sock)) {
            throw SetupError(errno, "fcntl/setsockopt");
        }
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, conns[i].sock.get(), &ev) !=
            0) {
            throw SetupError(errno, "epoll_ctl");
        }
    }
    return conns;
}

int run(const Options& o) {
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    std::vector<Conn> conns = connect_all(o, epoll);
    std::vector<char> message(o.size, 'x');
    std::vector<char> buffer(kReadBytes);
    std::vector<epoll_event> events(kBatch);
    Nanos start = now_ns();
    Nanos window_start = start + from_seconds(o.warmup_s);
    Nanos window_end = window_start + from_seconds(o.duration_s);
    for (Conn& c : conns) {
        c.owed = o.size;
        if (!send_message(c, message)) {
            throw SetupError(errno, "send");
        }
    }
    std::uint64_t done = 0;
    std::uint64_t at_window_start = 0;
    CpuTimes cpu_start{};
    bool measuring = false;
    for (Nanos now = start; now < window_end; now = now_ns()) {
        if (!measuring && now >= window_start) {
            measuring = true;
            at_window_start = done;
            cpu_start = process_cpu_times();
        }
        int n = ::epoll_wait(epoll.get(), events.data(), kBatch, 100);
        for (int i = 0; i < n; ++i) {
            Conn& c = conns[events[static_cast<std::size_t>(i)].data.u64];
            ssize_t got = ::recv(c.sock.get(), buffer.data(), kReadBytes, 0);
            if (got <= 0) {
                throw SetupError(got == 0 ? ECONNRESET : errno, "recv");
            }
            c.owed -= static_cast<std::size_t>(got);
            if (c.owed == 0) {
                ++done;
                c.owed = o.size;
                if (!send_message(c, message)) {
                    throw SetupError(errno, "send");
                }
            }
        }
    }
    CpuTimes cpu = process_cpu_times() - cpu_start;
    std::printf(
        "messages=%llu window_s=%.3f cpu_user_s=%.3f "
        "cpu_system_s=%.3f\n",
        static_cast<unsigned long long>(done - at_window_start), o.duration_s,
        cpu.user_s, cpu.system_s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{
        "reference_client: minimal closed-loop echo client (reference)"};
    app.add_option("--host", o.host)->capture_default_str();
    app.add_option("--port", o.port)->capture_default_str();
    app.add_option("--connections", o.connections)
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    app.add_option("--size", o.size)
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, kReadBytes));
    app.add_option("--warmup", o.warmup_s)->capture_default_str();
    app.add_option("--duration", o.duration_s)->capture_default_str();
    app.add_option("--cpu", o.cpu)->capture_default_str();
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (o.cpu >= 0 && pin_thread_to_cpu(o.cpu)) {
        std::fprintf(stderr, "error: --cpu: CPU %d is not available\n", o.cpu);
        return 2;
    }
    try {
        return run(o);
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
