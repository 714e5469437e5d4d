#include "tests/support/server_test.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <string_view>
#include <thread>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

// What sanitizers and _FORTIFY_SOURCE print (H4 in the reliability notes).
constexpr std::array<std::string_view, 4> kSanitizerMarks = {
    "Sanitizer", "runtime error:", "bit out of range",
    "buffer overflow detected"};

constexpr auto kStopBound = 10s;
constexpr std::size_t kStderrShown = 4000;

std::string tail(const std::string& text, std::size_t n) {
    return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

void PrintTo(const ServerUnderTest& server, std::ostream* out) {
    *out << server.name;
}

void PrintTo(StreamEnd end, std::ostream* out) {
    *out << to_string(end);
}

std::string param_label(const ::testing::TestParamInfo<ServerUnderTest>& p) {
    return param_name(p.param);
}

ServerProcess& ServerTest::start(const std::vector<std::string>& flags) {
    Launch launch;
    launch.flags = flags;
    return start(launch);
}

ServerProcess& ServerTest::start(const Launch& launch) {
    servers_.push_back(std::make_unique<ServerProcess>(server(), launch));
    return *servers_.back();
}

std::vector<std::string> ServerTest::max_conns(int n) const {
    if (one_at_a_time()) {
        return {};
    }
    int limit = server().conn_limit;
    return {"--max-conns", std::to_string(limit > 0 ? std::min(n, limit) : n)};
}

void ServerTest::SetUp() {
    std::string missing = missing_feature(server());
    if (!missing.empty()) {
        GTEST_SKIP() << missing;
    }
}

void ServerTest::TearDown() {
    for (auto& process : servers_) {
        if (process->running()) {
            process->stop(kStopBound);
        }
        std::string err = process->stderr_text();
        for (std::string_view mark : kSanitizerMarks) {
            EXPECT_EQ(err.find(mark), std::string::npos)
                << process->command_line() << " reported '" << mark
                << "' on stderr:\n"
                << tail(err, kStderrShown);
        }
        if (HasFailure() && !err.empty()) {
            std::cerr << "--- stderr of " << process->command_line() << " ---\n"
                      << tail(err, kStderrShown) << "\n";
        }
    }
    servers_.clear();
}

bool eventually(const std::function<bool()>& pred, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
}

::testing::AssertionResult serves_fresh_client(const ServerProcess& server,
                                               std::size_t size,
                                               Millis timeout) {
    std::string problem =
        echo_problem(server.client_host(), server.port(), size, timeout);
    if (problem.empty()) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "a fresh client's " << size << "-byte echo failed: " << problem;
}

::testing::AssertionResult closes_after_half_close(TestClient& client,
                                                   Millis timeout) {
    client.half_close();
    std::string problem = half_close_problem("", client.read_to_eof(timeout));
    if (problem.empty()) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << problem;
}

TestClient served_client(const ServerProcess& server) {
    TestClient client(server.client_host(), server.port());
    EXPECT_TRUE(client.connected()) << error_text(client.connect_error());
    EXPECT_EQ(client.round_trip("x", 2s), "x")
        << "a new client's 1-byte echo did not come back within 2 s";
    return client;
}

Holdings settled_holdings(const ServerProcess& server) {
    eventually([&] { return children_of(server.pid()).empty(); }, 2s);
    std::this_thread::sleep_for(200ms);
    return holdings(server.pid());
}

::testing::AssertionResult returns_to(const ServerProcess& server,
                                      const Holdings& before, Millis timeout) {
    Holdings now;
    if (eventually([&] { return (now = holdings(server.pid())) == before; },
                   timeout)) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "holdings did not return within " << timeout.count()
           << " ms: before " << before.describe() << "; now " << now.describe();
}

}  // namespace echolab::test
