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

// Descriptors below this are taken by stdio, the listener and the stop
// pipe; reserving them keeps every connection's descriptor < FD_SETSIZE.
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
    if (stop.fd() >= FD_SETSIZE) {
        throw SetupError(EMFILE, "select: stop pipe past FD_SETSIZE");
    }
    ConnTable table(opts, loop.buffer);
    while (!table.finished(stop)) {
        fd_set readable;
        fd_set writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        int max_fd = -1;
        auto watch = [&max_fd](int fd, fd_set& set) {
            FD_SET(fd, &set);
            max_fd = std::max(max_fd, fd);
        };
        if (table.accepting(stop)) {
            watch(listener.get(), readable);
        }
        if (!stop.requested()) {
            watch(stop.fd(), readable);
        }
        for (int fd = 0; fd < table.end_fd(); ++fd) {
            if (ConnBuffer* conn = table.find(fd)) {
                if (conn->wants_read()) {
                    watch(fd, readable);
                }
                if (conn->wants_write()) {
                    watch(fd, writable);
                }
            }
        }
        timeval timeout = to_timeval(table.timeout(stop));
        int ready =
            ::select(max_fd + 1, &readable, &writable, nullptr, &timeout);
        if (ready < 0 && errno != EINTR) {
            throw SetupError(errno, "select");
        }
        for (int fd = 0; ready > 0 && fd <= max_fd; ++fd) {
            ConnBuffer* conn = table.find(fd);
            bool in = FD_ISSET(fd, &readable);
            bool out = FD_ISSET(fd, &writable);
            if (conn != nullptr && (in || out)) {
                conn->on_ready(in, out);
                if (conn->done()) {
                    table.remove(fd);
                }
            }
        }
        if (ready > 0 && listener && FD_ISSET(listener.get(), &readable)) {
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
    app.add_option("--buffer", loop.buffer, "Bytes buffered per connection")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (opts.max_conns > kMaxConnsLimit) {
        log_line("error: --max-conns " + std::to_string(opts.max_conns) +
                 ": select_loop serves at most " +
                 std::to_string(kMaxConnsLimit) +
                 " (FD_SETSIZE 1024 minus reserved descriptors)");
        return 2;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts, FD_SETSIZE);
        serve(listener, opts, loop, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
