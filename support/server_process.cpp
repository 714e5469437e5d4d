#include "support/server_process.hpp"

#include "core/address.hpp"
#include "core/error.hpp"
#include "core/fd.hpp"
#include "core/listen.hpp"

#include "support/test_client.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace echolab::support {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = 10ms;
constexpr auto kProbeTimeout = 100ms;

// One private folder per test process for the servers' output files.
class OutputDir {
public:
    OutputDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
        pattern.append("/echolab-test-XXXXXX");
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp " + pattern + ": " +
                                     error_text(errno));
        }
        path_ = pattern;
    }
    ~OutputDir() { ::rmdir(path_.c_str()); }
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    std::string next_file(const char* suffix) {
        std::string file = path_;
        file.append("/server-").append(std::to_string(++count_)).append(suffix);
        return file;
    }

private:
    std::string path_;
    int count_ = 0;
};

OutputDir& output_dir() {
    static OutputDir dir;
    return dir;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Fd open_output(const std::string& path) {
    Fd file(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file) {
        throw std::runtime_error("open " + path + ": " + error_text(errno));
    }
    return file;
}

// Runs in the forked child: async-signal-safe calls only, since the test
// process may have other threads holding locks.
[[noreturn]] void exec_child(char* const* argv, pid_t parent, int out,
                             int err) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
        ::_exit(127);
    }
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // Dispositions set to SIG_IGN survive exec; the server starts clean.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGCHLD}) {
        ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Client sockets of the test must not live on in the server.
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execv(argv[0], argv);
    // strlen and write are async-signal-safe; strerror is not.
    const char msg[] = "exec failed: ";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    n = ::write(2, argv[0], std::strlen(argv[0]));
    n = ::write(2, "\n", 1);
    ::_exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
    if (!exited) {
        return "still running";
    }
    if (signal != 0) {
        return "killed by signal " + std::to_string(signal);
    }
    return "exit " + std::to_string(code);
}

ServerProcess::ServerProcess(const ServerUnderTest& server,
                             const Launch& launch) {
    bool placeholder = takes_port_placeholder(server);
    std::string port = launch.port;
    if (placeholder && port == "0") {
        port = std::to_string(pick_free_port());
    }
    spawn(launch_argv(server, port, launch.flags));
    if (launch.wait_ready) {
        // A {port} command may not print the ready line; then the first
        // successful connect says it is ready.
        await_ready(placeholder ? static_cast<std::uint16_t>(std::stoul(port))
                                : std::uint16_t{0});
    }
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        if (!status_.exited) {
            ::kill(-pid_, SIGKILL);
            wait_exit(5s);
        }
        // fork_per_conn children left behind by a failed test.
        ::kill(-pid_, SIGKILL);
    }
    ::unlink(stdout_path_.c_str());
    ::unlink(stderr_path_.c_str());
}

void ServerProcess::spawn(const std::vector<std::string>& argv) {
    argv_ = argv;
    stdout_path_ = output_dir().next_file(".stdout");
    stderr_path_ = output_dir().next_file(".stderr");
    Fd out = open_output(stdout_path_);
    Fd err = open_output(stderr_path_);
    std::vector<char*> args;
    for (std::string& arg : argv_) {
        args.push_back(arg.data());
    }
    args.push_back(nullptr);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork: " + error_text(errno));
    }
    if (pid_ == 0) {
        exec_child(args.data(), parent, out.get(), err.get());
    }
    // Also here, so that kill(-pid) works before the child ran at all.
    ::setpgid(pid_, pid_);
}

void ServerProcess::await_ready(std::uint16_t probe) {
    auto deadline = Clock::now() + ready_timeout();
    while (Clock::now() < deadline) {
        if (parse_ready_line(stdout_text(), host_, port_)) {
            return;
        }
        if (!running()) {
            throw std::runtime_error(
                command_line() + ": " + status_.describe() +
                " before the ready line; stderr:\n" + stderr_text());
        }
        if (probe != 0) {
            for (const char* host : {"127.0.0.1", "::1"}) {
                if (connect_with_timeout(host, probe, kProbeTimeout).sock) {
                    host_ = host;
                    port_ = probe;
                    return;
                }
            }
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    throw std::runtime_error(command_line() + ": no ready line within " +
                             std::to_string(ready_timeout().count()) +
                             " ms; stderr:\n" + stderr_text());
}

std::string ServerProcess::client_host() const {
    if (host_ == "::") {
        return "::1";
    }
    if (host_ == "0.0.0.0") {
        return "127.0.0.1";
    }
    return host_;
}

std::string ServerProcess::command_line() const {
    std::string line;
    for (const std::string& arg : argv_) {
        line.append(line.empty() ? "" : " ").append(arg);
    }
    return line;
}

bool ServerProcess::running() {
    if (!status_.exited) {
        wait_exit(0ms);
    }
    return !status_.exited;
}

void ServerProcess::send_signal(int sig) {
    if (!status_.exited) {
        ::kill(pid_, sig);
    }
}

ExitStatus ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!status_.exited) {
        int raw = 0;
        pid_t got = ::waitpid(pid_, &raw, WNOHANG);
        if (got == pid_) {
            status_.exited = true;
            status_.code = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
            status_.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
            break;
        }
        if (got < 0 && errno != EINTR) {
            break;
        }
        if (Clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(kPollInterval / 2);
    }
    return status_;
}

ExitStatus ServerProcess::stop(std::chrono::milliseconds bound) {
    send_signal(SIGTERM);
    wait_exit(bound);
    if (!status_.exited) {
        ::kill(-pid_, SIGKILL);
        ExitStatus forced = wait_exit(5s);
        forced.signal = forced.exited ? SIGKILL : 0;
        forced.code = -1;
        return forced;
    }
    return status_;
}

std::string ServerProcess::stdout_text() const {
    return read_file(stdout_path_);
}

std::string ServerProcess::stderr_text() const {
    return read_file(stderr_path_);
}

// Generous: an interpreter may take seconds to start on a loaded machine,
// and the bound only matters when the server is broken anyway.
std::chrono::milliseconds ServerProcess::ready_timeout() {
    return 10s;
}

bool parse_ready_line(const std::string& text, std::string& host,
                      std::uint16_t& port) {
    constexpr std::string_view kPrefix = "listening on ";
    auto start = text.find(kPrefix);
    if (start == std::string::npos) {
        return false;
    }
    auto end = text.find('\n', start);
    if (end == std::string::npos) {
        return false;
    }
    std::string address =
        text.substr(start + kPrefix.size(), end - start - kPrefix.size());
    auto colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 == address.size()) {
        return false;
    }
    std::string name = address.substr(0, colon);
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
        name = name.substr(1, name.size() - 2);
    }
    char* rest = nullptr;
    unsigned long number = std::strtoul(address.c_str() + colon + 1, &rest, 10);
    if (*rest != '\0' || number == 0 || number > 65535) {
        return false;
    }
    host = name;
    port = static_cast<std::uint16_t>(number);
    return true;
}

std::uint16_t pick_free_port() {
    // "::" is dual-stack in the core, so the port was free in both families.
    Fd probe = listen_tcp("::", 0, 1);
    return port_of(local_address(probe));
}

}  // namespace echolab::support
