#include "support/test_client.hpp"

#include "core/address.hpp"
#include "core/error.hpp"

#include "support/payload.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

namespace echolab::support {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 64 * 1024;

// Milliseconds left until deadline, for poll(2); never negative.
int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::ceil<Millis>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// Waits for events on sock until the deadline; returns revents, 0 on
// timeout.
short wait_for(const Fd& sock, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{sock.get(), events, 0};
        int n = ::poll(&p, 1, ms_left(deadline));
        if (n > 0) {
            return p.revents;
        }
        if (n == 0 || errno != EINTR) {
            return 0;
        }
    }
}

// One read into out. Returns how the stream stands afterwards: open when
// bytes came (or none were ready), otherwise how it ended.
StreamEnd read_some(const Fd& sock, std::string& out, int& error) {
    std::array<char, kChunk> buf;
    ssize_t n = ::recv(sock.get(), buf.data(), buf.size(), 0);
    if (n > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
        return StreamEnd::open;
    }
    if (n == 0) {
        return StreamEnd::eof;
    }
    error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) {
        return StreamEnd::open;
    }
    return error == ECONNRESET ? StreamEnd::reset : StreamEnd::error;
}

// One send of what is left; returns the bytes taken, or -1 with errno.
ssize_t send_some(const Fd& sock, std::string_view data) {
    // MSG_NOSIGNAL: a server that resets must fail the test, not kill it.
    ssize_t n = ::send(sock.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return 0;
    }
    return n;
}

}  // namespace

std::string to_string(StreamEnd end) {
    switch (end) {
        case StreamEnd::open:
            return "open";
        case StreamEnd::eof:
            return "eof";
        case StreamEnd::reset:
            return "reset";
        case StreamEnd::timeout:
            return "timeout";
        case StreamEnd::error:
            return "error";
    }
    return "?";
}

std::string Received::describe() const {
    std::string text = to_string(end);
    text.append(" after ").append(std::to_string(data.size())).append(" bytes");
    if (error != 0 && end != StreamEnd::open) {
        text.append(" (").append(error_text(error)).append(")");
    }
    return text;
}

std::string half_close_problem(std::string_view sent, const Received& got) {
    bool whole = got.data == sent;
    if (got.end == StreamEnd::eof ||
        (!whole && got.data.size() > sent.size())) {
        return first_difference(sent, got.data);
    }
    std::string came = std::to_string(got.data.size()) + " of " +
                       std::to_string(sent.size()) + " bytes came back";
    if (got.end == StreamEnd::reset) {
        return came +
               ", then a reset: the server closed with input unread "
               "or died";
    }
    if (got.end == StreamEnd::error) {
        return came + ", then " + got.describe();
    }
    if (whole) {
        return std::string(sent.empty()
                               ? "the connection was never closed after "
                                 "the half-close"
                               : "the echo came back but the connection "
                                 "was never closed") +
               ": the server (or a child) still holds the socket";
    }
    return came +
           ", then nothing, and the connection stayed open: the "
           "server stopped reading or writing";
}

Connected connect_with_timeout(const std::string& host, std::uint16_t port,
                               Millis timeout) {
    Connected out;
    AddrInfoList list;
    try {
        list = resolve(host, port, false);
    } catch (const SetupError& error) {
        out.error = error.code().value();
        return out;
    }
    const addrinfo& ai = *list;
    Fd sock(::socket(ai.ai_family,
                     ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                     ai.ai_protocol));
    if (!sock) {
        out.error = errno;
        return out;
    }
    // The client must not add its own Nagle delay to what the test times.
    int one = 1;
    ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(sock.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            out.error = errno;
            return out;
        }
        if (wait_for(sock, POLLOUT, Clock::now() + timeout) == 0) {
            out.error = ETIMEDOUT;
            return out;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            out.error = err;
            return out;
        }
    }
    out.sock = std::move(sock);
    return out;
}

TestClient::TestClient(const std::string& host, std::uint16_t port,
                       Millis timeout) {
    Connected c = connect_with_timeout(host, port, timeout);
    sock_ = std::move(c.sock);
    connect_error_ = c.error;
}

std::size_t TestClient::send(std::string_view data, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send_some(sock_, data.substr(sent));
        if (n < 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
        if (n == 0 && wait_for(sock_, POLLOUT, deadline) == 0) {
            break;
        }
    }
    return sent;
}

