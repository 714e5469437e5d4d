// What each signal means (docs/signals.md), the same for every variant:
// SIGHUP stops like SIGTERM; SIGUSR1, SIGUSR2 and SIGALRM change nothing;
// SIGQUIT keeps its default (exit with a core dump); and whatever kills
// the server, no child process of it goes on serving (issue 12, item 7).
#include "core/error.hpp"

#include "support/proc_stats.hpp"
#include "tests/fault/server_faults.hpp"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/resource.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// Gone, or a zombie nobody has reaped yet: either way it serves no one.
bool dead(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
        return true;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    stat >> pid_field >> comm >> state;
    return !stat || state == "Z" || state == "X";
}

TEST_P(ServerFaults, SighupStopsLikeSigterm) {
    expect_stop_closes_listener_then_serves(SIGHUP, "SIGHUP");
}

TEST_P(ServerFaults, UserSignalsAndAlarmChangeNothing) {
    ServerProcess& srv = start();
    TestClient open = served_client(srv);
    for (int sig : {SIGUSR1, SIGUSR2, SIGALRM}) {
        srv.send_signal(sig);
        std::this_thread::sleep_for(100ms);
        ASSERT_TRUE(srv.running())
            << "after signal " << sig << ": " << srv.wait_exit(0ms).describe();
        EXPECT_EQ(open.round_trip("still", 2s), "still") << "signal " << sig;
    }
    open.close();
    EXPECT_TRUE(serves_fresh_client(srv));
    srv.send_signal(SIGTERM);
    ExitStatus status = srv.wait_exit(3s);
    EXPECT_TRUE(status.clean(0)) << status.describe();
}

// A server that dies at once (SIGQUIT's default, or SIGKILL) takes every
// child with it: none is left serving its client outside any limit.
TEST_P(ServerFaults, NoChildOutlivesTheServer) {
    for (int sig : {SIGQUIT, SIGKILL}) {
        ServerProcess& srv = start();
        rlimit no_core{0, 0};  // the disposition is tested, not the dump
        ASSERT_EQ(::prlimit(srv.pid(), RLIMIT_CORE, &no_core, nullptr), 0);
        std::vector<TestClient> clients;
        clients.push_back(served_client(srv));
        if (!one_at_a_time()) {
            clients.push_back(served_client(srv));
        }
        std::vector<pid_t> children;
        for (const ChildProcess& child : children_of(srv.pid())) {
            children.push_back(child.pid);
        }
        srv.send_signal(sig);
        ExitStatus status = srv.wait_exit(2s);
        EXPECT_TRUE(status.exited && status.signal == sig)
            << "signal " << sig << ": " << status.describe();
        for (pid_t child : children) {
            EXPECT_TRUE(eventually([&] { return dead(child); }, 2s))
                << "child " << child << " outlived the server (signal " << sig
                << ")";
        }
        for (TestClient& client : clients) {
            Received end = client.read_to_eof(2s);
            EXPECT_TRUE(end.end == StreamEnd::eof ||
                        end.end == StreamEnd::reset)
                << "signal " << sig << ": a client of the dead server "
                << end.describe();
        }
    }
}

}  // namespace
}  // namespace echolab::test
