// Attacks from outside that once stopped a server (issue 12): a server
// paused with SIGSTOP while clients stream; readiness and interest calls
// (epoll_ctl, select, poll) failing under strace; a --verbose stderr pipe
// that nobody reads; descriptors 0, 1 and 2 closed at start. Each runs
// over every registered variant; where a variant never makes the call
// that a fault needs, the test skips and says so.
#include "support/payload.hpp"
#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Attack : public ServerTest {};

// Sends and reads back 64 KiB at a time until `until`; "" or the first
// problem. A reset or a short echo is the failure this looks for.
std::string stream_until(const ServerProcess& srv, Clock::time_point until,
                         std::uint32_t seed) {
    TestClient client(srv.client_host(), srv.port());
    if (!client.connected()) {
        return "connect failed";
    }
    std::uint32_t rounds = 0;
    while (Clock::now() < until) {
        std::string chunk = random_payload(64 * 1024, seed + rounds++);
        // 10 s: the pause is 3 s; a client is never the one that gives up.
        Received got = client.exchange(chunk, 10s, false);
        std::string diff = first_difference(chunk, got.data);
        if (!diff.empty()) {
            return "round " + std::to_string(rounds) + ": " + got.describe() +
                   ", " + diff;
        }
    }
    client.half_close();
    Received rest = client.read_to_eof(5s);
    return rest.end == StreamEnd::eof && rest.data.empty()
               ? ""
               : "at the end: " + rest.describe();
}

// Ctrl-Z and fg, a debugger, a frozen cgroup: the server does not run for
// 3 s, longer than --idle-timeout 2. Its clients were streaming the whole
// time; none may be reset as idle, and every byte comes back.
TEST_P(Attack, StreamingClientsSurviveStopAndCont) {
    ServerProcess& srv = start({"--idle-timeout", "2", "--verbose"});
    int clients = one_at_a_time() ? 1 : 2;
    auto until = Clock::now() + 6s;
    std::vector<std::string> problems(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            problems[static_cast<std::size_t>(i)] =
                stream_until(srv, until, static_cast<std::uint32_t>(i * 1000));
        });
    }
    std::this_thread::sleep_for(1500ms);
    // The whole process group, as a terminal's Ctrl-Z does: with
    // fork_per_conn the children serving the clients stop too.
    ::kill(-srv.pid(), SIGSTOP);
    std::this_thread::sleep_for(3s);
    ::kill(-srv.pid(), SIGCONT);
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (int i = 0; i < clients; ++i) {
        EXPECT_EQ(problems[static_cast<std::size_t>(i)], "") << "client " << i;
    }
    std::string err = srv.stderr_text();
    EXPECT_EQ(err.find("idle timeout"), std::string::npos) << err;
}

// A server that could not write its log would stop in write(2) once the
// 64 KiB pipe is full, after about 790 connections. It must drop lines
// instead, serve on, and still stop within the grace period.
TEST_P(Attack, NeverReadStderrPipeBlocksNothing) {
    char dir_template[] = "/tmp/echolab-fifo-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    std::string fifo = std::string(dir_template) + "/stderr";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Held open and never read: the pipe fills and stays full.
    Fd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(reader);
    Launch launch;
    launch.flags = {"--verbose", "--grace", "1"};
    ServerProcess srv(wrapped(server(), "2>" + fifo), launch);
    int served = 0;
    std::string problem;
    for (; served < 2000 && problem.empty(); ++served) {
        problem = echo_problem(srv.client_host(), srv.port(), 64, 3s);
    }
    EXPECT_EQ(problem, "") << "connection " << served;
    EXPECT_TRUE(srv.running());
    auto asked = Clock::now();
    srv.send_signal(SIGTERM);
    ExitStatus status = srv.wait_exit(5s);
    auto took = Clock::now() - asked;
    EXPECT_TRUE(status.clean(0)) << status.describe();
    EXPECT_LT(took, 2s) << "grace 1 s + 1 s";
    reader.reset();
    ::unlink(fifo.c_str());
    ::rmdir(dir_template);
}

// CPU seconds the server (and its children) used over `span` while idle.
double idle_cpu_share(const ServerProcess& srv, Millis span) {
    double before = tree_cpu_seconds(srv.pid());
    std::this_thread::sleep_for(span);
    double used = tree_cpu_seconds(srv.pid()) - before;
    return used / std::chrono::duration<double>(span).count();
}

// Started with 0, 1 and 2 closed, the stop pipe once took 0 and 1, the
// ready line went into it, and the loop spun on a pipe that stayed
// readable. Now the server gets /dev/null as stdio first.
TEST_P(Attack, AllStdioClosedAtStartDoesNotSpin) {
    ServerUnderTest closed = wrapped(server(), "<&- >&- 2>&-");
    closed.command += " --port {port}";  // no stdout: no ready line
    Launch launch;
    launch.flags = {"--verbose"};
    ServerProcess srv(closed, launch);
    EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1024, 3s), "");
    std::this_thread::sleep_for(200ms);
    double share = idle_cpu_share(srv, 1500ms);
    EXPECT_LT(share, 0.05) << "idle CPU share " << share;
    EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1024, 3s), "");
    EXPECT_TRUE(srv.stop(5s).clean(0));
}

