// bench/loadgen/stream_worker.hpp: StreamWorker, one loop thread's share of
// the long-lived connections of throughput mode, closed or open loop.
#pragma once

#include "bench/loadgen/schedule.hpp"
#include "bench/loadgen/worker.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace echolab::loadgen {

// Keeps `pipeline` messages in flight on each connection (closed loop), or
// sends them when the schedule says (open loop), and checks every echoed
// byte against the pattern as it arrives. Per message it stores one
// timestamp in a ring allocated at setup; nothing is allocated or locked
// on the way of a message.
class StreamWorker final : public Worker {
public:
    // Thread `index` of config.threads owns connections index,
    // index + threads, ...: `connections` of them.
    StreamWorker(RunContext& ctx, int index, int connections);

    void setup() override;  // connects them all; throws SetupError
    void run() override;

private:
    struct Conn {
        Fd fd;                        // empty once the connection is over
        std::uint64_t number = 0;     // in the whole run; the pattern stream
        std::uint64_t local = 0;      // index in conns_
        std::uint64_t due = 0;        // open loop: messages scheduled so far
        std::uint64_t started = 0;    // messages whose send has begun
        std::uint64_t completed = 0;  // messages fully echoed and checked
        std::uint64_t in_window = 0;  // of those, counted in the window
        std::uint64_t sent_bytes = 0;
        std::uint64_t received_bytes = 0;
        Nanos last_progress = 0;
        bool watching_output = false;
    };

    void on_event(const epoll_event& ev);
    void receive(Conn& c, Nanos now);
    void complete_messages(Conn& c, Nanos now);
    void record(Conn& c, Nanos sent, Nanos now);
    void start_messages(Conn& c, Nanos now);
    void flush(Conn& c, Nanos now);
    void watch_output(Conn& c, bool on, Nanos now);
    void release_due(Nanos now);
    void tick(Nanos now);
    void check_stalls(Nanos now);
    void close_if_finished(Conn& c);
    void drop(Conn& c, ErrorKind kind, const std::string& why, Nanos now);
    void collect_totals();

    Nanos next_wake() const noexcept;
    bool slots_left() const noexcept;
    Nanos due_time(const Conn& c, std::uint64_t message) const noexcept;
    Nanos* send_times(const Conn& c) noexcept;
    std::string waiting_for(const Conn& c) const;

    const std::uint64_t size_;
    const std::uint64_t pipeline_;
    const std::uint64_t limit_;  // messages per connection; 0: no limit
    const bool open_loop_;
    std::vector<Conn> conns_;
    std::vector<Nanos> send_times_;  // pipeline_ per connection
    std::vector<char> buffer_;       // one read, shared by all connections
    Schedule schedule_;
    std::uint64_t next_slot_ = 0;  // open loop: next entry of schedule_
    std::uint64_t completed_ = 0;  // all connections, whole run
    std::uint64_t in_window_ = 0;
    int open_ = 0;  // connections not yet closed
    bool draining_ = false;
};

}  // namespace echolab::loadgen
