#include "core/children.hpp"

#include <cerrno>

#include <signal.h>
#include <sys/wait.h>

namespace echolab {
namespace {

using namespace std::chrono_literals;

// A child's grace period starts when its SIGTERM arrives, a little after
// the parent's stop; this much more covers that before SIGKILL.
constexpr auto kChildSlack = 1s;

}  // namespace

void Children::add(pid_t pid) {
    started_[pid] = Clock::now();
}

void Children::reap() {
    int saved_errno = errno;
    pid_t pid;
    while ((pid = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
        started_.erase(pid);
    }
    errno = saved_errno;
}

std::optional<Children::Exit> Children::wait_for_one() {
    for (;;) {
        pid_t pid = ::waitpid(-1, nullptr, 0);
        if (pid < 0) {
            return std::nullopt;
        }
        if (auto child = started_.find(pid); child != started_.end()) {
            Exit exit{pid, Clock::now() - child->second};
            started_.erase(child);
            return exit;
        }
    }
}

bool Children::wait_for_room(int max) {
    if (started_.size() < static_cast<std::size_t>(max)) {
        return true;
    }
    wait_for_one();
    return false;
}

void Children::finish_by(Clock::time_point deadline) {
    for (const auto& [pid, started] : started_) {
        ::kill(pid, SIGTERM);
    }
    while (!started_.empty() && Clock::now() < deadline + kChildSlack) {
        wait_for_one();
    }
    for (const auto& [pid, started] : started_) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    started_.clear();
}

}  // namespace echolab
