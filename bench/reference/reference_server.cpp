// reference_server: the least a single-threaded epoll echo server can do, the
// stand-in server for measuring echoload's cost (docs/echoload.md).
//
// Level-triggered epoll, batches of 512 events, one recv of up to 64 KiB
// per readiness into one shared buffer, echoed at once with one send. Only
// when the kernel takes less than all does a connection keep the rest (and
// stop being read until it is out), which closed-loop small messages never
// cause. No --max-conns, no idle timeout, no graceful stop: it is a
// measuring stick, not a variant; SIGTERM ends it.
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"

#include "bench/loadgen/cpu.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>

namespace {

using namespace echolab;

constexpr int kBatch = 512;
constexpr std::size_t kReadBytes = 64 * 1024;

struct Conn {
    Fd sock;
    std::string unsent;  // only after a short send
};

class ReferenceServer {
public:
    explicit ReferenceServer(Fd listener)
        : listener_(std::move(listener)),
          epoll_(::epoll_create1(EPOLL_CLOEXEC)),
          buffer_(kReadBytes) {
        watch(listener_.get(), EPOLLIN, EPOLL_CTL_ADD);
    }

    void serve() {
        std::vector<epoll_event> events(kBatch);
        for (;;) {
            int n = ::epoll_wait(epoll_.get(), events.data(), kBatch, -1);
            for (int i = 0; i < n; ++i) {
                int fd = events[static_cast<std::size_t>(i)].data.fd;
                if (fd == listener_.get()) {
                    accept_all();
                } else {
                    on_ready(fd, events[static_cast<std::size_t>(i)].events);
                }
            }
        }
    }

private:
    void watch(int fd, std::uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_.get(), op, fd, &ev) != 0) {
            throw SetupError(errno, "epoll_ctl");
        }
    }

    void accept_all() {
        for (;;) {
            Accepted a = accept_conn(listener_, ConnMode::nonblocking);
            if (a.result != AcceptResult::accepted) {
                return;
            }
            auto fd = static_cast<std::size_t>(a.conn.get());
            watch(a.conn.get(), EPOLLIN, EPOLL_CTL_ADD);
            if (fd >= conns_.size()) {
                conns_.resize(fd + 1);
            }
            conns_[fd].sock = std::move(a.conn);
        }
    }

    void on_ready(int fd, std::uint32_t events) {
        Conn& c = conns_[static_cast<std::size_t>(fd)];
        if (!c.unsent.empty()) {
            if ((events & EPOLLOUT) != 0) {
                send_rest(c, c.unsent.data(), c.unsent.size());
            }
            return;
        }
        ssize_t got = ::recv(fd, buffer_.data(), kReadBytes, 0);
        if (got > 0) {
            send_rest(c, buffer_.data(), static_cast<std::size_t>(got));
        } else if (got == 0 || errno != EAGAIN) {
            c = Conn{};  // closing removes it from the epoll set
        }
    }

    void send_rest(Conn& c, const char* data, std::size_t n) {
        ssize_t sent = ::send(c.sock.get(), data, n, MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN) {
            c = Conn{};
            return;
        }
        std::size_t done = sent < 0 ? 0 : static_cast<std::size_t>(sent);
        bool was_pending = !c.unsent.empty();
        c.unsent = std::string(data + done, n - done);
        if (was_pending != !c.unsent.empty()) {
            watch(c.sock.get(), c.unsent.empty() ? EPOLLIN : EPOLLOUT,
                  EPOLL_CTL_MOD);
        }
    }

    Fd listener_;
    Fd epoll_;
    std::vector<char> buffer_;
    std::vector<Conn> conns_;  // indexed by descriptor
};

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    int cpu = -1;
    CLI::App app{"reference_server: minimal epoll echo server (reference)"};
    app.add_option("--host", opts.host)->capture_default_str();
    app.add_option("--port", opts.port)->capture_default_str();
    app.add_option("--cpu", cpu, "Pin to this CPU")->capture_default_str();
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (cpu >= 0 && echolab::loadgen::pin_thread_to_cpu(cpu)) {
        std::fprintf(stderr, "error: --cpu: CPU %d is not available\n", cpu);
        return 2;
    }
    try {
        ReferenceServer server(start_listening(opts));
        server.serve();
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
