#include "core/error.hpp"

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

namespace {

using echolab::AcceptResult;
using echolab::classify_accept_error;

// docs/contract.md fixes the message format; std::system_error's what() format
// is implementation-defined, so pin what libstdc++ gives.
TEST(SetupError, WhatNamesCallAddressAndReason) {
    echolab::SetupError error(EADDRINUSE, "bind 127.0.0.1:7007");
    EXPECT_STREQ(error.what(), "bind 127.0.0.1:7007: Address already in use");
    EXPECT_EQ(error.code().value(), EADDRINUSE);
}

TEST(ClassifyAcceptError, TransientErrorsAreRetried) {
    for (int err : {EINTR, EAGAIN, ECONNABORTED, EPROTO, EPERM}) {
        EXPECT_EQ(classify_accept_error(err), AcceptResult::retry) << err;
    }
}

TEST(ClassifyAcceptError, ExhaustionIsNotFatal) {
    for (int err : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) {
        EXPECT_EQ(classify_accept_error(err), AcceptResult::out_of_resources)
            << err;
    }
}

TEST(ClassifyAcceptError, BrokenListenerIsFatal) {
    for (int err : {EBADF, EINVAL, ENOTSOCK, EOPNOTSUPP, EFAULT}) {
        EXPECT_EQ(classify_accept_error(err), AcceptResult::fatal) << err;
    }
}

TEST(ErrorText, IsStrerror) {
    EXPECT_EQ(echolab::error_text(ECONNRESET), "Connection reset by peer");
}

}  // namespace
