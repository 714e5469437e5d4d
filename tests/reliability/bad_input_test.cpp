// Bad input on the command line and at start-up, for every flag of every
// variant: out-of-range, negative, non-numeric, empty, NaN and infinite
// values, unknown flags, and setup failures (a name that does not resolve,
// an address not on this machine, a busy port, a privileged port as
// nobody, a listener past FD_SETSIZE). Each must exit 2 (usage) or 1
// (setup) with one "error:" line naming the flag or the call, never start
// serving, never crash. The only other line allowed is the --help hint.
#include "core/address.hpp"
#include "core/listen.hpp"

#include "tests/reliability/reliability.hpp"
#include "tests/support/server_test.hpp"

#include <regex>
#include <sstream>
#include <string>

#include <sys/select.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

struct BadCase {
    std::vector<std::string> flags;  // after --port <port>
    int status;                      // 2: usage, 1: setup
    std::string names;               // the error line must contain it
    std::string port = "0";
};

std::vector<BadCase> common_cases() {
    std::vector<BadCase> cases = {
        {{}, 2, "--port", "70000"},
        {{}, 2, "--port", "-1"},
        {{}, 2, "--port", "abc"},
        {{}, 2, "--port", "1.5"},
        // Decimal only: CLI11 alone reads these as 8080, 0, 1000 and 5.
        {{}, 2, "--port", "0x1f90"},
        {{}, 2, "--port", " 0"},
        {{}, 2, "--port", "1e3"},
        {{}, 2, "--port", "+5"},
        // An empty value must not quietly mean "any port" (issue 5).
        {{}, 2, "--port", ""},
        {{"--port"}, 2, "--port"},
        // An empty host must not quietly mean "every interface".
        {{"--host", ""}, 2, "--host"},
        {{"--bogus"}, 2, "--bogus"},
        {{"stray"}, 2, "stray"},
        {{"--verbose=maybe"}, 2, "--verbose"},
        {{"--host", "no.such.host.invalid"}, 1, "getaddrinfo"},
        {{"--host", "999.1.1.1"}, 1, "getaddrinfo"},
        // TEST-NET-1: valid, but not an address of this machine.
        {{"--host", "192.0.2.1"}, 1, "bind 192.0.2.1:"},
    };
    for (const char* flag : {"--backlog", "--max-conns"}) {
        for (const char* value : {"0", "-5", "x", "99999999999", ""}) {
            cases.push_back({{flag, value}, 2, flag});
        }
    }
    for (const char* flag : {"--idle-timeout", "--grace"}) {
        // 0.0004 would round to 0 ms, "never" (issue 12).
        for (const char* value :
             {"-1", "nan", "inf", "x", "1e400", "", "0.0004", "1e1", "0x10"}) {
            cases.push_back({{flag, value}, 2, flag});
        }
    }
    return cases;
}

// The flags a variant's traits give it (docs/contract.md: the event loops size
// their buffers; a pool has its size flag, a pool of threads its queue).
std::vector<BadCase> variant_cases(const ServerUnderTest& server) {
    std::vector<BadCase> cases;
    if (server.model == Model::event_loop) {
        for (const char* value : {"0", "-1", "x", "999999999999", ""}) {
            cases.push_back({{"--buffer", value}, 2, "--buffer"});
        }
    }
    const std::string& pool = server.pool_flag;
    if (!pool.empty()) {
        for (const char* value : {"0", "x", ""}) {
            cases.push_back({{pool, value}, 2, pool});
        }
    }
    if (server.model == Model::worker_pool && server.unit == "thread") {
        cases.push_back({{pool, "5000"}, 2, pool});
        for (const char* value : {"-1", "70000", "x"}) {
            cases.push_back({{"--queue", value}, 2, "--queue"});
        }
    }
    if (server.conn_limit > 0) {
        std::string above = std::to_string(server.conn_limit + 1);
        cases.push_back({{"--max-conns", above}, 2, "--max-conns"});
    }
    return cases;
}

std::string describe(const BadCase& c) {
    std::string out = "--port '" + c.port + "'";
    for (const std::string& flag : c.flags) {
        out.append(" '").append(flag).append("'");
    }
    return out;
}

