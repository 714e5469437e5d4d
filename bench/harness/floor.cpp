// The machine's floor, measured in the same run as the variants so that
// every figure has a yardstick: the kernel cost of one send+recv pair, the
// round trip of a blocking ping-pong on one CPU and across two, and a
// minimal epoll echo process driven by the same load generator.
#include "core/fd.hpp"
#include "core/listen.hpp"

#include "bench/harness/scenarios.hpp"
#include "bench/loadgen/client_socket.hpp"
#include "bench/loadgen/cpu.hpp"
#include "bench/loadgen/engine.hpp"

#include <exception>
#include <vector>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace echolab::harness {
namespace {

constexpr std::size_t kMaxMessage = 65536;

struct Pair {
    Fd listener;
    Fd client;
    Fd server;
};

// A connected loopback pair, both ends blocking with TCP_NODELAY.
Pair loopback_pair() {
    Pair p;
    p.listener = listen_tcp("127.0.0.1", 0, 16);
    p.client = connect_tcp("127.0.0.1", port_of(local_address(p.listener)));
    Accepted a = accept_conn(p.listener, ConnMode::blocking);
    p.server = std::move(a.conn);
    if (!p.server || loadgen::set_nodelay(p.client)) {
        throw std::runtime_error("loopback pair: accept or TCP_NODELAY");
    }
    return p;
}

bool send_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL);
        if (sent <= 0) {
            return false;
        }
        data += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return true;
}

bool recv_all(int fd, char* data, std::size_t n) {
    return ::recv(fd, data, n, MSG_WAITALL) == static_cast<ssize_t>(n);
}

// One thread owns both ends: the data is there before recv asks, so
// nothing sleeps and only the kernel's work is timed.
void send_recv(benchmark::State& state, std::size_t size) {
    Pair p = loopback_pair();
    std::vector<char> buf(size, 'x');
    for (auto _ : state) {
        if (!send_all(p.client.get(), buf.data(), size) ||
            !recv_all(p.server.get(), buf.data(), size)) {
            state.SkipWithError("send or recv failed");
            break;
        }
    }
}

// A blocking echo child on `cpu`; the parent sends and waits for each
// echo, so every round trip wakes the child and then the parent.
void pingpong(benchmark::State& state, std::size_t size, int cpu) {
    Pair p = loopback_pair();
    pid_t child = ::fork();
    if (child == 0) {
        // The child's copy of the client end would keep the connection
        // open after the parent closes its own, and recv would never end.
        p.client.reset();
        (void)loadgen::pin_thread_to_cpu(cpu);
        std::vector<char> buf(size);
        while (recv_all(p.server.get(), buf.data(), size) &&
               send_all(p.server.get(), buf.data(), size)) {
        }
        ::_exit(0);
    }
    p.server.reset();
    std::vector<char> buf(size, 'x');
    for (auto _ : state) {
        if (child < 0 || !send_all(p.client.get(), buf.data(), size) ||
            !recv_all(p.client.get(), buf.data(), size)) {
            state.SkipWithError("ping-pong child failed");
            break;
        }
    }
    state.counters["msgs_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    p.client.reset();
    ::waitpid(child, nullptr, 0);
}

void echo_readable(int ep, int fd, std::vector<char>& buf) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0 || !send_all(fd, buf.data(), static_cast<std::size_t>(n))) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
    }
}

// The least an epoll echo server can do: level-triggered, one recv of up
// to 64 KiB per readiness and a blocking send of what came.
[[noreturn]] void epoll_echo_child(int listener, int cpu) {
    (void)loadgen::pin_thread_to_cpu(cpu);
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    std::vector<char> buf(kMaxMessage);
    std::vector<epoll_event> events(512);
    for (;;) {
        int n = ::epoll_wait(ep, events.data(), 512, -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd != listener) {
                echo_readable(ep, fd, buf);
                continue;
            }
            int one = 1;
            int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn >= 0) {
                ::setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                ev.data.fd = conn;
                ::epoll_ctl(ep, EPOLL_CTL_ADD, conn, &ev);
            }
        }
    }
}

double children_cpu_s() {
    rusage u{};
    ::getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void epoll_echo(benchmark::State& state, const BenchSpec& spec,
                const Env& env) {
    Fd listener = listen_tcp("127.0.0.1", 0, SOMAXCONN);
    std::uint16_t port = port_of(local_address(listener));
    double before = children_cpu_s();
    pid_t child = ::fork();
    if (child == 0) {
        epoll_echo_child(listener.get(), env.opts.server_cpu);
    }
    listener.reset();
    loadgen::RunResult result;
    try {
        for (auto _ : state) {
            result =
                loadgen::run(throughput_config("127.0.0.1", port, spec, env));
            state.SetIterationTime(std::max(result.window_s, 1e-9));
        }
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    if (result.verdict != loadgen::Verdict::ok) {
        state.SkipWithError(result.detail.c_str());
        return;
    }
    set_throughput_counters(state, result, static_cast<std::size_t>(spec.bytes),
                            children_cpu_s() - before);
}

}  // namespace

void run_floor(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    auto size = static_cast<std::size_t>(spec.bytes);
    try {
        if (spec.kind == "send_recv") {
            send_recv(state, size);
        } else if (spec.kind == "pingpong_same") {
            pingpong(state, size, env.opts.client_cpu);
        } else if (spec.kind == "pingpong_cross") {
            pingpong(state, size, env.opts.server_cpu);
        } else {
            epoll_echo(state, spec, env);
        }
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

}  // namespace echolab::harness
