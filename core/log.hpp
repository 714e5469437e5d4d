// core/log.hpp: one-line messages on stderr, written with a single write(2)
// so lines from threads and forked children never interleave.
// Nothing is ever printed to stdout except the ready line.
#pragma once

#include "core/address.hpp"

#include <chrono>
#include <string_view>

namespace echolab {

// Writes "<text>\n" to stderr in one call.
void log_line(std::string_view text);

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
