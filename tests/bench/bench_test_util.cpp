#include "tests/bench/bench_test_util.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kCommandLimit = 60s;

std::string temp_file() {
    const char* dir = std::getenv("TMPDIR");
    std::string path = dir != nullptr && *dir != '\0' ? dir : "/tmp";
    path.append("/echoload-test-XXXXXX");
    int fd = ::mkstemp(path.data());
    if (fd < 0) {
        throw std::runtime_error("mkstemp " + path);
    }
    ::close(fd);
    return path;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    ::unlink(path.c_str());
    return text.str();
}

[[noreturn]] void exec_with_output(const std::vector<std::string>& argv,
                                   const std::string& out,
                                   const std::string& err) {
    int o = ::open(out.c_str(), O_WRONLY | O_TRUNC);
    int e = ::open(err.c_str(), O_WRONLY | O_TRUNC);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) {
        ::_exit(127);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
}

int wait_bounded(pid_t pid) {
    auto deadline = std::chrono::steady_clock::now() + kCommandLimit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(5ms);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string bin_path(const std::string& name) {
    return std::string(ECHOLAB_BIN_DIR) + "/" + name;
}

std::unique_ptr<ServerProcess> start_server(
    const std::string& name, const std::vector<std::string>& flags) {
    ServerUnderTest server;
    server.name = name;
    server.binary = bin_path(name);
    Launch launch;
    launch.flags = flags;
    return std::make_unique<ServerProcess>(server, launch);
}

loadgen::RunConfig config_for(const ServerProcess& server) {
    loadgen::RunConfig config;
    config.host = server.client_host();
    config.port = server.port();
    config.warmup_s = 0;
    config.duration_s = 30;
    config.stall_timeout_s = 10;
    return config;
}

CommandResult run_echoload(const std::vector<std::string>& args) {
    std::vector<std::string> argv{bin_path("echoload")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out = temp_file();
    std::string err = temp_file();
    pid_t pid = ::fork();
    if (pid == 0) {
        exec_with_output(argv, out, err);
    }
    CommandResult result;
    if (pid > 0) {
        result.status = wait_bounded(pid);
    }
    result.out = slurp(out);
    result.err = slurp(err);
    return result;
}

}  // namespace echolab::test
