// delay_relay: a TCP relay for tests that holds every chunk for a fixed
// time before passing it on, in both directions. This kernel has no netem,
// so this is how the network tests add latency between two namespaces.
// Not a server variant: it serves a handful of test connections, exits at
// once on SIGTERM, and buffers without bound.
#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace echolab;
using Clock = std::chrono::steady_clock;

struct Chunk {
    Clock::time_point due;
    std::string bytes;  // empty: the sender half-closed
};

// One direction's bytes in flight, each released at its due time.
class DelayLine {
public:
    void push(Chunk chunk) {
        {
            std::lock_guard lock(mutex_);
            chunks_.push_back(std::move(chunk));
        }
        ready_.notify_one();
    }
    Chunk pop() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return !chunks_.empty(); });
        Chunk chunk = std::move(chunks_.front());
        chunks_.pop_front();
        return chunk;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Chunk> chunks_;
};

struct Pair {
    Fd client;
    Fd upstream;
};

void read_into(int from, DelayLine& line, std::chrono::milliseconds delay) {
    char buffer[65536];
    for (;;) {
        ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
        if (n <= 0) {
            line.push({Clock::now() + delay, {}});
            return;
        }
        line.push({Clock::now() + delay,
                   std::string(buffer, static_cast<std::size_t>(n))});
    }
}

void write_from(DelayLine& line, int to) {
    for (;;) {
        Chunk chunk = line.pop();
        std::this_thread::sleep_until(chunk.due);
        if (chunk.bytes.empty()) {
            ::shutdown(to, SHUT_WR);  // pass the half-close on, in order
            return;
        }
        std::size_t sent = 0;
        while (sent < chunk.bytes.size()) {
            ssize_t n = ::send(to, chunk.bytes.data() + sent,
                               chunk.bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    }
}

// Four threads per connection: a reader and a writer each way. They share
// the pair, which closes when the last of them ends.
void relay(std::shared_ptr<Pair> pair, std::chrono::milliseconds delay) {
    auto up = std::make_shared<DelayLine>();
    auto down = std::make_shared<DelayLine>();
    // Detached on purpose: the relay ends by _exit on SIGTERM, and a
    // test tool has no grace period to honour.
    std::thread([=] { read_into(pair->client.get(), *up, delay); }).detach();
    std::thread([=] { write_from(*up, pair->upstream.get()); }).detach();
    std::thread([=] {
        read_into(pair->upstream.get(), *down, delay);
    }).detach();
    std::thread([=] { write_from(*down, pair->client.get()); }).detach();
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    opts.max_conns = 64;
    std::string to_host = "127.0.0.1";
    std::uint16_t to_port = 0;
    int delay_ms = 20;
    CLI::App app{"delay_relay: a TCP relay that delays every byte (tests)"};
    add_common_flags(app, opts);
    app.add_option("--to-host", to_host, "Where to relay to")
        ->capture_default_str();
    app.add_option("--to-port", to_port, "Port to relay to")->required();
    app.add_option("--delay-ms", delay_ms, "Delay each way, milliseconds")
        ->capture_default_str()
        ->check(CLI::Range(0, 60000));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        while (!stop.requested()) {
            if (stop.wait(listener.get(), std::chrono::milliseconds(-1)) !=
                Wake::ready) {
                continue;
            }
            Accepted client = accept_conn(listener, ConnMode::blocking);
            if (client.result != AcceptResult::accepted) {
                continue;
            }
            auto pair = std::make_shared<Pair>();
            pair->client = std::move(client.conn);
            pair->upstream = connect_tcp(to_host, to_port);
            relay(pair, std::chrono::milliseconds(delay_ms));
        }
        ::_exit(0);
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