std::size_t TestClient::send_until_stalled(std::size_t limit, Millis stall,
                                           Millis budget) {
    const std::string chunk = random_payload(kChunk, 7);
    auto end = Clock::now() + budget;
    std::size_t sent = 0;
    while (sent < limit && Clock::now() < end) {
        std::size_t want = std::min(chunk.size(), limit - sent);
        ssize_t n = send_some(sock_, std::string_view(chunk).substr(0, want));
        if (n < 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
        auto wait_until = std::min(end, Clock::now() + stall);
        if (n == 0 && wait_for(sock_, POLLOUT, wait_until) == 0) {
            break;
        }
    }
    return sent;
}

Received TestClient::receive(std::size_t n, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    Received got;
    while (got.data.size() < n) {
        if (wait_for(sock_, POLLIN, deadline) == 0) {
            got.end = StreamEnd::timeout;
            return got;
        }
        got.end = read_some(sock_, got.data, got.error);
        if (got.end != StreamEnd::open) {
            return got;
        }
    }
    return got;
}

Received TestClient::read_to_eof(Millis timeout) {
    return receive(SIZE_MAX, timeout);
}

Received TestClient::exchange(std::string_view payload, Millis timeout,
                              bool half_close) {
    auto deadline = Clock::now() + timeout;
    Received got;
    std::size_t sent = 0;
    bool shut = false;
    for (;;) {
        if (sent == payload.size() && half_close && !shut) {
            this->half_close();
            shut = true;
        }
        if (!half_close && got.data.size() >= payload.size()) {
            return got;
        }
        short events = sent < payload.size() ? POLLIN | POLLOUT : POLLIN;
        short ready = wait_for(sock_, events, deadline);
        if (ready == 0) {
            got.end = StreamEnd::timeout;
            return got;
        }
        if ((ready & POLLOUT) != 0) {
            ssize_t n = send_some(sock_, payload.substr(sent));
            if (n < 0) {
                got.error = errno;
                got.end = errno == ECONNRESET || errno == EPIPE
                              ? StreamEnd::reset
                              : StreamEnd::error;
                return got;
            }
            sent += static_cast<std::size_t>(n);
        }
        if ((ready & (POLLIN | POLLERR | POLLHUP)) != 0) {
            got.end = read_some(sock_, got.data, got.error);
            if (got.end != StreamEnd::open) {
                return got;
            }
        }
    }
}

std::string TestClient::round_trip(std::string_view message, Millis timeout) {
    return exchange(message, timeout, false).data;
}

void TestClient::half_close() {
    ::shutdown(sock_.get(), SHUT_WR);
}

void TestClient::reset() {
    linger hard{1, 0};
    ::setsockopt(sock_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    sock_.reset();
}

std::vector<Received> receive_all(std::vector<TestClient>& clients,
                                  std::size_t each, bool until_eof,
                                  Millis timeout) {
    auto deadline = Clock::now() + timeout;
    std::vector<Received> got(clients.size());
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (;;) {
        fds.clear();
        index.clear();
        for (std::size_t i = 0; i < clients.size(); ++i) {
            bool done = got[i].end != StreamEnd::open ||
                        (!until_eof && got[i].data.size() >= each);
            if (!done) {
                fds.push_back({clients[i].sock().get(), POLLIN, 0});
                index.push_back(i);
            }
        }
        if (fds.empty()) {
            return got;
        }
        int n = ::poll(fds.data(), fds.size(), ms_left(deadline));
        if (n == 0) {
            for (std::size_t i : index) {
                got[i].end = StreamEnd::timeout;
            }
            return got;
        }
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (fds[k].revents != 0) {
                Received& r = got[index[k]];
                r.end = read_some(clients[index[k]].sock(), r.data, r.error);
            }
        }
    }
}

std::string echo_problem(const std::string& host, std::uint16_t port,
                         std::size_t size, Millis timeout) {
    TestClient client(host, port, timeout);
    if (!client.connected()) {
        return "connect: " + error_text(client.connect_error());
    }
    std::string payload = random_payload(size, 1);
    Received got = client.exchange(payload, timeout, true);
    return half_close_problem(payload, got);
}

}  // namespace echolab::support
