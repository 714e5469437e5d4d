// select_loop: one thread serves every client; select(2) says which sockets
// are ready, and each ready socket gets one non-blocking read or write.
//
// Model:    rebuild two fd_sets (read, write) every turn from what each
//           connection wants; select; serve the ready ones; accept new
//           clients when the listener is ready.
// Costs:    a ConnBuffer per client (--buffer bytes, taken on first read);
//           no thread or process. Each turn costs O(highest descriptor):
//           the sets are rebuilt and scanned in full, by us and the kernel.
// Bounds:   --max-conns, and never more than FD_SETSIZE (1024) minus a
//           reserve: FD_SET on a larger descriptor writes past the set.
//           A full buffer stops reading that client (backpressure).
// Breaks:   the descriptor ceiling, and turns that grow with the number of
//           idle clients; any blocking call in the loop stalls everyone.
//           A failed select (ENOMEM) stalls every client for one pause.
// Choose:   portability (every Unix has select) and up to a few hundred
//           clients; a teaching step towards poll and epoll.
// Compare:  epoll_loop (same ConnBuffer, the kernel keeps the interest
//           list); thread_per_conn (blocking code, a thread per client).
#include "core/conn_buffer.hpp"
#include "core/conn_table.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include <sys/select.h>

namespace {

using namespace echolab;

// Descriptors below this are taken by stdio, the log, the listener and
// the stop pipe; reserving them keeps every connection's descriptor below
// FD_SETSIZE.
constexpr int kReservedFds = 16;
constexpr int kMaxConnsLimit = FD_SETSIZE - kReservedFds;
constexpr int kDefaultMaxConns = kMaxConnsLimit;
// Clients accepted per turn at most, so a connection storm cannot starve
// the clients already being served.
constexpr int kAcceptBatch = 64;

struct LoopOptions {
    std::size_t buffer = ConnBuffer::kDefaultCapacity;
};

timeval to_timeval(std::chrono::milliseconds ms) {
    return {static_cast<time_t>(ms.count() / 1000),
            static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
}

// select(2) cannot watch a descriptor >= FD_SETSIZE: FD_SET past the set
// writes past its end. Checked before the ready line.
void require_below_fd_setsize(int fd, const std::string& what) {
    if (fd >= FD_SETSIZE) {
        throw SetupError(EMFILE, "select: " + what + " descriptor " +
                                     std::to_string(fd) + " >= FD_SETSIZE");
    }
}

// The two sets for one select call, rebuilt every turn.
struct Sets {
    fd_set readable;
    fd_set writable;
    int max_fd = -1;

    void watch(int fd, fd_set& set) {
        FD_SET(fd, &set);
        max_fd = std::max(max_fd, fd);
    }
};

// What to watch this turn; the listener only while accepting.
Sets wanted(const Fd& listener, const ConnTable& table,
            const StopSignal& stop) {
    Sets sets;
    FD_ZERO(&sets.readable);
    FD_ZERO(&sets.writable);
    if (table.accepting(stop)) {
        sets.watch(listener.get(), sets.readable);
    }
    if (!stop.requested()) {
        sets.watch(stop.fd(), sets.readable);
    }
    for (int fd = 0; fd < table.end_fd(); ++fd) {
        const ConnBuffer* conn = table.find(fd);
        if (conn != nullptr && conn->wants_read()) {
            sets.watch(fd, sets.readable);
        }
        if (conn != nullptr && conn->wants_write()) {
            sets.watch(fd, sets.writable);
        }
    }
    return sets;
}

// select fails for the whole loop, not one connection. EINTR (a signal,
// SIGCONT) and ENOMEM pass; ENOMEM pauses, so a lasting shortage cannot
// spin. Anything else (EBADF, EINVAL) is a bug in this loop: fatal.
void survive_select_error(int err, RateLimit& warn) {
    if (err == EINTR) {
        return;
    }
    if (err != ENOMEM) {
        throw SetupError(err, "select");
    }
    if (warn.allow()) {
        log_line("select: " + error_text(err) + "; retrying");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void accept_clients(const Fd& listener, ConnTable& table,
                    const StopSignal& stop) {
    for (int i = 0; i < kAcceptBatch && table.accepting(stop); ++i) {
        Accepted client = accept_conn(listener, ConnMode::nonblocking);
        // Defence in depth: --max-conns is capped so this cannot happen,
        // but an FD_SET past FD_SETSIZE would corrupt memory silently.
        if (client.conn.get() >= FD_SETSIZE) {
            log_line("select: descriptor " + std::to_string(client.conn.get()) +
                     " >= FD_SETSIZE; closing " + to_string(client.peer));
            continue;
        }
        if (table.admit(std::move(client)) == nullptr) {
            break;
        }
    }
}

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop) {
    require_below_fd_setsize(stop.fd(), "stop pipe");
    ConnTable table(opts, loop.buffer);
    RateLimit warn(std::chrono::seconds(1));
    while (!table.finished(stop)) {
        Sets ready = wanted(listener, table, stop);
        timeval timeout = to_timeval(table.timeout(stop));
        int count = ::select(ready.max_fd + 1, &ready.readable, &ready.writable,
                             nullptr, &timeout);
        if (count < 0) {
            survive_select_error(errno, warn);
            count = 0;  // the sets are not results after a failure
        }
        for (int fd = 0; count > 0 && fd <= ready.max_fd; ++fd) {
            ConnBuffer* conn = table.find(fd);
            bool in = FD_ISSET(fd, &ready.readable);
            bool out = FD_ISSET(fd, &ready.writable);
            if (conn == nullptr || !(in || out)) {
                continue;
            }
            conn->on_ready(in, out);
            if (conn->done()) {
                table.remove(fd);
            }
        }
        if (count > 0 && listener &&
            FD_ISSET(listener.get(), &ready.readable)) {
            accept_clients(listener, table, stop);
        }
        if (stop.requested()) {
            listener.reset();  // refuse new clients at once
        }
        table.close_idle();
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kDefaultMaxConns;
    CLI::App app{"select_loop: an echo server on one thread with select(2)"};
    add_common_flags(app, opts);
    add_number_flag(app, "--buffer", loop.buffer,
                    "Bytes buffered per connection", std::size_t{1},
                    std::size_t{64} << 20);
    // select's ceiling: FD_SETSIZE (1024) minus the reserved descriptors.
    app.get_option("--max-conns")->check(CLI::Range(1, kMaxConnsLimit));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = listen_tcp(opts.host, opts.port, opts.backlog);
        require_below_fd_setsize(listener.get(), "listener");
        print_ready_line(listener);
        serve(listener, opts, loop, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
