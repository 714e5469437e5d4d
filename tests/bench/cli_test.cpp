// The echoload command line: exit status 0/1/2, the table, --json, --help.
#include "tests/bench/bench_test_util.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sched.h>

#include <nlohmann/json.hpp>

namespace {

using echolab::test::run_echoload;
using echolab::test::ServerProcess;
using echolab::test::start_server;

std::vector<std::string> target(const ServerProcess& server) {
    return {"--host", server.client_host(), "--port",
            std::to_string(server.port())};
}

std::vector<std::string> with(std::vector<std::string> a,
                              const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(EcholoadCli, HelpListsEveryFlag) {
    auto r = run_echoload({"--help"});
    EXPECT_EQ(r.status, 0);
    for (const char* flag :
         {"--mode", "--connections", "--pipeline", "--size", "--warmup",
          "--duration", "--messages", "--rate", "--host", "--port", "--threads",
          "--cpu", "--stall-timeout", "--no-source-spread", "--json",
          "--progress"}) {
        EXPECT_TRUE(contains(r.out, flag)) << flag;
    }
}

TEST(EcholoadCli, BadFlagsExitTwoNamingTheFlag) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases =
        {
            {{"--connections", "0"}, "--connections"},
            {{"--size", "many"}, "--size"},
            {{"--threads", "3", "--connections", "2"}, "--threads"},
            {{"--mode", "sideways"}, "--mode"},
            {{"--cpu", "4000"}, "--cpu"},
            {{"--cpu", "0,4000"}, "--cpu"},
            {{"--cpu", "0,x"}, "--cpu"},
            {{"--rate", "-5"}, "--rate"},
            {{"--no-such-flag"}, "--no-such-flag"},
            {{"--json", "/no/such/dir/out.json"}, "--json"},
        };
    for (const auto& [args, flag] : cases) {
        auto r = run_echoload(args);
        EXPECT_EQ(r.status, 2) << flag << ": " << r.err;
        EXPECT_TRUE(contains(r.err, flag)) << r.err;
    }
}

TEST(EcholoadCli, NothingListeningExitsOneWithAClearError) {
    std::string port = std::to_string(echolab::test::pick_free_port());
    auto r = run_echoload({"--port", port});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(contains(
        r.err, "error: connect 127.0.0.1:" + port + ": Connection refused"))
        << r.err;
}

TEST(EcholoadCli, CleanRunExitsZeroWithATable) {
    auto server = start_server("epoll_loop");
    auto r = run_echoload(
        with(target(*server), {"--connections", "2", "--messages", "50"}));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "round trips    100 = ")) << r.out;
    EXPECT_TRUE(contains(r.out,
                         "100 sent, 100 verified, 6,400 bytes out, "
                         "6,400 back"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "client cpu")) << r.out;
    EXPECT_TRUE(contains(r.out, "verdict        ok")) << r.out;
}

// --cpu takes a list: loop thread i runs on the i-th CPU of it.
TEST(EcholoadCli, CpuListPinsOneLoopThreadPerCpu) {
    cpu_set_t mine;
    CPU_ZERO(&mine);
    ASSERT_EQ(::sched_getaffinity(0, sizeof mine, &mine), 0);
    std::vector<int> cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE && cpus.size() < 2; ++cpu) {
        if (CPU_ISSET(static_cast<std::size_t>(cpu), &mine)) {
            cpus.push_back(cpu);
        }
    }
    std::string list = std::to_string(cpus.front());
    for (std::size_t i = 1; i < cpus.size(); ++i) {
        list.append(",").append(std::to_string(cpus[i]));
    }
    auto server = start_server("epoll_loop");
    std::string path = testing::TempDir() + "echoload-cpu-list.json";
    auto r = run_echoload(
        with(target(*server),
             {"--connections", "4", "--threads", std::to_string(cpus.size()),
              "--cpu", list, "--messages", "20", "--json", path}));
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    std::ifstream in(path);
    nlohmann::json j = nlohmann::json::parse(in);
    std::remove(path.c_str());
    EXPECT_EQ(j["parameters"]["cpus"].get<std::vector<int>>(), cpus);
    EXPECT_EQ(j["counts"]["messages_verified"], 80);
}

TEST(EcholoadCli, MismatchExitsOne) {
    for (const char* fault : {"--flip-at", "--drop-at"}) {
        auto server = start_server("fault_echo_server", {fault, "100"});
        auto r = run_echoload(
            with(target(*server), {"--connections", "1", "--messages", "20"}));
        EXPECT_EQ(r.status, 1) << fault;
        EXPECT_TRUE(contains(r.out, "verdict        mismatch: connection 0"))
            << r.out;
    }
}

TEST(EcholoadCli, JsonHoldsEveryField) {
    auto server = start_server("epoll_loop");
    std::string path = testing::TempDir() + "echoload-cli-test.json";
    auto r = run_echoload(
        with(target(*server),
             {"--mode", "connect", "--rate", "200", "--connections", "2",
              "--warmup", "0", "--duration", "0.3", "--json", path}));
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    std::ifstream in(path);
    nlohmann::json j = nlohmann::json::parse(in);
    std::remove(path.c_str());
    for (const char* key :
         {"parameters", "target", "verdict", "detail", "exit_status",
          "window_s", "megabytes_per_s", "counts", "latency_us",
          "service_latency_us", "connect_latency_us", "first_echo_latency_us",
          "fairness", "open_loop", "errors", "cpu", "machine"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["verdict"], "ok");
    EXPECT_EQ(j["parameters"]["mode"], "connect");
    EXPECT_EQ(j["counts"]["messages_sent"], j["counts"]["messages_verified"]);
    for (const char* q : {"p50", "p90", "p99", "p99.9", "p99.99", "max"}) {
        EXPECT_TRUE(j["first_echo_latency_us"].contains(q)) << q;
    }
    for (const char* kind :
         {"refused", "reset", "timeout", "mismatch", "closed", "other"}) {
        EXPECT_EQ(j["errors"][kind]["count"], 0) << kind;
    }
    EXPECT_TRUE(j["cpu"]["window"].contains("system_s"));
    EXPECT_FALSE(j["machine"]["kernel"].get<std::string>().empty());
}

}  // namespace
