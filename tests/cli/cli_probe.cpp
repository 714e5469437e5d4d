// cli_probe: runs one server binary the way a CLI smoke test needs and
// checks the exit status, which a plain add_test cannot do for a status
// other than 0 (WILL_FAIL accepts any failure). It prints what the server
// wrote, so CTest's PASS_REGULAR_EXPRESSION can check the message too, and
// "cli_probe: FAIL ..." for FAIL_REGULAR_EXPRESSION.
//
//   cli_probe help BINARY       --help exits 0 and names every common flag
//   cli_probe bad-port BINARY   --port 70000 exits 2
//   cli_probe busy-port BINARY  a port held by this probe: exits 1
#include "core/address.hpp"
#include "core/fd.hpp"
#include "core/listen.hpp"

#include "support/server_process.hpp"
#include "support/server_registry.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace echolab;
using namespace echolab::support;
using namespace std::chrono_literals;

constexpr auto kExitBound = 10s;
constexpr std::string_view kCommonFlags[] = {
    "--host",         "--port",  "--backlog", "--max-conns",
    "--idle-timeout", "--grace", "--verbose", "--help"};

// Runs binary on port with flags, echoes its output, and checks the exit
// status; returns the probe's own exit status.
int expect_exit(const std::string& binary, const std::string& port,
                const std::vector<std::string>& flags, int expected,
                std::string& output) {
    ServerUnderTest probe;
    probe.name = "probe";
    probe.binary = binary;
    ServerProcess server(probe, Launch{flags, port, false});
    ExitStatus status = server.wait_exit(kExitBound);
    output = server.stdout_text() + server.stderr_text();
    std::cout << output;
    if (!status.clean(expected)) {
        std::cout << "cli_probe: FAIL " << server.command_line() << ": "
                  << status.describe() << ", expected exit " << expected
                  << "\n";
        return 1;
    }
    return 0;
}

int check_help(const std::string& binary) {
    std::string output;
    int failed = expect_exit(binary, "0", {"--help"}, 0, output);
    for (std::string_view flag : kCommonFlags) {
        if (output.find(flag) == std::string::npos) {
            std::cout << "cli_probe: FAIL --help does not mention " << flag
                      << "\n";
            failed = 1;
        }
    }
    return failed;
}

int check_busy_port(const std::string& binary) {
    // A live listener makes bind fail even with SO_REUSEADDR.
    Fd holder = listen_tcp("127.0.0.1", 0, 1);
    std::string port = std::to_string(port_of(local_address(holder)));
    std::string output;
    return expect_exit(binary, port, {}, 1, output);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: cli_probe help|bad-port|busy-port BINARY\n";
        return 2;
    }
    std::string_view mode = argv[1];
    std::string binary = argv[2];
    try {
        if (mode == "help") {
            return check_help(binary);
        }
        std::string output;
        if (mode == "bad-port") {
            return expect_exit(binary, "70000", {}, 2, output);
        }
        if (mode == "busy-port") {
            return check_busy_port(binary);
        }
    } catch (const std::exception& error) {
        std::cout << "cli_probe: FAIL " << error.what() << "\n";
        return 1;
    }
    std::cerr << "cli_probe: unknown mode " << mode << "\n";
    return 2;
}
