#include "core/address.hpp"

#include "core/error.hpp"

#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace {

using echolab::SocketAddress;

SocketAddress v4(const char* text, std::uint16_t port) {
    SocketAddress addr;
    auto* sin = reinterpret_cast<sockaddr_in*>(addr.get());
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    ::inet_pton(AF_INET, text, &sin->sin_addr);
    addr.length = sizeof(sockaddr_in);
    return addr;
}

SocketAddress v6(const char* text, std::uint16_t port) {
    SocketAddress addr;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(addr.get());
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, text, &sin6->sin6_addr);
    addr.length = sizeof(sockaddr_in6);
    return addr;
}

TEST(ToString, FormatsIpv4AsAddressColonPort) {
    EXPECT_EQ(echolab::to_string(v4("127.0.0.1", 7007)), "127.0.0.1:7007");
}

TEST(ToString, BracketsIpv6) {
    EXPECT_EQ(echolab::to_string(v6("::1", 40123)), "[::1]:40123");
    EXPECT_EQ(echolab::to_string(v6("::ffff:127.0.0.1", 80)),
              "[::ffff:127.0.0.1]:80");
}

TEST(ToString, UnknownFamilyIsQuestionMark) {
    EXPECT_EQ(echolab::to_string(SocketAddress{}), "?");
}

TEST(HostPort, BracketsOnlyIpv6Hosts) {
    EXPECT_EQ(echolab::host_port("localhost", 7), "localhost:7");
    EXPECT_EQ(echolab::host_port("::", 7007), "[::]:7007");
}

TEST(PortOf, ReadsBothFamilies) {
    EXPECT_EQ(echolab::port_of(v4("10.0.0.1", 65535)), 65535);
    EXPECT_EQ(echolab::port_of(v6("::", 1)), 1);
}

TEST(Resolve, NumericHostsNeedNoResolver) {
    auto list = echolab::resolve("127.0.0.1", 9, false);
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->ai_family, AF_INET);
    auto six = echolab::resolve("::1", 9, false);
    ASSERT_NE(six, nullptr);
    EXPECT_EQ(six->ai_family, AF_INET6);
}

TEST(Resolve, UnknownNameThrowsNamingTheAddress) {
    try {
        (void)echolab::resolve("no-such-host.invalid", 7007, false);
        FAIL() << "resolved an invalid name";
    } catch (const std::system_error& error) {
        std::string what = error.what();
        EXPECT_EQ(what.rfind("getaddrinfo no-such-host.invalid:7007: ", 0), 0u)
            << what;
    }
}

}  // namespace
