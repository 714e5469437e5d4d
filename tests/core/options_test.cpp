#include "core/options.hpp"

#include <string>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using echolab::ServerOptions;

std::optional<int> run(CLI::App& app, std::vector<std::string> args);

// Runs parse_command_line over the given arguments (after argv[0]).
std::optional<int> parse(ServerOptions& opts, std::vector<std::string> args) {
    CLI::App app{"test"};
    echolab::add_common_flags(app, opts);
    return run(app, args);
}

std::optional<int> run(CLI::App& app, std::vector<std::string> args) {
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

// Exit 2, and the one-line message names the flag.
void expect_usage_error(CLI::App& app, const std::vector<std::string>& args) {
    testing::internal::CaptureStderr();
    EXPECT_EQ(run(app, args), 2) << args[0] << " '" << args[1] << "'";
    std::string message = testing::internal::GetCapturedStderr();
    EXPECT_NE(message.find(args[0]), std::string::npos) << message;
    EXPECT_EQ(message.rfind("error: ", 0), 0u) << message;
}

TEST(ParseCommandLine, NumbersAreDecimalOnly) {
    const std::vector<std::vector<std::string>> bad = {
        {"--port", "0x1f90"},
        {"--port", " 0"},
        {"--port", "1e3"},
        {"--port", "+5"},
        {"--port", ""},
        {"--backlog", "0x10"},
        {"--max-conns", "010 "},
        {"--idle-timeout", "1e1"},
        {"--idle-timeout", "inf"},
        {"--grace", "0x1p1"},
        {"--grace", "-0"},
    };
    for (const auto& args : bad) {
        ServerOptions opts;
        CLI::App app{"test"};
        echolab::add_common_flags(app, opts);
        expect_usage_error(app, args);
    }
}

TEST(ParseCommandLine, VariantNumberFlagsAreDecimalToo) {
    int threads = 4;
    std::size_t buffer = 1024;
    CLI::App app{"test"};
    echolab::add_number_flag(app, "--threads", threads, "Threads", 1, 64);
    app.add_option("--buffer", buffer, "declared without the helper");
    expect_usage_error(app, {"--threads", "0x10"});
    expect_usage_error(app, {"--buffer", " 4096"});
    expect_usage_error(app, {"--threads", "65"});
    EXPECT_EQ(run(app, {"--threads", "16", "--buffer", "4096"}), std::nullopt);
    EXPECT_EQ(threads, 16);
    EXPECT_EQ(buffer, 4096u);
}

// 0.0004 s would round to 0 ms, which means "never": refused, not rounded.
TEST(ParseCommandLine, TimeoutsBelowAMillisecondAreUsageErrors) {
    for (const char* flag : {"--idle-timeout", "--grace"}) {
        ServerOptions opts;
        CLI::App app{"test"};
        echolab::add_common_flags(app, opts);
        expect_usage_error(app, {flag, "0.0004"});
    }
    ServerOptions opts;
    EXPECT_EQ(parse(opts, {"--idle-timeout", "0.001", "--grace", "0"}),
              std::nullopt);
    EXPECT_EQ(opts.idle_timeout().count(), 1);
    EXPECT_EQ(opts.grace().count(), 0);
    EXPECT_EQ(parse(opts, {"--idle-timeout", "0.0016"}), std::nullopt);
    EXPECT_EQ(opts.idle_timeout().count(), 2);  // rounded, not truncated
}

// Started with 0, 1 and 2 closed, the server's first descriptors must not
// become its stdio. Checked in a child, which may close its own.
TEST(ParseCommandLine, ClosedStandardDescriptorsGetDevNull) {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(0);
        ::close(1);
        ::close(2);
        ServerOptions opts;
        if (parse(opts, {}) != std::nullopt) {
            ::_exit(1);
        }
        struct stat null_dev {};
        ::stat("/dev/null", &null_dev);
        for (int fd = 0; fd <= 2; ++fd) {
            struct stat st {};
            if (::fstat(fd, &st) != 0 || st.st_rdev != null_dev.st_rdev) {
                ::_exit(10 + fd);
            }
        }
        int next = ::open("/dev/null", O_RDONLY);  // the next one is >= 3
        ::_exit(next >= 3 ? 0 : 20);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10+N: descriptor N not /dev/null";
}

}  // namespace

namespace echolab {
namespace {

// A pool of one task per CPU sizes itself from the CPUs it may run on:
// restricted to one CPU (as under taskset -c N), that is 1.
TEST(UsableCpus, CountsTheAffinityMaskNotTheMachine) {
    cpu_set_t all;
    CPU_ZERO(&all);
    ASSERT_EQ(::sched_getaffinity(0, sizeof all, &all), 0);
    EXPECT_EQ(usable_cpus(), CPU_COUNT(&all));
    std::size_t first = 0;
    while (!CPU_ISSET(first, &all)) {
        ++first;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
    int pinned = usable_cpus();
    ASSERT_EQ(::sched_setaffinity(0, sizeof all, &all), 0);
    EXPECT_EQ(pinned, 1);
}

}  // namespace
}  // namespace echolab
