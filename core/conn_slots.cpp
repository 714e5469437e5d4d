#include "core/conn_slots.hpp"

#include "core/error.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace echolab {

ConnSlots::ConnSlots(int max_conns) {
    if (::sem_init(&room_, 0, static_cast<unsigned>(max_conns)) != 0) {
        throw SetupError(errno, "sem_init");
    }
}

ConnSlots::~ConnSlots() {
    ::sem_destroy(&room_);
}

bool ConnSlots::wait_for_room() {
    if (::sem_wait(&room_) != 0) {
        return false;
    }
    // Only looking: hold() takes the slot once there is a connection.
    ::sem_post(&room_);
    return true;
}

void ConnSlots::hold(const Fd& conn) {
    // Cannot fail: only this thread takes slots, and it saw one free.
    (void)::sem_trywait(&room_);
    std::lock_guard lock(mutex_);
    held_.insert(conn.get());
}

void ConnSlots::release(Fd conn) {
    {
        std::lock_guard lock(mutex_);
        held_.erase(conn.get());
        conn.reset();
    }
    ::sem_post(&room_);
    emptied_.notify_all();
}

void ConnSlots::finish_by(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    emptied_.wait_until(lock, deadline, [this] { return held_.empty(); });
    for (int fd : held_) {
        ::shutdown(fd, SHUT_RDWR);
    }
}

}  // namespace echolab
