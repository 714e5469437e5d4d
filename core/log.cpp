#include "core/log.hpp"

#include <atomic>
#include <cerrno>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace echolab {
namespace {

// How lines reach stderr; see open_log(). The log is process-wide state
// by nature, like descriptor 2 itself: set once before any thread starts.
enum class Sink {
    write,   // regular file: write(2) on descriptor 2 does not wait
    own,     // our own non-blocking description of the pipe or terminal
    send,    // a socket: send(MSG_DONTWAIT) leaves its flags alone
    polled,  // /proc missing: poll for room first (racy, see below)
};

Sink g_sink = Sink::polled;
int g_fd = STDERR_FILENO;
std::atomic<unsigned long long> g_dropped{0};

// Writes one whole line now or returns false. Lines are far below
// PIPE_BUF, so a pipe takes each whole or not at all.
bool write_now(std::string_view line) {
    if (g_sink == Sink::polled) {
        // Without a description of our own, ask for room first. Two
        // threads may both see room for one line and the second blocks;
        // only when /proc is not mounted.
        pollfd room{g_fd, POLLOUT, 0};
        if (::poll(&room, 1, 0) != 1) {
            return false;
        }
    }
    ssize_t n;
    do {
        n = g_sink == Sink::send ? ::send(g_fd, line.data(), line.size(),
                                          MSG_DONTWAIT | MSG_NOSIGNAL)
                                 : ::write(g_fd, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    return n >= 0;
}

}  // namespace

void open_log() {
    if (g_sink == Sink::own) {
        ::close(g_fd);
    }
    g_fd = STDERR_FILENO;
    g_dropped = 0;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0 || S_ISREG(st.st_mode)) {
        g_sink = Sink::write;
        return;
    }
    if (S_ISSOCK(st.st_mode)) {
        g_sink = Sink::send;
        return;
    }
    // O_NOCTTY: reopening a terminal must not make it ours.
    int own =
        ::open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    g_sink = own >= 0 ? Sink::own : Sink::polled;
    g_fd = own >= 0 ? own : STDERR_FILENO;
}

void log_line(std::string_view text) {
    // A log that cannot be written must not stop the server: drop the
    // line, count it, and say so once stderr takes lines again.
    if (unsigned long long lost = g_dropped.exchange(0); lost > 0) {
        std::string note =
            std::to_string(lost) + " log lines dropped (stderr was full)\n";
        if (!write_now(note)) {
            g_dropped += lost + 1;
            return;
        }
    }
    std::string line(text);
    line += '\n';
    if (!write_now(line)) {
        ++g_dropped;
    }
}

unsigned long long log_lines_dropped() noexcept {
    return g_dropped;
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
