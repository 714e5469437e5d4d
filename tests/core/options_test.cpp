#include "core/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using echolab::ServerOptions;

// Runs parse_command_line over the given arguments (after argv[0]).
std::optional<int> parse(ServerOptions& opts, std::vector<std::string> args) {
    CLI::App app{"test"};
    echolab::add_common_flags(app, opts);
    args.insert(args.begin(), "server");
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    return echolab::parse_command_line(app, static_cast<int>(argv.size()),
                                       argv.data());
}

TEST(ParseCommandLine, DefaultsFollowTheContract) {
    ServerOptions opts;
    EXPECT_EQ(parse(opts, {}), std::nullopt);
    EXPECT_EQ(opts.host, "127.0.0.1");
    EXPECT_EQ(opts.port, 7007);
    EXPECT_FALSE(opts.verbose);
    EXPECT_GT(opts.idle_timeout().count(), 0);
}

TEST(ParseCommandLine, ReadsEveryCommonFlag) {
    ServerOptions opts;
    EXPECT_EQ(parse(opts, {"--host", "::", "--port", "0", "--backlog", "8",
                           "--max-conns", "3", "--idle-timeout", "1.5",
                           "--grace", "0.25", "--verbose"}),
              std::nullopt);
    EXPECT_EQ(opts.host, "::");
    EXPECT_EQ(opts.port, 0);
    EXPECT_EQ(opts.backlog, 8);
    EXPECT_EQ(opts.max_conns, 3);
    EXPECT_EQ(opts.idle_timeout().count(), 1500);
    EXPECT_EQ(opts.grace().count(), 250);
    EXPECT_TRUE(opts.verbose);
}

TEST(ParseCommandLine, HelpExitsZero) {
    ServerOptions opts;
    testing::internal::CaptureStdout();
    EXPECT_EQ(parse(opts, {"--help"}), 0);
    std::string help = testing::internal::GetCapturedStdout();
    for (const char* flag : {"--host", "--port", "--backlog", "--max-conns",
                             "--idle-timeout", "--grace", "--verbose"}) {
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
    }
}

TEST(ParseCommandLine, UsageErrorsExitTwoNamingTheFlag) {
    const std::vector<std::vector<std::string>> bad = {
        {"--port", "70000"},  {"--port", "-1"},   {"--port", "x"},
        {"--max-conns", "0"}, {"--backlog", "0"}, {"--idle-timeout", "-1"},
        {"--no-such-flag"},   {"--grace", "nan"},
    };
    for (const auto& args : bad) {
        ServerOptions opts;
        testing::internal::CaptureStderr();
        EXPECT_EQ(parse(opts, args), 2) << args[0];
        std::string message = testing::internal::GetCapturedStderr();
        EXPECT_NE(message.find(args[0]), std::string::npos) << message;
        EXPECT_EQ(message.rfind("error: ", 0), 0u) << message;
    }
}

}  // namespace
