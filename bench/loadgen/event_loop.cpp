#include "bench/loadgen/event_loop.hpp"

#include "core/error.hpp"

#include <cerrno>

namespace echolab::loadgen {
namespace {

std::error_code control(int epoll, int op, int fd, std::uint32_t events,
                        std::uint64_t token) noexcept {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    if (::epoll_ctl(epoll, op, fd, &ev) != 0) {
        return {errno, std::generic_category()};
    }
    return {};
}

}  // namespace

EventLoop::EventLoop(int stop_fd) : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) {
        throw SetupError(errno, "epoll_create1");
    }
    if (stop_fd < 0) {
        return;
    }
    if (std::error_code ec = add(stop_fd, EPOLLIN, kStopToken)) {
        throw SetupError(ec.value(), "epoll_ctl(stop)");
    }
}

std::error_code EventLoop::add(int fd, std::uint32_t events,
                               std::uint64_t token) noexcept {
    return control(epoll_.get(), EPOLL_CTL_ADD, fd, events, token);
}

std::error_code EventLoop::modify(int fd, std::uint32_t events,
                                  std::uint64_t token) noexcept {
    return control(epoll_.get(), EPOLL_CTL_MOD, fd, events, token);
}

std::span<const epoll_event> EventLoop::wait(Nanos deadline) noexcept {
    Nanos left = deadline - now_ns();
    left = left > 0 ? left : 0;
    timespec timeout{left / kNanosPerSecond, left % kNanosPerSecond};
    int n =
        ::epoll_pwait2(epoll_.get(), events_.data(), kBatch, &timeout, nullptr);
    if (n <= 0) {
        return {};
    }
    return {events_.data(), static_cast<std::size_t>(n)};
}

}  // namespace echolab::loadgen