// With only stdin and stderr closed, the ready line still reaches stdout,
// and the first log line must not land in the stop pipe.
TEST_P(Attack, StdinAndStderrClosedStillReadyAndServing) {
    Launch launch;
    launch.flags = {"--verbose"};
    ServerProcess srv(wrapped(server(), "<&- 2>&-"), launch);
    EXPECT_NE(srv.stdout_text().find("listening on"), std::string::npos);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(echo_problem(srv.client_host(), srv.port(), 1024, 3s), "")
            << "client " << i;
    }
    std::this_thread::sleep_for(200ms);
    double share = idle_cpu_share(srv, 1500ms);
    EXPECT_LT(share, 0.05) << "idle CPU share " << share;
    EXPECT_TRUE(srv.running());
    EXPECT_TRUE(srv.stop(5s).clean(0));
}

INSTANTIATE_TEST_SUITE_P(Models, Attack, ::testing::ValuesIn(all_variants()),
                         param_label);

// One readiness or interest call fails once, as when the kernel is out of
// memory or fs.epoll.max_user_watches is reached.
struct WaitFault {
    const char* call;
    const char* error;
    const char* when;  // strace's count of that call, per thread
};

void PrintTo(const WaitFault& fault, std::ostream* out) {
    *out << fault.call << ":" << fault.error;
}

class ReadinessFault
    : public ::testing::TestWithParam<std::tuple<ServerUnderTest, WaitFault>> {
};

// How many calls strace marked "(INJECTED)" in its output file.
int injected_count(const std::string& trace) {
    std::ifstream in(trace);
    int count = 0;
    for (std::string line; std::getline(in, line);) {
        count += line.find("(INJECTED)") != std::string::npos ? 1 : 0;
    }
    return count;
}

// The failing call costs at most the connection it was for: no client
// hangs, the server stays up and serves the next clients, and exits 0.
// epoll_ctl's third call is the first client's (after the listener and
// the stop pipe); a wait's first call is the first wait.
TEST_P(ReadinessFault, OneFailedCallCostsAtMostOneConnection) {
    const auto& [variant, fault] = GetParam();
    std::string strace = find_tool("strace");
    if (strace.empty()) {
        GTEST_SKIP() << "strace not found (apt-get install strace)";
    }
    char trace_template[] = "/tmp/echolab-trace-XXXXXX";
    int trace_fd = ::mkstemp(trace_template);
    ASSERT_GE(trace_fd, 0);
    ::close(trace_fd);
    std::string call = fault.call;
    std::string prefix = "env ASAN_OPTIONS=detect_leaks=0 " + strace +
                         " -f -qq -o " + trace_template + " -e trace=" + call +
                         " -e inject=" + call + ":error=" + fault.error +
                         ":when=" + fault.when;
    std::vector<std::string> problems;
    ExitStatus status;
    bool stayed_up = false;
    {
        ServerProcess srv(wrapped(variant, prefix), Launch{});
        for (int i = 0; i < 4; ++i) {
            problems.push_back(
                echo_problem(srv.client_host(), srv.port(), 1024, 3s));
        }
        stayed_up = srv.running();
        // strace blocks fatal signals when it runs a program with -o, so
        // the server itself gets SIGTERM; strace then exits with its status.
        pid_t server_pid = first_child(srv.pid());
        if (server_pid > 0) {
            ::kill(server_pid, SIGTERM);
        }
        status = srv.wait_exit(15s);
        if (!stayed_up || HasFailure()) {
            std::fprintf(stderr, "--- stderr ---\n%s\n",
                         srv.stderr_text().c_str());
        }
    }
    int injected = injected_count(trace_template);
    ::unlink(trace_template);
    if (injected == 0) {
        GTEST_SKIP() << variant.name << " never made call " << call << " #"
                     << fault.when;
    }
    EXPECT_TRUE(stayed_up) << "the server exited after one failed " << call;
    int failed = 0;
    for (std::size_t i = 0; i < problems.size(); ++i) {
        EXPECT_EQ(problems[i].find("timeout"), std::string::npos)
            << "client " << i << " hung: " << problems[i];
        failed += problems[i].empty() ? 0 : 1;
    }
    // strace counts `when` per thread: in a model with a thread or child
    // per client each may see its own failure, and each may cost its own
    // connection, never more.
    EXPECT_LE(failed, injected) << "failed calls: " << injected;
    if (injected < static_cast<int>(problems.size())) {
        EXPECT_EQ(problems.back(), "") << "the next client must be served";
    }
    EXPECT_TRUE(status.clean(0)) << status.describe();
}

std::string fault_label(
    const ::testing::TestParamInfo<std::tuple<ServerUnderTest, WaitFault>>&
        info) {
    return param_name(std::get<0>(info.param)) + "_" +
           std::get<1>(info.param).call + "_" + std::get<1>(info.param).error;
}

INSTANTIATE_TEST_SUITE_P(
    Models, ReadinessFault,
    ::testing::Combine(::testing::ValuesIn(all_variants()),
                       ::testing::Values(WaitFault{"epoll_ctl", "ENOSPC", "3"},
                                         WaitFault{"epoll_ctl", "ENOMEM", "3"},
                                         WaitFault{"pselect6", "ENOMEM", "1"},
                                         WaitFault{"poll", "ENOMEM", "1"})),
    fault_label);

}  // namespace
}  // namespace echolab::test
