#include "core/options.hpp"

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/listen.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <sched.h>

namespace echolab {
namespace {

constexpr int kUsageError = 2;
constexpr int kSetupError = 1;

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Decimal digits, and for seconds one optional fraction: CLI11 alone would
// read "0x1f90" as 8080, " 0" as 0 and "1e3" as 1000, which is never what
// the person typing it meant to be sure of.
bool is_decimal(std::string_view text, bool fraction) {
    auto dot = text.find('.');
    if (!fraction || dot == std::string_view::npos) {
        return all_digits(text);
    }
    return all_digits(text.substr(0, dot)) && all_digits(text.substr(dot + 1));
}

CLI::Validator decimal_check(bool fraction) {
    return CLI::Validator(
        [fraction](std::string& text) {
            return is_decimal(text, fraction)
                       ? std::string()
                       : "'" + text + "' is not a decimal number";
        },
        "", fraction ? "DECIMAL_SECONDS" : "DECIMAL");
}

// Below a millisecond a timeout would round to 0, which means "never":
// the opposite of what a tiny value asks for. Refused rather than rounded
// up, so the server never runs with a value nobody typed.
const CLI::Validator kZeroOrMillisecond(
    [](std::string& text) {
        double seconds = std::strtod(text.c_str(), nullptr);
        return seconds > 0 && seconds < 0.001
                   ? "'" + text + "' is below 0.001 s (use 0 for never)"
                   : std::string();
    },
    "", "ZERO_OR_MS");

// CLI11 reads an empty --host as every interface; not what anyone meant.
const CLI::Validator kNotEmpty(
    [](std::string& text) {
        return text.empty() ? std::string("must not be empty") : std::string();
    },
    "", "NOT_EMPTY");

// Every option whose value is a number, the variant's own flags included,
// takes decimal text only.
void require_decimal_numbers(CLI::App& app) {
    for (CLI::Option* option : app.get_options()) {
        std::string type = option->get_type_name();
        type = type.substr(0, type.find(':'));
        if (type == "INT" || type == "UINT" || type == "FLOAT") {
            option->check(decimal_check(type == "FLOAT"));
        }
    }
}

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(std::llround(seconds * 1000));
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
        ->capture_default_str();
    add_number_flag(app, "--backlog", opts.backlog,
                    "Kernel queue of connections not yet accepted", 1, 1 << 20);
    add_number_flag(app, "--max-conns", opts.max_conns,
                    "Connections served at once; beyond it clients wait in "
                    "the backlog",
                    1, 1 << 20);
    add_number_flag(app, "--idle-timeout", opts.idle_timeout_s,
                    "Close a connection silent this many seconds (0: never; "
                    "else at least 0.001)",
                    0.0, 86400.0 * 365)
        ->check(kZeroOrMillisecond);
    add_number_flag(app, "--grace", opts.grace_s,
                    "On SIGINT/SIGTERM, seconds open connections may finish "
                    "(0 or at least 0.001)",
                    0.0, 3600.0)
        ->check(kZeroOrMillisecond);
    app.add_flag("--verbose", opts.verbose,
                 "Log each connect and disconnect on stderr");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    if (int err = open_standard_fds(); err != 0) {
        // Nothing to report to if stderr was the one closed; try anyway.
        log_line(std::string("error: open /dev/null: ") + std::strerror(err));
        return kSetupError;
    }
    open_log();
    require_decimal_numbers(app);
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::ParseError& error) {
        // CLI11 has its own exit codes; the contract has one for usage.
        log_line(std::string("error: ") + error.what());
        log_line("Run with --help for the list of flags.");
        return kUsageError;
    }
}

Fd start_listening(const ServerOptions& opts, ConnMode mode) {
    Fd listener = listen_tcp(opts.host, opts.port, opts.backlog);
    if (mode == ConnMode::blocking) {
        if (auto error = set_nonblocking(listener, false)) {
            throw SetupError(error.value(), "fcntl(O_NONBLOCK)");
        }
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
    log_line(std::string("error: ") + error.what());
    return kSetupError;
}

void cap_max_conns(CLI::App& app, int ceiling) {
    *app.get_option("--max-conns")->get_validator(0) = CLI::Range(1, ceiling);
}

int usable_cpus() noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) {
        return 1;
    }
    return std::max(1, CPU_COUNT(&set));
}

}  // namespace echolab
