// tests/reliability/swarm.hpp: Swarm, many scripted client connections
// driven by one epoll loop in the test process, so that 10,000 clients
// cost 10,000 sockets rather than 10,000 threads. The loop, the connect
// (from spread loopback sources) and the clock are the load generator's
// (bench/loadgen/event_loop.hpp, client_socket.hpp, clock.hpp); what is
// the swarm's own is the script each client follows. Every byte sent comes
// from a pattern that depends on the client's seed and the byte's offset,
// so every echoed byte is checked in order without storing payloads.
// It only plays clients; the server is a separate process.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace echolab::test {

using Millis = std::chrono::milliseconds;

// How a client ends once it has sent its bytes.
enum class Ending {
    half_close,  // shutdown(SHUT_WR), read the rest, expect a clean EOF
    close,       // close once every byte came back
    park,        // stay connected and idle until release()d
    reset,       // RST (SO_LINGER 0) once reset_after bytes are sent
};

struct ClientPlan {
    std::uint64_t seed = 1;
    std::size_t bytes = 1024;  // sent in total
    // Ping-pong when non-zero: send this many bytes, wait for all of them
    // to come back, repeat. Zero: stream, sending and reading at once.
    std::size_t message = 0;
    std::size_t max_chunk = 64 * 1024;  // each send takes 1..max_chunk
    Ending end = Ending::half_close;
    std::size_t reset_after = 0;  // Ending::reset: bytes sent before it
    // Stop reading for pause once pause_at bytes came back (0: never).
    std::size_t pause_at = 0;
    Millis pause{0};
    Millis silent{0};  // after connecting, say nothing this long
};

// Where the clients stand; what tests assert on.
struct SwarmStats {
    int added = 0;
    int connected = 0;  // connect() completed, ever
    int open = 0;       // sockets open now
    int peak_open = 0;
    int finished = 0;  // ended as planned, every byte checked
    int parked = 0;    // Ending::park, waiting for release()
    int failed = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_verified = 0;
    std::vector<std::string> failures;  // the first few, for messages
    std::chrono::steady_clock::time_point last_progress;
};

struct SwarmOptions {
    int max_open = 20000;      // clients connected at once, at most
    int max_connecting = 256;  // handshakes in flight, at most
    // A client that sees no byte move for this long fails; 0: never.
    Millis stall_timeout{0};
};

class Swarm {
public:
    Swarm(std::string host, std::uint16_t port, SwarmOptions options = {});
    ~Swarm();
    Swarm(const Swarm&) = delete;
    Swarm& operator=(const Swarm&) = delete;

    // Queues a client; it connects when max_open and max_connecting allow.
    void add(const ClientPlan& plan);

    // Runs the clients until every one has finished, failed or parked, or
    // until deadline passes (then the unfinished ones fail as stalled).
    // tick, if given, runs about every 50 ms and may call the methods
    // below; returning false from it ends run() early without failing
    // anyone.
    const SwarmStats& run(Millis deadline,
                          const std::function<bool(Swarm&)>& tick = {});

    // Every parked client does one more ping-pong round of `message`
    // bytes, then half-closes and expects EOF.
    void release(std::size_t message);
    // Every client still sending stops: it half-closes now and expects
    // the echo of what it sent, then EOF (used around SIGTERM).
    void half_close_all();
    // Clients not yet connected are dropped from the plan.
    void cancel_pending();
    // While on, run() goes on when every client has settled, because the
    // tick is about to add more.
    void more_to_come(bool on);

    const SwarmStats& stats() const noexcept;
    // Clients that sent bytes the server has not echoed yet.
    int waiting_for_echo() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace echolab::test
