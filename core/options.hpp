// core/options.hpp: the command line every server shares, and start-up:
// parse, listen, print the ready line. Variants add only their own knobs.
// Mechanism layer: it knows flags and the ready line, not any model.
#pragma once

#include "core/fd.hpp"
#include "core/listen.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace echolab {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7007;
    int backlog = 4096;  // SOMAXCONN on Linux >= 5.4
    int max_conns = 0;   // each variant sets its own finite default
    double idle_timeout_s = 300;
    double grace_s = 5;
    bool verbose = false;

    // Rounded to the nearest millisecond. Seconds are 0 or at least
    // 0.001 (a usage error otherwise), so only 0 becomes 0 ms.
    std::chrono::milliseconds idle_timeout() const;  // 0: never
    std::chrono::milliseconds grace() const;
};

// Adds --host, --port, --backlog, --max-conns, --idle-timeout, --grace and
// --verbose to app, with opts' current values as the defaults shown.
void add_common_flags(CLI::App& app, ServerOptions& opts);

// Declares a variant's numeric flag (--threads, --queue, --buffer, ...):
// value's current value is the default shown, [min, max] the range. Like
// every numeric flag it takes decimal digits only (parse_command_line).
template <typename T>
CLI::Option* add_number_flag(CLI::App& app, const std::string& name, T& value,
                             const std::string& help, T min, T max) {
    return app.add_option(name, value, help)
        ->capture_default_str()
        ->check(CLI::Range(min, max));
}

// Narrows --max-conns to [1, ceiling] for a variant that cannot serve
// more (iterative's one client, select's FD_SETSIZE). It replaces the
// common range rather than adding a second, so --help shows one range.
void cap_max_conns(CLI::App& app, int ceiling);

// The CPUs this process may run on (sched_getaffinity(2), as nproc(1)
// counts them; at least 1): the default of a pool with one task per CPU.
// Started under `taskset -c 0`, such a server sizes itself for one CPU,
// not for every CPU of the machine.
int usable_cpus() noexcept;

// Start-up: first makes sure descriptors 0, 1 and 2 are open (on
// /dev/null if not) and stderr never blocks (open_log), so call it before
// creating any descriptor. Then parses the command line; every numeric
// flag (CLI11 type INT, UINT or FLOAT) takes decimal text only: "0x1f90",
// " 0", "1e3", "+5" are usage errors. Returns nothing when the server
// should start, otherwise the status main() returns: 0 after --help, 2
// after a usage error (already reported on stderr in one line naming the
// flag), 1 if /dev/null could not be opened.
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc,
                                                    char** argv);

// Listens as opts say and prints the ready line. The listener is
// non-blocking (listen_tcp); ConnMode::blocking makes accept(2) itself
// where a blocking server waits. Throws SetupError, before any ready
// line, if listening fails.
[[nodiscard]] Fd start_listening(const ServerOptions& opts,
                                 ConnMode mode = ConnMode::nonblocking);

// Prints the ready line, "listening on 127.0.0.1:40123", to stdout at once.
// start_listening does it; a variant that checks its listener first
// (select_loop) or has several listeners (epoll_reactors, once all are
// bound) calls this itself. Throws SetupError if getsockname fails.
void print_ready_line(const Fd& listener);

// Prints "error: <what>" for a failed setup and returns 1, the exit status.
int report_setup_error(const std::exception& error);

}  // namespace echolab