class BadInput : public ServerTest {
protected:
    // Runs the server with bad input and checks how it failed.
    void expect_refusal(const ServerUnderTest& how, const BadCase& c) {
        SCOPED_TRACE(describe(c));
        Launch launch;
        launch.port = c.port;
        launch.flags = c.flags;
        launch.wait_ready = false;
        ServerProcess srv(how, launch);
        // Wait for the exit, but not long once it has started serving.
        ExitStatus status;
        for (int i = 0; i < 100 && !status.exited; ++i) {
            status = srv.wait_exit(50ms);
            if (srv.stdout_text().find("listening on") != std::string::npos) {
                status = srv.wait_exit(50ms);
                break;
            }
        }
        std::string out = srv.stdout_text();
        std::string err = srv.stderr_text();
        EXPECT_TRUE(status.clean(c.status))
            << status.describe() << "; stdout: " << out << "stderr: " << err;
        EXPECT_EQ(out, "") << "it must not start listening";
        int error_lines = 0;
        std::istringstream lines(err);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("error: ", 0) == 0) {
                ++error_lines;
                EXPECT_NE(line.find(c.names), std::string::npos) << line;
            } else {
                EXPECT_NE(line.find("--help"), std::string::npos)
                    << "unexpected line: " << line;
            }
        }
        EXPECT_EQ(error_lines, 1) << err;
    }
};

TEST_P(BadInput, EveryBadValueExitsWithOneClearLine) {
    for (const BadCase& c : common_cases()) {
        expect_refusal(server(), c);
    }
    for (const BadCase& c : variant_cases(server())) {
        expect_refusal(server(), c);
    }
}

// Every numeric flag that --help lists (CLI11 types INT, UINT, FLOAT),
// the variant's own included, takes decimal text only (issue 12).
TEST_P(BadInput, EveryNumericFlagIsDecimalOnly) {
    Launch launch;
    launch.flags = {"--help"};
    launch.wait_ready = false;
    ServerProcess help(server(), launch);
    ASSERT_TRUE(help.wait_exit(5s).clean(0));
    std::string text = help.stdout_text();
    std::regex numeric(R"((--[a-z-]+) (INT|UINT|FLOAT))");
    int flags = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), numeric), end;
         it != end; ++it, ++flags) {
        std::string flag = (*it)[1];
        for (const char* value : {"0x10", " 1", "1e3", "+1"}) {
            expect_refusal(server(), flag == "--port"
                                         ? BadCase{{}, 2, flag, value}
                                         : BadCase{{flag, value}, 2, flag});
        }
    }
    EXPECT_GE(flags, 5) << "numeric flags in --help:\n" << text;
    // A variant that narrows a common flag's range replaces it: --help
    // shows the one range the server enforces.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        auto first = line.find(" in [");
        EXPECT_TRUE(first == std::string::npos ||
                    line.find(" in [", first + 1) == std::string::npos)
            << "two ranges: " << line;
    }
}

TEST_P(BadInput, BusyPortIsASetupError) {
    Fd taken = listen_tcp("127.0.0.1", 0, 1);
    std::string port = std::to_string(port_of(local_address(taken)));
    expect_refusal(server(), {{}, 1, "bind 127.0.0.1:" + port, port});
}

// Below net.ipv4.ip_unprivileged_port_start only root may bind.
TEST_P(BadInput, PrivilegedPortAsNobodyIsASetupError) {
    std::string setpriv = find_tool("setpriv");
    if (::geteuid() != 0 || setpriv.empty()) {
        GTEST_SKIP() << "needs root and setpriv to run as nobody";
    }
    std::uint16_t port = 0;
    for (std::uint16_t p = 900; p < 1000 && port == 0; ++p) {
        try {
            Fd probe = listen_tcp("127.0.0.1", p, 1);
            port = p;
        } catch (const std::exception&) {
        }
    }
    ASSERT_NE(port, 0) << "no free port below 1000";
    std::string prefix =
        setpriv + " --reuid=65534 --regid=65534 " + "--clear-groups";
    expect_refusal(wrapped(server(), prefix),
                   {{}, 1, "Permission denied", std::to_string(port)});
}

INSTANTIATE_TEST_SUITE_P(Models, BadInput, ::testing::ValuesIn(all_variants()),
                         param_label);

// A select() server started with 1100 descriptors already open gets a
// listener past FD_SETSIZE, which select() cannot watch: it must say so and
// exit 1, not abort in FD_SET (fortified) or overwrite memory (not fortified).
class SelectStart : public BadInput {};

TEST_P(SelectStart, ListenerPastFdSetSizeIsASetupError) {
    if (std::string why = descriptors_missing(FD_SETSIZE + 200); !why.empty()) {
        GTEST_SKIP() << why;
    }
    std::string prefix =
        "bash -c 'for fd in $(seq 3 " + std::to_string(FD_SETSIZE + 76) +
        "); do eval \"exec $fd</dev/null\"; done; exec \"$@\"' _";
    expect_refusal(wrapped(server(), prefix), {{}, 1, "FD_SETSIZE"});
}

INSTANTIATE_TEST_SUITE_P(Models, SelectStart,
                         ::testing::ValuesIn(variants_where(waits_in_select)),
                         param_label);

}  // namespace
}  // namespace echolab::test
