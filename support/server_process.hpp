// support/server_process.hpp: runs one server under test as a child
// process, learns its address from the ready line, and stops it by PID.
// It never talks to the server; test_client.hpp does that.
#pragma once

#include "support/server_registry.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace echolab::support {

// How a server process ended, or that it had not yet.
struct ExitStatus {
    bool exited = false;  // false: still running when the wait ended
    int code = -1;        // the exit code, when it exited normally
    int signal = 0;       // the signal that killed it, otherwise

    bool clean(int expected_code) const {
        return exited && signal == 0 && code == expected_code;
    }
    // "exit 0", "killed by signal 9", "still running".
    std::string describe() const;
};

struct Launch {
    std::vector<std::string> flags;  // appended after the port
    std::string port = "0";          // "0": the server picks, the ready
                                     // line tells
    bool wait_ready = true;          // false: a test expects it to fail
};

// One server child. stdout and stderr go to files, so the server can
// never block on a full pipe, and the test can read them at any time.
// The child gets its own process group, and PR_SET_PDEATHSIG, so that a
// test killed by its CTest timeout does not leave the server behind.
class ServerProcess {
public:
    // Starts the server. With launch.wait_ready, waits for the ready line
    // (at most ready_timeout()); throws std::runtime_error naming the
    // command and quoting its stderr if the server exits or stays silent.
    ServerProcess(const ServerUnderTest& server, const Launch& launch);
    // Kills the process group if the server still runs, and reaps it.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    // The address from the ready line: "127.0.0.1", "::1", "::", ...
    const std::string& host() const noexcept { return host_; }
    // Where a client on this machine reaches it ("::" -> "::1").
    std::string client_host() const;
    std::uint16_t port() const noexcept { return port_; }
    // The command line, for messages.
    std::string command_line() const;

    bool running();
    void send_signal(int sig);
    // Waits up to timeout for the server to exit, and reaps it.
    ExitStatus wait_exit(std::chrono::milliseconds timeout);
    // SIGTERM, then SIGKILL to the group if it has not exited after bound.
    ExitStatus stop(std::chrono::milliseconds bound);

    std::string stdout_text() const;
    std::string stderr_text() const;

    static std::chrono::milliseconds ready_timeout();

private:
    void spawn(const std::vector<std::string>& argv);
    void await_ready(std::uint16_t probe);

    std::string stdout_path_;
    std::string stderr_path_;
    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    ExitStatus status_;
    std::string host_;
    std::uint16_t port_ = 0;
};

// Parses "listening on 127.0.0.1:40123" or "listening on [::1]:40123".
// Returns false if text has no complete ready line.
bool parse_ready_line(const std::string& text, std::string& host,
                      std::uint16_t& port);

// A port that was free a moment ago on 127.0.0.1 and ::1, for commands
// that take {port} and cannot be told to pick one.
std::uint16_t pick_free_port();

}  // namespace echolab::support
