// core/conn_table.hpp: ConnTable, the bookkeeping the event loops share:
// their ConnBuffers by descriptor, the connection limit, idle timeouts and
// the grace period, and what a failed wait means. It never asks the kernel
// which descriptors are ready; each loop does that itself.
// Shared event-loop policy (with conn_buffer.hpp), built on the mechanism
// layer (fd, address, listen, signals, log).
#pragma once

#include "core/conn_buffer.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace echolab {

// The flags of the loops built on ConnTable (select_loop, epoll_loop,
// epoll_reactors) beyond ServerOptions.
struct LoopOptions {
    std::size_t buffer = ConnBuffer::kDefaultCapacity;  // --buffer
};

// Adds their flags (--buffer) to the command line.
void add_loop_flags(CLI::App& app, LoopOptions& loop);

class ConnTable {
public:
    using Clock = std::chrono::steady_clock;
    // Clients accepted per turn at most, so a connection storm cannot
    // starve the clients already being served.
    static constexpr int kAcceptBatch = 64;

    ConnTable(const ServerOptions& opts, std::size_t buffer_bytes);

    // Takes the outcome of one accept_conn. Returns the new connection's
    // buffer, or nullptr when there was none (nothing waiting, the client
    // left, or descriptors ran out, in which case accepting pauses
    // briefly). Throws SetupError if the listener itself failed.
    ConnBuffer* admit(Accepted client);

    // Whether to watch the listener now: below --max-conns, not paused
    // after EMFILE, and no stop requested.
    bool accepting(const StopSignal& stop) const;

    // The connection on fd, or nullptr.
    ConnBuffer* find(int fd) const noexcept;
    // Logs (under --verbose) and closes the connection on fd.
    void remove(int fd);
    // The same, for a connection the loop itself gives up on, with why.
    void remove(int fd, std::string_view why);
    // Closes every connection idle for --idle-timeout: no progress either
    // way, and nothing waiting on the server (ConnBuffer::
    // waiting_on_server). Call it after every wait, which timeout() keeps
    // under a second: a longer gap between two calls is time the loop did
    // not run (SIGSTOP, a debugger, a frozen cgroup), and it is not held
    // against any client. Cheap: it scans the table at most once a second.
    void close_idle();

    int size() const noexcept { return count_; }
    // One past the highest descriptor that may hold a connection.
    int end_fd() const noexcept { return static_cast<int>(conns_.size()); }

    // For a failed readiness wait (select, epoll_wait), which fails the
    // whole loop, not one connection: returns after EINTR (a signal,
    // SIGCONT) and after ENOMEM, pausing briefly (logged, rate-limited) so
    // a lasting shortage cannot spin. Anything else (EBADF, EINVAL) is a
    // bug in the loop: throws SetupError naming `call`.
    void survive_wait_error(int err, const char* call);

    // True once a stop was requested and no connection is left or the
    // grace period is over.
    bool finished(const StopSignal& stop) const;
    // How long the loop may wait for readiness before it has clock work to
    // do (idle checks, the end of an accept pause or of the grace period).
    std::chrono::milliseconds timeout(const StopSignal& stop) const;

private:
    // Logs (under --verbose) why the connection in slot ends, and closes it.
    void close(std::unique_ptr<ConnBuffer>& slot, std::string_view why);
    // Excuses every connection the part of the gap since the last call
    // that no wait can explain.
    void excuse_stall(Clock::time_point now);

    const ServerOptions& opts_;
    std::size_t buffer_bytes_;
    std::vector<std::unique_ptr<ConnBuffer>> conns_;  // by descriptor
    int count_ = 0;
    Clock::time_point accept_paused_until_{};
    Clock::time_point next_idle_scan_{};
    Clock::time_point last_turn_ = Clock::now();
    AcceptBackoff backoff_;
    RateLimit wait_warn_{std::chrono::seconds(1)};
};

}  // namespace echolab
