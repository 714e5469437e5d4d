// core/log.hpp: one-line messages on stderr, written with a single write(2)
// so lines from threads and forked children never interleave, and never
// waiting: a line stderr cannot take now is dropped and counted.
// Part of the mechanism layer (like fd, address, listen, signals): it
// knows nothing of connections or loops.
// Nothing is ever printed to stdout except the ready line.
#pragma once

#include "core/address.hpp"

#include <chrono>
#include <string_view>

namespace echolab {

// Prepares stderr for writes that never block; parse_command_line calls
// it at start-up. A pipe, FIFO or terminal on stderr is opened a second
// time through /proc/self/fd/2 with O_NONBLOCK, a new open file
// description of our own: setting O_NONBLOCK on descriptor 2 itself would
// change it for every process sharing that pipe (the shell, a parent,
// siblings), whose blocking writes would then fail with EAGAIN. A socket
// gets send(MSG_DONTWAIT); a regular file, plain write(2). Calling it again
// (tests do) starts over with what descriptor 2 is now.
void open_log();

// Writes "<text>\n" to stderr in one call, or drops it when stderr cannot
// take it at once (a pipe nobody reads is full). The next line that gets
// through is preceded by "N log lines dropped (stderr was full)".
void log_line(std::string_view text);

// Lines dropped and not yet reported.
unsigned long long log_lines_dropped() noexcept;

// "connect 127.0.0.1:51234" and "disconnect 127.0.0.1:51234: <why>, N
// bytes echoed"; used under --verbose.
void log_connect(const SocketAddress& peer);
void log_disconnect(const SocketAddress& peer, std::string_view why,
                    unsigned long long bytes);

// Lets through at most one message per interval, so a persistent condition
// such as EMFILE cannot flood the log (libev: "not flood the log").
class RateLimit {
public:
    explicit RateLimit(std::chrono::milliseconds interval)
        : interval_(interval) {}
    bool allow();

private:
    std::chrono::milliseconds interval_;
    std::chrono::steady_clock::time_point next_{};
};

}  // namespace echolab
