// Micro-benchmarks of the primitives each model pays for per connection
// or per wake-up: the "why" behind the echo figures. They run on the
// client CPU, single-threaded except where a second thread is the point.
#include "core/fd.hpp"

#include "bench/harness/scenarios.hpp"
#include "bench/loadgen/cpu.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

namespace echolab::harness {
namespace {

// fork_per_conn's cost per client: copy the page tables, run, reap.
void fork_exit_wait(benchmark::State& state) {
    for (auto _ : state) {
        pid_t child = ::fork();
        if (child == 0) {
            ::_exit(0);
        }
        if (child < 0 || ::waitpid(child, nullptr, 0) != child) {
            state.SkipWithError("fork or waitpid failed");
            break;
        }
    }
}

// thread_per_conn's cost per client: a stack, a clone, a join.
void thread_create_join(benchmark::State& state) {
    for (auto _ : state) {
        std::thread t([] {});
        t.join();
    }
}

// A one-slot mailbox: the mutex, condition variable and wake-up that any
// bounded queue between an accepting thread and a worker pays. Its own
// few lines, so that the benchmark reads no variant's private header.
class Mailbox {
public:
    void put(Fd fd) {
        {
            std::lock_guard lock(mutex_);
            slot_ = std::move(fd);
        }
        ready_.notify_one();
    }
    Fd take() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return slot_.has_value(); });
        Fd fd = std::move(*slot_);
        slot_.reset();
        return fd;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::optional<Fd> slot_;
};

// A worker pool's cost per client: a descriptor carried to a waiting
// worker, which hands it back (there and back, two wake-ups on one CPU).
void fd_handoff(benchmark::State& state) {
    Fd fd(::eventfd(0, EFD_CLOEXEC));
    if (!fd) {
        state.SkipWithError("eventfd failed");
        return;
    }
    Mailbox to_worker;
    Mailbox back;
    std::thread worker([&] {
        // An empty Fd tells the worker to leave.
        while (Fd got = to_worker.take()) {
            back.put(std::move(got));
        }
    });
    for (auto _ : state) {
        to_worker.put(std::move(fd));
        fd = back.take();
    }
    to_worker.put(Fd{});
    worker.join();
}

// Where each task of a switch ring runs.
enum class Task { thread, process };

// Passes a byte along pipe `from` to pipe `to` until it passes the byte
// that says stop.
void pass_on(int from, int to) {
    char byte = 0;
    while (::read(from, &byte, 1) == 1 && ::write(to, &byte, 1) == 1 &&
           byte != 'q') {
    }
}

// A blocking model's cost per message on a busy CPU: `tasks` blocked tasks
// on one CPU pass a byte around a ring of pipes, so every hop wakes the
// next task and switches to it, as a server with one blocked worker per
// client switches on every message. Between threads of one process the
// switch keeps the address space; between processes it changes page
// tables and loses the TLB entries they cached. One iteration is one lap:
// `tasks` switches.
void switch_ring(benchmark::State& state, Task kind, int tasks, int cpu) {
    std::vector<Fd> reads;
    std::vector<Fd> writes;
    for (int i = 0; i < tasks; ++i) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            state.SkipWithError("pipe failed");
            return;
        }
        reads.emplace_back(ends[0]);
        writes.emplace_back(ends[1]);
    }
    (void)loadgen::pin_thread_to_cpu(cpu);  // the others inherit it
    // Task i reads pipe i and writes pipe i+1; this thread is task 0.
    auto hop = [&](int i) {
        pass_on(reads[static_cast<std::size_t>(i)].get(),
                writes[static_cast<std::size_t>((i + 1) % tasks)].get());
    };
    std::vector<std::thread> threads;
    std::vector<pid_t> children;
    for (int i = 1; i < tasks; ++i) {
        if (kind == Task::thread) {
            threads.emplace_back(hop, i);
            continue;
        }
        pid_t child = ::fork();
        if (child == 0) {
            hop(i);
            ::_exit(0);
        }
        children.push_back(child);
    }
    int first = writes[static_cast<std::size_t>(1 % tasks)].get();
    int last = reads[0].get();
    char byte = 'x';
    for (auto _ : state) {
        if (::write(first, &byte, 1) != 1 || ::read(last, &byte, 1) != 1) {
            state.SkipWithError("switch ring broke");
            break;
        }
    }
    // The stop byte goes once around; each task passes it on and ends.
    byte = 'q';
    if (::write(first, &byte, 1) != 1 || ::read(last, &byte, 1) != 1) {
        state.SkipWithError("switch ring did not stop");
    }
    for (std::thread& t : threads) {
        t.join();
    }
    for (pid_t child : children) {
        ::waitpid(child, nullptr, 0);
    }
    state.counters["tasks"] = tasks;
}

