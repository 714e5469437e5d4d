#include "core/fd.hpp"

#include <utility>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

using echolab::Fd;

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

int open_dev_null() {
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

TEST(Fd, DefaultIsEmpty) {
    Fd fd;
    EXPECT_FALSE(fd);
    EXPECT_EQ(fd.get(), -1);
}

TEST(Fd, DestructorClosesOnce) {
    int raw = open_dev_null();
    ASSERT_GE(raw, 0);
    { Fd fd(raw); }
    EXPECT_FALSE(is_open(raw));
}

TEST(Fd, MoveLeavesSourceEmpty) {
    int raw = open_dev_null();
    Fd a(raw);
    Fd b(std::move(a));
    EXPECT_FALSE(a);
    EXPECT_EQ(b.get(), raw);
    EXPECT_TRUE(is_open(raw));
}

TEST(Fd, MoveAssignClosesTheOldDescriptor) {
    int first = open_dev_null();
    int second = open_dev_null();
    Fd a(first);
    a = Fd(second);
    EXPECT_FALSE(is_open(first));
    EXPECT_EQ(a.get(), second);
}

TEST(Fd, ReleaseGivesUpOwnership) {
    int raw = open_dev_null();
    {
        Fd fd(raw);
        EXPECT_EQ(fd.release(), raw);
        EXPECT_FALSE(fd);
    }
    EXPECT_TRUE(is_open(raw));
    Fd cleanup(raw);
}

TEST(Fd, ResetClosesNow) {
    int raw = open_dev_null();
    Fd fd(raw);
    fd.reset();
    EXPECT_FALSE(fd);
    EXPECT_FALSE(is_open(raw));
}

}  // namespace
