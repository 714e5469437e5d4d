#include "core/signals.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>

namespace {

using namespace echolab;
using namespace std::chrono_literals;

bool readable(int fd) {
    pollfd pfd{fd, POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 1;
}

// One test: the stop request is process-wide and cannot be taken back.
TEST(StopSignal, SigtermRequestsAStopThatStaysVisible) {
    StopSignal& stop = StopSignal::install();
    EXPECT_EQ(&stop, &StopSignal::install());
    EXPECT_FALSE(stop.requested());
    EXPECT_FALSE(readable(stop.fd()));
    EXPECT_EQ(stop.wait(-1, 10ms), Wake::timeout);

    // SIGPIPE is ignored, not fatal.
    ASSERT_EQ(::raise(SIGPIPE), 0);

    auto before = std::chrono::steady_clock::now();
    ASSERT_EQ(::raise(SIGTERM), 0);
    EXPECT_TRUE(stop.requested());
    EXPECT_GE(stop.requested_at(), before);
    EXPECT_LE(stop.requested_at(), std::chrono::steady_clock::now());
    // Readable for every watcher, as often as asked.
    EXPECT_TRUE(readable(stop.fd()));
    EXPECT_TRUE(readable(stop.fd()));
    EXPECT_EQ(stop.wait(-1, -1ms), Wake::stop);

    // A second signal changes nothing (the first request time stays).
    auto first = stop.requested_at();
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_EQ(stop.requested_at(), first);

    stop.reset_after_fork();
    EXPECT_FALSE(stop.requested());
    EXPECT_FALSE(readable(stop.fd()));
}

}  // namespace
