// coroutine_loop/conns.hpp: the loop's bookkeeping of its connections:
// each Conn and its coroutine by descriptor, the connection limit, idle
// timeouts measured only while the server runs, and the grace period. It
// resumes coroutines when told to; the loop in main.cpp decides when.
#pragma once

#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include "coroutine_loop/conn.hpp"
#include "coroutine_loop/task.hpp"

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

namespace echolab::coro {

class Conns {
public:
    Conns(const ServerOptions& opts, int epoll_fd);
    Conns(const Conns&) = delete;
    Conns& operator=(const Conns&) = delete;

    // Takes the outcome of one accept_conn and adds the socket to epoll.
    // Returns the new connection, waiting for start(); nullptr when there
    // was none (after EMFILE accepting pauses) or epoll refused it (that
    // client is closed). Throws SetupError if the listener itself failed.
    Conn* admit(Accepted client);
    // Gives conn its coroutine and runs it to its first co_await.
    void start(Conn& conn, Session body);
    // Resumes the coroutine parked on fd, if any; removes it once done.
    void resume(int fd);

    bool has(int fd) const noexcept;
    // Whether to watch the listener: below --max-conns, not paused after
    // EMFILE, no stop requested.
    bool accepting(const StopSignal& stop) const;

    // Call right after every epoll_wait with the timeout it was given. A
    // turn far longer than that means the server did not run (SIGSTOP,
    // Ctrl-Z, a debugger, a frozen cgroup); that time is no client's
    // idleness, so the clock that idle timeouts read skips it.
    void tick(std::chrono::milliseconds waited);
    // Closes every connection with no progress for --idle-timeout of the
    // server's running time; scans at most once a second.
    void close_idle();
    // Closes every connection left, logging why.
    void close_all(std::string_view why);

    // True once a stop was requested and no connection is left or the
    // grace period is over.
    bool finished(const StopSignal& stop) const;
    // How long epoll_wait may wait before there is clock work to do.
    std::chrono::milliseconds timeout(const StopSignal& stop) const;

private:
    struct Slot {
        std::unique_ptr<Conn> conn;
        Session session;  // declared last: its frame dies before the Conn
    };

    // Logs (under --verbose) why the connection ends; destroys its
    // coroutine frame, then closes its socket (which leaves epoll too).
    void close(Slot& slot, std::string_view why);

    const ServerOptions& opts_;
    int epoll_;
    std::chrono::milliseconds scan_every_;  // idle scans, epoll_wait bound
    std::vector<Slot> slots_;               // by descriptor
    int count_ = 0;
    Clock::time_point last_turn_ = Clock::now();
    Clock::duration not_running_{};       // SIGSTOP and the like, summed
    Clock::time_point now_ = last_turn_;  // running time, read by Conns
    Clock::time_point next_idle_scan_ = now_;
    Clock::time_point accept_paused_until_{};
    AcceptBackoff backoff_;
};

}  // namespace echolab::coro
