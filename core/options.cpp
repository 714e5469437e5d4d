#include "core/options.hpp"

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace echolab {
namespace {

constexpr int kUsageError = 2;

// CLI11 reads an empty --port as 0 (any port) and an empty --host would
// mean every interface; neither is what someone typing it meant.
const CLI::Validator kNotEmpty(
    [](std::string& text) {
        return text.empty() ? std::string("must not be empty") : std::string();
    },
    "", "NOT_EMPTY");

// CLI::Range lets NaN through (every comparison with it is false).
const CLI::Validator kFinite(
    [](std::string& text) {
        try {
            return std::isfinite(std::stod(text)) ? std::string()
                                                  : "not a finite number";
        } catch (const std::exception&) {
            return std::string("not a number");
        }
    },
    "", "FINITE");

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace

std::chrono::milliseconds ServerOptions::idle_timeout() const {
    return to_ms(idle_timeout_s);
}

std::chrono::milliseconds ServerOptions::grace() const {
    return to_ms(grace_s);
}

void add_common_flags(CLI::App& app, ServerOptions& opts) {
    app.add_option("--host", opts.host,
                   "Address or name to listen on; '::' serves IPv6 and IPv4")
        ->capture_default_str()
        ->check(kNotEmpty);
    app.add_option("--port", opts.port, "TCP port; 0 picks a free one")
        ->capture_default_str()
        ->check(kNotEmpty);
    app.add_option("--backlog", opts.backlog,
                   "Kernel queue of connections not yet accepted")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    app.add_option("--max-conns", opts.max_conns,
                   "Connections served at once; beyond it clients wait in "
                   "the backlog")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    app.add_option("--idle-timeout", opts.idle_timeout_s,
                   "Close a connection silent this many seconds (0: never)")
        ->capture_default_str()
        ->check(kFinite & CLI::Range(0.0, 86400.0 * 365));
    app.add_option("--grace", opts.grace_s,
                   "On SIGINT/SIGTERM, seconds open connections may finish")
        ->capture_default_str()
        ->check(kFinite & CLI::Range(0.0, 3600.0));
    app.add_flag("--verbose", opts.verbose,
                 "Log each connect and disconnect on stderr");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::ParseError& error) {
        // CLI11 has its own exit codes; the contract has one for usage.
        std::cerr << "error: " << error.what() << "\n"
                  << "Run with --help for the list of flags.\n";
        return kUsageError;
    }
}

Fd start_listening(const ServerOptions& opts, int fd_setsize) {
    Fd listener = listen_tcp(opts.host, opts.port, opts.backlog);
    if (fd_setsize > 0 && listener.get() >= fd_setsize) {
        std::string what = "listen ";
        what.append(host_port(opts.host, opts.port))
            .append(": descriptor ")
            .append(std::to_string(listener.get()))
            .append(" >= FD_SETSIZE ")
            .append(std::to_string(fd_setsize));
        throw SetupError(EMFILE, what);
    }
    print_ready_line(listener);
    return listener;
}

void print_ready_line(const Fd& listener) {
    std::printf("listening on %s\n",
                to_string(local_address(listener)).c_str());
    // Tests and tools wait for this line through a pipe, where stdout is
    // fully buffered: flush it now, not at exit.
    std::fflush(stdout);
}

int report_setup_error(const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
}

}  // namespace echolab
