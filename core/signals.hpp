// core/signals.hpp: what each signal means to a server, the same in every
// variant (docs/decisions.md, "Signals"), and how a stop request reaches
// the waiting threads: a readable fd for event loops, EINTR for blocking
// calls.
// It does not decide what stopping means; each variant does.
#pragma once

#include <chrono>

#include <sys/types.h>

namespace echolab {

enum class Wake { ready, timeout, stop };

// How a stop request wakes a thread that waits.
enum class StopWake {
    // fd() turns readable and stays so; an event loop watches it beside
    // its sockets.
    pipe,
    // A blocked accept/recv/send/waitpid returns EINTR (the handlers have
    // no SA_RESTART). A stop that lands after the caller's check but just
    // before its call blocks would be lost, so from the stop on SIGALRM
    // repeats every 100 ms (setitimer) and interrupts the call again.
    interrupt,
};

// The process-wide stop request. A signal handler can only touch static
// state, so this is the one global object in the core.
class StopSignal {
public:
    // Sets every server's signal dispositions: SIGINT, SIGTERM and SIGHUP
    // request a stop; SIGPIPE, SIGUSR1 and SIGUSR2 are ignored (a peer
    // that resets costs one connection, not the process; the setting
    // survives fork); SIGALRM only interrupts; SIGQUIT keeps its default
    // (exit with a core dump). Call from main before any thread starts;
    // later calls return the same object (the first call's wake wins).
    // Throws SetupError.
    static StopSignal& install(StopWake wake = StopWake::pipe);

    // Readable from the moment a stop is requested, and it stays readable,
    // so any number of threads can watch it. Never read from it. -1 when
    // installed with StopWake::interrupt.
    int fd() const noexcept;
    bool requested() const noexcept;
    // When the stop was requested (steady clock); meaningful once requested.
    std::chrono::steady_clock::time_point requested_at() const noexcept;

    // StopWake::pipe only: blocks in poll(2) until fd is readable, the
    // timeout passes (a negative timeout never does), or a stop is
    // requested; fd < 0 just sleeps. A stop wins over readiness.
    Wake wait(int fd, std::chrono::milliseconds timeout) const;

    // Requests a stop; async-signal-safe.
    void request() noexcept;

private:
    StopSignal() = default;
};

// Blocks the stop signals and SIGALRM in the calling thread, so that the
// kernel delivers them to the thread that owns the shutdown (the one that
// did not call this). Call first thing in a worker thread.
void block_stop_signals() noexcept;

// Makes SIGCHLD interrupt a blocked call (EINTR) instead of being ignored,
// so a parent blocked in accept reaps a child as soon as it exits. A child
// that exits just before the parent blocks is caught by one SIGALRM 100 ms
// later. Throws SetupError.
void interrupt_on_child_exit();

// For a forked child: asks the kernel to SIGKILL this process when its
// parent exits (PR_SET_PDEATHSIG). Returns false if the parent is already
// gone (it died before the request was made); the child should then exit.
[[nodiscard]] bool die_with_parent(pid_t parent) noexcept;

}  // namespace echolab