// n event descriptors of which the last is readable, as in a loop where
// one client of n has sent something.
std::vector<Fd> watched(int n) {
    std::vector<Fd> fds;
    for (int i = 0; i < n; ++i) {
        fds.emplace_back(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    }
    std::uint64_t one = 1;
    if (!fds.back() || ::write(fds.back().get(), &one, sizeof one) < 0) {
        fds.clear();
    }
    return fds;
}

// select rebuilds and scans its bitmap on every call: O(highest fd).
void select_cost(benchmark::State& state, const std::vector<Fd>& fds) {
    fd_set all;
    FD_ZERO(&all);
    int top = 0;
    for (const Fd& fd : fds) {
        if (fd.get() >= FD_SETSIZE) {
            state.SkipWithError("descriptor beyond FD_SETSIZE");
            return;
        }
        FD_SET(fd.get(), &all);
        top = std::max(top, fd.get());
    }
    for (auto _ : state) {
        fd_set ready = all;
        timeval zero{};
        benchmark::DoNotOptimize(
            ::select(top + 1, &ready, nullptr, nullptr, &zero));
    }
}

// poll passes and scans the whole array on every call: O(n).
void poll_cost(benchmark::State& state, const std::vector<Fd>& fds) {
    std::vector<pollfd> set;
    for (const Fd& fd : fds) {
        set.push_back({fd.get(), POLLIN, 0});
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(::poll(set.data(), set.size(), 0));
    }
}

// epoll keeps the interest list in the kernel and returns the ready
// list: O(ready), whatever n is.
void epoll_cost(benchmark::State& state, const std::vector<Fd>& fds) {
    Fd ep(::epoll_create1(EPOLL_CLOEXEC));
    for (const Fd& fd : fds) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd.get();
        ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd.get(), &ev);
    }
    epoll_event events[64];
    for (auto _ : state) {
        benchmark::DoNotOptimize(::epoll_wait(ep.get(), events, 64, 0));
    }
}

}  // namespace

void run_micro(benchmark::State& state, const BenchSpec& spec, const Env& env) {
    if (spec.kind == "fork_exit_wait") {
        return fork_exit_wait(state);
    }
    if (spec.kind == "thread_create_join") {
        return thread_create_join(state);
    }
    if (spec.kind == "fd_handoff") {
        return fd_handoff(state);
    }
    if (spec.kind == "switch_threads" || spec.kind == "switch_processes") {
        Task kind =
            spec.kind == "switch_threads" ? Task::thread : Task::process;
        return switch_ring(state, kind, spec.conns, env.opts.client_cpu);
    }
    std::vector<Fd> fds = watched(spec.conns);
    state.counters["watched_fds"] = spec.conns;
    if (fds.empty()) {
        state.SkipWithError("eventfd failed");
    } else if (spec.kind == "select") {
        select_cost(state, fds);
    } else if (spec.kind == "poll") {
        poll_cost(state, fds);
    } else {
        epoll_cost(state, fds);
    }
}

}  // namespace echolab::harness
