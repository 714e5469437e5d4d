// echoload: drives any echo server (RFC 862) with load and reports what it
// saw: round trips or connections per second, latency percentiles, its own
// CPU use, and a verdict, after checking every echoed byte.
//
// Exit status: 0 when the run completed and every echo matched; 1 when a
// byte mismatched, a connection stalled or failed, or nothing listened; 2
// for a usage error. The engine is bench/loadgen (run() in engine.hpp);
// this file only reads flags and prints.
#include "core/options.hpp"

#include "bench/loadgen/cpu.hpp"
#include "bench/loadgen/engine.hpp"
#include "bench/loadgen/report.hpp"

#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

#include <CLI/CLI.hpp>

namespace {

using namespace echolab;
using namespace echolab::loadgen;

constexpr int kUsageError = 2;

struct CliOptions {
    RunConfig config;
    std::string json_path;
    bool progress = false;
    bool no_spread = false;
};

void add_load_flags(CLI::App& app, RunConfig& c) {
    // A function, not CLI11's CheckedTransformer: that prints its map
    // ({connect->1,throughput->0}) in --help and in errors.
    app.add_option_function<std::string>(
           "--mode",
           [&c](const std::string& name) {
               if (name != "throughput" && name != "connect") {
                   throw CLI::ValidationError(
                       "--mode", "'" + name + "' is not throughput or connect");
               }
               c.mode = name == "connect" ? Mode::connect : Mode::throughput;
           },
           "throughput: long-lived connections; connect: connect, "
           "echo, close, repeat")
        ->type_name("throughput|connect")
        ->default_str("throughput");
    app.add_option("--connections,-c", c.connections,
                   "Concurrent connections (connect mode: workers)")
        ->capture_default_str();
    app.add_option("--pipeline", c.pipeline,
                   "Messages in flight per connection (throughput mode)")
        ->capture_default_str();
    app.add_option("--size", c.size, "Bytes per message")
        ->capture_default_str();
    app.add_option("--warmup", c.warmup_s,
                   "Seconds of load before the measurement window")
        ->capture_default_str();
    app.add_option("--duration,-d", c.duration_s,
                   "Seconds in the measurement window")
        ->capture_default_str();
    app.add_option("--messages", c.messages,
                   "Exactly N round trips per connection (connect mode: "
                   "connections per worker), then stop; no warm-up; "
                   "--duration becomes a time limit (0: off)")
        ->capture_default_str();
    app.add_option("--rate", c.rate,
                   "Open loop: messages/s (connect mode: connections/s) in "
                   "all, on a fixed schedule; latency counts from the "
                   "scheduled time (0: closed loop)")
        ->capture_default_str();
}

void add_run_flags(CLI::App& app, CliOptions& o) {
    RunConfig& c = o.config;
    app.add_option("--host", c.host, "Server address or name; IPv6 works")
        ->capture_default_str();
    app.add_option("--port,-p", c.port, "Server port")->capture_default_str();
    app.add_option("--threads,-t", c.threads,
                   "Event-loop threads; connections are dealt out")
        ->capture_default_str();
    app.add_option("--cpu", c.cpus,
                   "Pin echoload to these CPUs, e.g. 1 or 2,3: loop thread i "
                   "on the i-th, round robin (default: not pinned)")
        ->delimiter(',');
    app.add_option("--stall-timeout", c.stall_timeout_s,
                   "Seconds a connection may wait without progress before "
                   "the run ends as stalled")
        ->capture_default_str();
    app.add_flag("--no-source-spread", o.no_spread,
                 "Connect mode: do not spread source addresses over "
                 "127.0.0.0/8 (see docs/echoload.md)");
    app.add_option("--json", o.json_path,
                   "Also write every figure, the parameters and the machine "
                   "to FILE as JSON");
    app.add_flag("--progress", o.progress,
                 "A progress line per second on stderr even when it is not "
                 "a terminal");
}

// The progress line, with the rate since the previous line.
void show_progress_on_stderr(RunConfig& config) {
    config.on_progress = [last = std::uint64_t{0},
                          last_s = 0.0](const Progress& p) mutable {
        double span = p.elapsed_s - last_s;
        double rate =
            span > 0 ? static_cast<double>(p.done - last) / span : 0.0;
        last = p.done;
        last_s = p.elapsed_s;
        std::cerr << format_progress(p, rate) << std::endl;
    };
}

int usage_error(const std::string& flag, const std::string& message) {
    std::cerr << "error: --" << flag << ": " << message << "\n"
              << "Run with --help for the list of flags.\n";
    return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
    CliOptions o;
    CLI::App app{
        "echoload: load generator for echo servers; checks every "
        "echoed byte and reports rates, latency percentiles and its "
        "own CPU use"};
    add_load_flags(app, o.config);
    add_run_flags(app, o);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    RunConfig& config = o.config;
    config.spread_sources = !o.no_spread;
    if (auto error = validate(config)) {
        return usage_error(error->field, error->message);
    }
    // Opened before the run, so a bad path costs no measurement.
    std::ofstream json_file;
    if (!o.json_path.empty()) {
        json_file.open(o.json_path);
        if (!json_file) {
            return usage_error("json", o.json_path + ": cannot write there");
        }
    }
    if (!config.cpus.empty()) {
        // The whole process, so the progress display and the report do
        // not wake the other CPUs either; each loop thread then takes its
        // own CPU of the list.
        (void)pin_thread_to_cpus(config.cpus);
    }
    if (o.progress || ::isatty(STDERR_FILENO)) {
        show_progress_on_stderr(config);
    }
    try {
        RunResult result = run(config);
        std::cout << format_table(config, result) << std::flush;
        if (json_file.is_open()) {
            json_file << to_json(config, result, describe_machine()).dump(2)
                      << "\n";
        }
        return exit_status(result);
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
