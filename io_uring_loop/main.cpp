// io_uring_loop: one thread serves every client through io_uring(7): it
// hands the kernel whole operations (accept, receive, send) and reaps
// their results, instead of asking which sockets are ready.
//
// Model:    completion, not readiness. epoll_loop asks which sockets can
//           be read and then reads each itself; here the kernel does the
//           I/O and posts "this receive got 64 bytes, in buffer 12". A
//           multishot accept and, per client, a multishot receive stay
//           armed: whenever data arrives the kernel takes a free buffer
//           from the provided buffer ring, receives into it and posts a
//           completion, with no new request. The echo is a send straight
//           from that buffer; its completion gives the buffer back, or
//           says how much was taken, and the rest is sent next.
// Costs:    one io_uring_enter per loop turn both submits every queued
//           send and waits for completions, so a busy turn echoes many
//           messages per system call (epoll_loop: a recv and a send each,
//           plus epoll_wait). A ring of 1024 requests, the buffer pool.
// Bounds:   --max-conns; receive memory is the pool, --buffers x --buffer
//           bytes, fixed and shared: the kernel can only receive into a
//           buffer we gave it, so memory grows with neither clients nor
//           what they send. A client holding 4 unsent buffers has its
//           receive cancelled (TCP flow control stalls it) until its echo
//           leaves.
// Breaks:   one core; clients that never read hold 4 buffers each, and
//           once they hold the whole pool the others wait for buffers; no
//           io_uring (a sysctl, seccomp in containers), no server.
// Choose:   many busy clients on Linux >= 6.1, when system calls per
//           message are the cost that matters.
// Compare:  epoll_loop (same one-thread loop; readiness, and a system call
//           per read and per write); coroutine_loop.
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include "io_uring_loop/clients.hpp"
#include "io_uring_loop/ring.hpp"

#include <bit>
#include <cerrno>
#include <chrono>
#include <string>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

using namespace echolab;
using namespace echolab::uring;
using namespace std::chrono_literals;

constexpr int kDefaultMaxConns = 10000;
constexpr unsigned kRingEntries = 1024;  // requests queued per submit
// A turn that overran its wait by more than this was a stopped server.
constexpr auto kPauseSlack = 500ms;

struct LoopOptions {
    std::size_t buffer = 16 * 1024;
    unsigned buffers = 1024;
};

// The listener's side: its multishot accept, and the pause after EMFILE.
struct Acceptor {
    bool armed = false;
    bool cancelling = false;
    Clock::time_point paused_until{};
    AcceptBackoff backoff;
};

void update_accept(Ring& ring, const Fd& listener, Acceptor& acceptor,
                   const Clients& clients, const ServerOptions& opts) {
    bool wanted = listener && clients.accepted() < opts.max_conns &&
                  Clock::now() >= acceptor.paused_until;
    if (acceptor.armed && !wanted && !acceptor.cancelling && listener) {
        ring.cancel({Op::accept});
        acceptor.cancelling = true;
    } else if (!acceptor.armed && wanted) {
        ring.accept_multishot(listener.get(), {Op::accept});
        acceptor.armed = true;
    }
}

void on_accept(const io_uring_cqe& cqe, Acceptor& acceptor, Clients& clients) {
    if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
        acceptor.armed = acceptor.cancelling = false;
    }
    if (cqe.res >= 0) {
        clients.admit(Fd(cqe.res));
        return;
    }
    if (cqe.res != -ECANCELED) {
        // A multishot accept ends at its first error. After EMFILE it is
        // re-armed only when the pause is over: one failed accept per
        // pause, not a spin.
        Accepted failure;
        failure.error = -cqe.res;
        failure.result = classify_accept_error(failure.error);
        acceptor.paused_until = Clock::now() + acceptor.backoff.after(failure);
    }
}

void serve(Fd& listener, Ring& ring, const ServerOptions& opts,
           StopSignal& stop) {
    Clients clients(opts, ring);
    Acceptor acceptor;
    // The stop pipe becomes readable on SIGTERM; polled through the ring,
    // it ends the wait, and the loop then sees stop.requested().
    ring.poll_readable(stop.fd(), {Op::stop});
    Clock::time_point last_turn = Clock::now();
    while (!clients.finished(stop)) {
        if (stop.requested() && listener) {
            // Refuse new clients at once: the accept is cancelled and the
            // listener closed in the same submission.
            ring.cancel_and_close(listener.release());
            clients.drop_waiting();
        }
        update_accept(ring, listener, acceptor, clients, opts);
        auto wait = clients.timeout(stop, acceptor.paused_until);
        __kernel_timespec ts = to_timespec(wait);
        io_uring_cqe* cqe = nullptr;
        // The one system call of a turn: submit everything queued, then
        // wait for at least one completion or the timeout.
        check_enter(io_uring_submit_and_wait_timeout(ring.get(), &cqe, 1, &ts,
                                                     nullptr));
        auto now = Clock::now();
        if (now - last_turn > wait + kPauseSlack) {
            clients.credit(now - last_turn - wait);  // SIGSTOP is not idling
        }
        last_turn = now;
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_for_each_cqe(ring.get(), head, cqe) {
            ++seen;
            Tag tag = Tag::unpack(cqe->user_data);
            if (tag.op == Op::accept) {
                on_accept(*cqe, acceptor, clients);
            } else if (tag.op == Op::recv) {
                clients.on_recv(*cqe, tag);
            } else if (tag.op == Op::send) {
                clients.on_send(*cqe, tag);
            } else if (tag.op == Op::writable) {
                clients.on_writable(tag);
            }  // a stop, cancel or close needs nothing more
        }
        io_uring_cq_advance(ring.get(), seen);
        clients.after_turn(now);
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{
        "io_uring_loop: an echo server on one thread with io_uring(7).\n"
        "Memory: --buffers x --buffer bytes of receive buffers shared by "
        "all clients (16 MiB by default), a ring of 1024 requests, and "
        "about 0.3 KiB per client up to --max-conns"};
    add_common_flags(app, opts);
    app.add_option("--buffer", loop.buffer, "Bytes per receive buffer")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20));
    auto power_of_two = [](const std::string& text) -> std::string {
        return std::has_single_bit(std::stoul(text)) ? ""
                                                     : "not a power of two";
    };
    app.add_option("--buffers", loop.buffers,
                   "Receive buffers in the shared pool (a power of two)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 32768u))
        ->check(CLI::Validator(power_of_two, "POWER OF TWO"));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        // Before the ready line: where io_uring is refused, there is none.
        Ring ring(kRingEntries, loop.buffers, loop.buffer);
        Fd listener = start_listening(opts);
        // Accepted sockets inherit TCP_NODELAY from the listener on Linux,
        // which saves a setsockopt per client (accept_conn's job elsewhere).
        int on = 1;
        if (::setsockopt(listener.get(), IPPROTO_TCP, TCP_NODELAY, &on,
                         sizeof on) != 0) {
            throw SetupError(errno, "setsockopt(TCP_NODELAY)");
        }
        serve(listener, ring, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
