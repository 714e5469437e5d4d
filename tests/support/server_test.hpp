// tests/support/server_test.hpp: the GoogleTest side of the support
// library: a fixture base for suites parameterised over every server
// under test, and assertions built on the raw client.
#pragma once

#include "support/payload.hpp"
#include "support/proc_stats.hpp"
#include "support/server_process.hpp"
#include "support/server_registry.hpp"
#include "support/test_client.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace echolab::test {

// The suites use the support library's names as their own.
using namespace echolab::support;

// So that GoogleTest prints a parameter as its name, not as bytes.
void PrintTo(const ServerUnderTest& server, std::ostream* out);
void PrintTo(StreamEnd end, std::ostream* out);

// The parameter name in test names: ".../epoll_loop".
std::string param_label(const ::testing::TestParamInfo<ServerUnderTest>& p);

// Starts servers for one test and stops them after it. After each test it
// fails if a server's stderr holds a sanitizer report, and on failure it
// prints what the servers wrote to stderr.
class ServerTest : public ::testing::TestWithParam<ServerUnderTest> {
protected:
    const ServerUnderTest& server() const { return GetParam(); }
    bool one_at_a_time() const {
        return server().model == Model::one_at_a_time;
    }

    // Starts the server under test with --port 0 and flags, and waits for
    // its ready line; throws (failing the test) if it does not come.
    ServerProcess& start(const std::vector<std::string>& flags = {});
    ServerProcess& start(const Launch& launch);

    // {"--max-conns", n} (n capped at the variant's CONN_LIMIT), or
    // nothing for a model that serves only one.
    std::vector<std::string> max_conns(int n) const;

    // Skips the test, with the reason, where the kernel lacks a feature
    // the variant needs (NEEDS io_uring). Fixtures that override SetUp
    // call this first.
    void SetUp() override;
    void TearDown() override;

private:
    std::vector<std::unique_ptr<ServerProcess>> servers_;
};

// Polls pred every 20 ms until it holds or timeout passes.
bool eventually(const std::function<bool()>& pred, Millis timeout);

// A fresh client gets a byte-exact echo of size bytes, then EOF.
::testing::AssertionResult serves_fresh_client(const ServerProcess& server,
                                               std::size_t size = 1024,
                                               Millis timeout = Millis{3000});

// The client half-closes and gets EOF within timeout, with no more bytes.
::testing::AssertionResult closes_after_half_close(TestClient& client,
                                                   Millis timeout = Millis{
                                                       2000});

// Connects a client and checks with a one-byte round trip that the server
// is serving it, not merely that the kernel queued the connection.
TestClient served_client(const ServerProcess& server);

// The server's holdings once it has had a moment to close, join and reap
// after its last client: the baseline for returns_to().
Holdings settled_holdings(const ServerProcess& server);

// The server's holdings come back to `before` within timeout (it may still
// be closing, joining or reaping when the last client has its EOF).
::testing::AssertionResult returns_to(const ServerProcess& server,
                                      const Holdings& before,
                                      Millis timeout = Millis{2000});

}  // namespace echolab::test
