// thread_pool/work_queue.hpp: WorkQueue, a small bounded FIFO handed from
// the accepting thread to the workers (CS:APP's sbuf, with close()).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

template <typename T>
class WorkQueue {
public:
    explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

    // Adds item unless the queue is full or closed; never blocks, so the
    // accepting thread can go on watching for a stop request.
    bool try_push(T&& item) {
        {
            std::lock_guard lock(mutex_);
            if (closed_ || items_.size() >= capacity_) {
                return false;
            }
            items_.push_back(std::move(item));
        }
        ready_.notify_one();
        return true;
    }

    // Blocks until an item is there; returns nothing once the queue is
    // closed and empty, or the worker's std::jthread is asked to stop while
    // the queue is empty, either of which tells the worker to leave.
    std::optional<T> pop(std::stop_token stop) {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, stop, [this] { return closed_ || !items_.empty(); });
        if (items_.empty()) {
            return std::nullopt;
        }
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

    // Wakes every waiting worker; items already queued are still handed out.
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<T> items_;
    std::size_t capacity_;
    bool closed_ = false;
};
