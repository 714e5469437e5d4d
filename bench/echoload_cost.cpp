// echoload_cost: what echoload costs compared with the reference client, the
// least a closed-loop echo client can do. Not a test: a benchmark whose
// figures go into docs/echoload.md.
//
// It starts one server pinned to --server-cpu, then for each connection
// count runs reference_client and echoload in turn (the order alternating per
// repetition), each pinned to --client-cpu, with 64-byte messages. Each
// client reports its round trips and its own CPU time over the same
// measurement window; the server's CPU share comes from /proc. Prints a
// Markdown table of the medians and the ratios the issue sets goals for:
// echoload rate / reference rate (goal >= 0.95) and echoload CPU per round
// trip / reference CPU per round trip (goal <= 1.1).
#include "core/error.hpp"
#include "core/fd.hpp"
#include "core/options.hpp"

#include "bench/loadgen/cpu.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace {

using namespace echolab;

struct Options {
    std::string bin_dir = "build/bin";
    std::string server = "epoll_loop";
    std::vector<int> conns{1, 100, 1000};
    int size = 64;
    double warmup_s = 0.5;
    double duration_s = 4.0;
    int reps = 3;
    int server_cpu = 0;
    int client_cpu = 1;
};

struct Sample {
    double rate = 0;         // round trips per second in the window
    double cpu_us = 0;       // client CPU microseconds per round trip
    double server_load = 0;  // server CPU seconds per wall second
};

struct Child {
    pid_t pid = -1;
    Fd out;  // the child's stdout
};

// Starts argv[0] pinned to cpu, its stdout on a pipe.
Child spawn_pinned(const std::vector<std::string>& argv, int cpu) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw SetupError(errno, "pipe2");
    }
    Fd read_end(fds[0]);
    Fd write_end(fds[1]);
    pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const std::string& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));
        }
        args.push_back(nullptr);
        if (loadgen::pin_thread_to_cpu(cpu) ||
            ::dup2(write_end.get(), STDOUT_FILENO) < 0) {
            ::_exit(127);
        }
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    if (pid < 0) {
        throw SetupError(errno, "fork");
    }
    return {pid, std::move(read_end)};
}

std::string read_line(const Fd& fd) {
    std::string line;
    char c;
    while (::read(fd.get(), &c, 1) == 1 && c != '\n') {
        line += c;
    }
    return line;
}

// Runs a client to its end; returns its first output line.
std::string run_client(const std::vector<std::string>& argv, int cpu) {
    Child child = spawn_pinned(argv, cpu);
    std::string line = read_line(child.out);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(argv[0] + " failed: " + line);
    }
    return line;
}

