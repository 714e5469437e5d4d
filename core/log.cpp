#include "core/log.hpp"

#include <string>

#include <unistd.h>

namespace echolab {

void log_line(std::string_view text) {
    std::string line(text);
    line += '\n';
    // Best effort: a log that cannot be written must not stop the server.
    (void)!::write(STDERR_FILENO, line.data(), line.size());
}

void log_connect(const SocketAddress& peer) {
    log_line("connect " + to_string(peer));
}

void log_disconnect(const SocketAddress& peer, std::string_view why,
                    unsigned long long bytes) {
    log_line("disconnect " + to_string(peer) + ": " + std::string(why) + ", " +
             std::to_string(bytes) + " bytes echoed");
}

bool RateLimit::allow() {
    auto now = std::chrono::steady_clock::now();
    if (now < next_) {
        return false;
    }
    next_ = now + interval_;
    return true;
}

}  // namespace echolab
