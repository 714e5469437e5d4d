// bench/loadgen/connect_worker.hpp: ConnectWorker, one loop thread's share
// of the workers of connect mode: connect, send `size` bytes, read the
// echo, close, again (netperf's TCP_CRR), closed or open loop.
#pragma once

#include "bench/loadgen/client_socket.hpp"
#include "bench/loadgen/schedule.hpp"
#include "bench/loadgen/worker.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace echolab::loadgen {

// Measures, per connection, the handshake (on loopback connect() completes
// before the server calls accept()), the time to the first echoed byte
// (where a fork, a thread start or a queue shows up), and the whole round.
class ConnectWorker final : public Worker {
public:
    // Thread `index` of config.threads runs `workers` concurrent slots.
    ConnectWorker(RunContext& ctx, int index, int workers);

    void setup() override {}  // nothing is opened before the run
    void run() override;

private:
    enum class State { idle, connecting, echoing };

    struct Slot {
        Fd fd;
        State state = State::idle;
        std::uint64_t number = 0;  // connection number; the pattern stream
        Nanos origin = 0;  // actual start, or open loop: scheduled start
        Nanos connected_at = 0;
        Nanos first_echo_at = 0;
        Nanos last_progress = 0;
        std::uint64_t sent = 0;
        std::uint64_t received = 0;
    };

    void start_idle(Nanos now);
    bool may_start(Nanos& origin, Nanos now) const noexcept;
    void start(std::uint32_t slot, Nanos origin, Nanos now);
    void on_event(const epoll_event& ev);
    void on_connected(std::uint32_t slot, Nanos now);
    void receive(std::uint32_t slot, Nanos now);
    void flush(std::uint32_t slot, Nanos now);
    void complete(std::uint32_t slot, Nanos now);
    void fail(std::uint32_t slot, ErrorKind kind, const std::string& why,
              Nanos now);
    void release_due(Nanos now);
    void tick(Nanos now);
    void check_stalls(Nanos now);
    std::string waiting_for(const Slot& s) const;
    Nanos next_wake() const noexcept;
    bool finished() const noexcept;

    const std::uint64_t size_;
    const std::uint64_t limit_;  // connections in all; 0: no limit
    const bool open_loop_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> idle_;     // slots ready to start
    std::vector<std::uint32_t> resting_;  // failed; retried next tick
    std::vector<char> buffer_;
    SourceAddresses sources_;
    Schedule schedule_;
    std::uint64_t released_ = 0;  // open loop: starts due so far
    std::uint64_t started_ = 0;
    std::uint64_t completed_ = 0;
    std::uint64_t in_window_ = 0;
    int busy_ = 0;
    bool draining_ = false;
};

}  // namespace echolab::loadgen