// utime + stime of a process, in seconds (/proc/PID/stat fields 14, 15).
double process_cpu_s(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    std::size_t at = text.rfind(')');
    std::vector<std::string> fields;
    std::string word;
    for (char c : text.substr(at + 2) + " ") {
        if (c == ' ') {
            fields.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    // After ")": state is field 3, so utime (14) and stime (15) are
    // entries 11 and 12 here.
    double ticks = std::stod(fields.at(11)) + std::stod(fields.at(12));
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double field(const std::string& line, const std::string& key) {
    std::size_t at = line.find(key + "=");
    if (at == std::string::npos) {
        throw std::runtime_error("no " + key + " in: " + line);
    }
    return std::stod(line.substr(at + key.size() + 1));
}

Sample run_reference(const Options& o, int port, int conns) {
    std::string line = run_client(
        {o.bin_dir + "/reference_client", "--port", std::to_string(port),
         "--connections", std::to_string(conns), "--size",
         std::to_string(o.size), "--warmup", std::to_string(o.warmup_s),
         "--duration", std::to_string(o.duration_s)},
        o.client_cpu);
    double n = field(line, "messages");
    double cpu = field(line, "cpu_user_s") + field(line, "cpu_system_s");
    return {n / field(line, "window_s"), cpu * 1e6 / n, 0};
}

Sample run_echoload(const Options& o, int port, int conns) {
    std::string json_path = "/tmp/echoload_cost.json";
    (void)run_client(
        {o.bin_dir + "/echoload", "--port", std::to_string(port),
         "--connections", std::to_string(conns), "--size",
         std::to_string(o.size), "--warmup", std::to_string(o.warmup_s),
         "--duration", std::to_string(o.duration_s), "--cpu",
         std::to_string(o.client_cpu), "--json", json_path},
        o.client_cpu);
    std::ifstream in(json_path);
    nlohmann::json j = nlohmann::json::parse(in);
    return {j["counts"]["rate_per_s"].get<double>(),
            j["cpu"]["us_per_op"].get<double>(), 0};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// One timed client run, with the server's CPU share over it.
template <typename Run>
Sample measure(const Run& client, pid_t server) {
    double before = process_cpu_s(server);
    auto start = std::chrono::steady_clock::now();
    Sample s = client();
    std::chrono::duration<double> wall =
        std::chrono::steady_clock::now() - start;
    s.server_load = (process_cpu_s(server) - before) / wall.count();
    return s;
}

void report_row(int conns, const std::vector<Sample>& reference,
                const std::vector<Sample>& load) {
    auto pick = [](const std::vector<Sample>& v, double Sample::*m) {
        std::vector<double> x;
        for (const Sample& s : v) {
            x.push_back(s.*m);
        }
        return median(x);
    };
    double fr = pick(reference, &Sample::rate), lr = pick(load, &Sample::rate);
    double fc = pick(reference, &Sample::cpu_us),
           lc = pick(load, &Sample::cpu_us);
    std::printf(
        "| %d | %.0f | %.0f | %.3f | %.2f | %.2f | %.3f | %.0f %% / "
        "%.0f %% |\n",
        conns, fr, lr, lr / fr, fc, lc, lc / fc,
        pick(reference, &Sample::server_load) * 100,
        pick(load, &Sample::server_load) * 100);
    for (std::size_t i = 0; i < reference.size(); ++i) {
        std::fprintf(stderr,
                     "conns %d rep %zu: reference %.0f/s %.2f us, "
                     "echoload %.0f/s %.2f us\n",
                     conns, i + 1, reference[i].rate, reference[i].cpu_us,
                     load[i].rate, load[i].cpu_us);
    }
}

void run_all(const Options& o) {
    Child server =
        spawn_pinned({o.bin_dir + "/" + o.server, "--port", "0"}, o.server_cpu);
    std::string ready = read_line(server.out);
    int port = std::stoi(ready.substr(ready.rfind(':') + 1));
    std::printf(
        "| connections | reference msg/s | echoload msg/s | rate ratio "
        "| reference CPU-us/msg | echoload CPU-us/msg | CPU ratio | "
        "server CPU (reference / echoload) |\n|---|---|---|---|---|---|"
        "---|---|\n");
    for (int conns : o.conns) {
        std::vector<Sample> reference, load;
        for (int rep = 0; rep < o.reps; ++rep) {
            auto f = [&] { return run_reference(o, port, conns); };
            auto e = [&] { return run_echoload(o, port, conns); };
            if (rep % 2 == 0) {
                reference.push_back(measure(f, server.pid));
                load.push_back(measure(e, server.pid));
            } else {
                load.push_back(measure(e, server.pid));
                reference.push_back(measure(f, server.pid));
            }
        }
        report_row(conns, reference, load);
    }
    ::kill(server.pid, SIGTERM);
    ::waitpid(server.pid, nullptr, 0);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"echoload_cost: echoload against the reference client"};
    app.add_option("--bin-dir", o.bin_dir)->capture_default_str();
    app.add_option("--server", o.server, "Server binary in --bin-dir")
        ->capture_default_str();
    app.add_option("--conns", o.conns)->delimiter(',');
    app.add_option("--size", o.size)->capture_default_str();
    app.add_option("--warmup", o.warmup_s)->capture_default_str();
    app.add_option("--duration", o.duration_s)->capture_default_str();
    app.add_option("--reps", o.reps)->capture_default_str();
    app.add_option("--server-cpu", o.server_cpu)->capture_default_str();
    app.add_option("--client-cpu", o.client_cpu)->capture_default_str();
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        run_all(o);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}
