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
// Breaks:   the descriptor ceiling; turns that grow with idle clients; any
//           blocking call or failed select (ENOMEM) stalls everyone.
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

#include <sys/select.h>

namespace {

using namespace echolab;

// Descriptors below this are for stdio, the log, the listener and the stop
// pipe; reserving them keeps every connection's below FD_SETSIZE.
constexpr int kReservedFds = 16;
constexpr int kMaxConnsLimit = FD_SETSIZE - kReservedFds;  // the default

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

// The two sets for one select call, rebuilt every turn from what each
// connection wants; the listener only while accepting.
struct Sets {
    fd_set readable;
    fd_set writable;
    int max_fd = -1;

    Sets(const Fd& listener, const ConnTable& table, const StopSignal& stop);
    void watch(int fd, fd_set& set) {
        FD_SET(fd, &set);
        max_fd = std::max(max_fd, fd);
    }
};

Sets::Sets(const Fd& listener, const ConnTable& table, const StopSignal& stop) {
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    if (table.accepting(stop)) {
        watch(listener.get(), readable);
    }
    if (!stop.requested()) {
        watch(stop.fd(), readable);
    }
    for (int fd = 0; fd < table.end_fd(); ++fd) {
        const ConnBuffer* conn = table.find(fd);
        if (conn != nullptr && conn->wants_read()) {
            watch(fd, readable);
        }
        if (conn != nullptr && conn->wants_write()) {
            watch(fd, writable);
        }
    }
}

void accept_clients(const Fd& listener, ConnTable& table,
                    const StopSignal& stop) {
    for (int i = 0; i < ConnTable::kAcceptBatch && table.accepting(stop); ++i) {
        ConnBuffer* conn =
            table.admit(accept_conn(listener, ConnMode::nonblocking));
        if (conn == nullptr) {
            break;
        }
        // Defence in depth: --max-conns is capped so this cannot happen,
        // but an FD_SET past FD_SETSIZE would corrupt memory silently.
        if (int fd = conn->conn().get(); fd >= FD_SETSIZE) {
            log_line("select: descriptor " + std::to_string(fd) +
                     " >= FD_SETSIZE; closing " + to_string(conn->peer()));
            table.remove(fd, "descriptor >= FD_SETSIZE");
        }
    }
}

void serve(Fd& listener, const ServerOptions& opts, const LoopOptions& loop,
           StopSignal& stop) {
    require_below_fd_setsize(stop.fd(), "stop pipe");
    ConnTable table(opts, loop.buffer);
    while (!table.finished(stop)) {
        Sets sets(listener, table, stop);
        timeval timeout = to_timeval(table.timeout(stop));
        int ready = ::select(sets.max_fd + 1, &sets.readable, &sets.writable,
                             nullptr, &timeout);
        if (ready < 0) {
            table.survive_wait_error(errno, "select");
            ready = 0;  // the sets are not results after a failure
        }
        bool clients_waiting = false;
        for (int fd = 0; ready > 0 && fd <= sets.max_fd; ++fd) {
            bool in = FD_ISSET(fd, &sets.readable);
            bool out = FD_ISSET(fd, &sets.writable);
            ConnBuffer* conn = table.find(fd);
            if (conn == nullptr || !(in || out)) {
                clients_waiting |= in && fd == listener.get();
                continue;  // no client to serve on fd
            }
            conn->on_ready(in, out);
            if (conn->done()) {
                table.remove(fd);
            }
        }
        if (clients_waiting) {
            accept_clients(listener, table, stop);
        }
        if (stop.requested() && listener) {
            listener.reset();  // refuse new clients at once
        }
        table.close_idle();
    }
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions opts;
    LoopOptions loop;
    opts.max_conns = kMaxConnsLimit;
    CLI::App app{"select_loop: an echo server on one thread with select(2)"};
    add_common_flags(app, opts);
    add_loop_flags(app, loop);
    // select's ceiling: FD_SETSIZE (1024) minus the reserved descriptors.
    cap_max_conns(app, kMaxConnsLimit);
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
