#include "core/conn_table.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

namespace echolab {
namespace {

using namespace std::chrono_literals;

// Idle connections are looked for this often, so a timeout fires at most
// this late; a scan costs one comparison per connection.
constexpr auto kIdleScan = 1s;
// A turn may run this much later than the longest wait (a busy turn, a
// loaded machine) before the lateness counts as time the loop did not run.
constexpr auto kLateTurn = 250ms;

}  // namespace

void add_loop_flags(CLI::App& app, LoopOptions& loop) {
    add_number_flag(app, "--buffer", loop.buffer,
                    "Bytes buffered per connection", std::size_t{1},
                    std::size_t{64} << 20);
}

ConnTable::ConnTable(const ServerOptions& opts, std::size_t buffer_bytes)
    : opts_(opts), buffer_bytes_(buffer_bytes) {}

ConnBuffer* ConnTable::admit(Accepted client) {
    if (client.result != AcceptResult::accepted) {
        // While paused the loop stops watching the listener, so a
        // level-triggered readiness report cannot make it spin.
        accept_paused_until_ = Clock::now() + backoff_.after(client);
        return nullptr;
    }
    auto fd = static_cast<std::size_t>(client.conn.get());
    if (fd >= conns_.size()) {
        conns_.resize(std::max(fd + 1, conns_.size() * 2));
    }
    if (opts_.verbose) {
        log_connect(client.peer);
    }
    conns_[fd] = std::make_unique<ConnBuffer>(std::move(client.conn),
                                              client.peer, buffer_bytes_);
    ++count_;
    return conns_[fd].get();
}

bool ConnTable::accepting(const StopSignal& stop) const {
    return !stop.requested() && count_ < opts_.max_conns &&
           Clock::now() >= accept_paused_until_;
}

ConnBuffer* ConnTable::find(int fd) const noexcept {
    auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < conns_.size() ? conns_[index].get() : nullptr;
}

void ConnTable::close(std::unique_ptr<ConnBuffer>& slot, std::string_view why) {
    if (opts_.verbose) {
        log_disconnect(slot->peer(), why, slot->bytes_echoed());
    }
    slot.reset();
    --count_;
}

void ConnTable::remove(int fd) {
    auto& slot = conns_.at(static_cast<std::size_t>(fd));
    if (!slot) {
        return;
    }
    close(slot, slot->end_reason());
}

void ConnTable::excuse_stall(Clock::time_point now) {
    auto gap = now - last_turn_;
    last_turn_ = now;
    if (gap <= kIdleScan + kLateTurn) {
        return;
    }
    // Waits never exceed kIdleScan (timeout()), so the rest of the gap
    // the process was stopped or starved: nobody's fault but ours.
    for (int fd = 0; fd < end_fd(); ++fd) {
        if (ConnBuffer* conn = find(fd)) {
            conn->excuse(gap - kIdleScan);
        }
    }
}

void ConnTable::remove(int fd, std::string_view why) {
    auto& slot = conns_.at(static_cast<std::size_t>(fd));
    if (slot) {
        close(slot, why);
    }
}

void ConnTable::close_idle() {
    auto now = Clock::now();
    if (opts_.idle_timeout().count() <= 0) {
        return;
    }
    excuse_stall(now);
    if (now < next_idle_scan_) {
        return;
    }
    next_idle_scan_ = now + kIdleScan;
    auto oldest = now - opts_.idle_timeout();
    for (int fd = 0; fd < end_fd(); ++fd) {
        ConnBuffer* conn = find(fd);
        if (conn != nullptr && conn->last_progress() < oldest &&
            !conn->waiting_on_server()) {
            close(conns_[static_cast<std::size_t>(fd)], "idle timeout");
        }
    }
}

void ConnTable::survive_wait_error(int err, const char* call) {
    if (err == EINTR) {
        return;
    }
    if (err != ENOMEM) {
        throw SetupError(err, call);
    }
    if (wait_warn_.allow()) {
        log_line(std::string(call) + ": " + error_text(err) + "; retrying");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

bool ConnTable::finished(const StopSignal& stop) const {
    return stop.requested() &&
           (count_ == 0 || Clock::now() >= stop.requested_at() + opts_.grace());
}

std::chrono::milliseconds ConnTable::timeout(const StopSignal& stop) const {
    auto now = Clock::now();
    auto next = now + std::chrono::milliseconds(kIdleScan);
    if (accept_paused_until_ > now) {
        next = std::min(next, accept_paused_until_);
    }
    if (stop.requested()) {
        next = std::min(next, stop.requested_at() + opts_.grace());
    }
    return std::chrono::ceil<std::chrono::milliseconds>(
        std::max(next - now, Clock::duration::zero()));
}

}  // namespace echolab
