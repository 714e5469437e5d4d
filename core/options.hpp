// core/options.hpp: the command line every server shares, and start-up:
// parse, listen, print the ready line. Variants add only their own knobs.
#pragma once

#include "core/fd.hpp"

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

    std::chrono::milliseconds idle_timeout() const;  // 0: never
    std::chrono::milliseconds grace() const;
};

// Adds --host, --port, --backlog, --max-conns, --idle-timeout, --grace and
// --verbose to app, with opts' current values as the defaults shown.
void add_common_flags(CLI::App& app, ServerOptions& opts);

// Parses the command line. Returns nothing when the server should start,
// otherwise the status main() returns: 0 after --help, 2 after a usage
// error (already reported on stderr in one line naming the flag).
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc,
                                                    char** argv);

// Listens as opts say and prints the ready line, "listening on
// 127.0.0.1:40123", to stdout at once. Throws SetupError, before any ready
// line, if it fails, or if fd_setsize > 0 and the listener's descriptor is
// not below it (select(2) cannot watch a descriptor >= FD_SETSIZE).
[[nodiscard]] Fd start_listening(const ServerOptions& opts, int fd_setsize = 0);

// Prints the ready line for a listener set up by other means (a server
// with several listeners prints it once, when all of them are bound).
// Throws SetupError if getsockname fails.
void print_ready_line(const Fd& listener);

// Prints "error: <what>" for a failed setup and returns 1, the exit status.
int report_setup_error(const std::exception& error);

}  // namespace echolab
