// bench/loadgen/describe.hpp: the sentences a report uses for what went
// wrong on one connection. Called only when something did go wrong, so
// building a string here costs nothing on the way of a message.
#pragma once

#include "core/fd.hpp"

#include "bench/loadgen/clock.hpp"

#include <cstdint>
#include <string>

namespace echolab::loadgen {

// "connection 7 (127.0.0.1:40312)": its number in the run and, while the
// socket is open, its local address.
std::string describe_connection(std::uint64_t number, const Fd& sock);

// "recv: Connection reset by peer"
std::string call_failed_text(const char* call, int err);

// "echoed byte 4160 (message 65, byte 0 of 64) is 0x3a, sent 0x9f"
std::string mismatch_text(std::uint64_t offset, std::uint64_t size,
                          char expected, char got);

// "3 bytes more came back than the 128 sent"
std::string extra_bytes_text(std::uint64_t extra, std::uint64_t sent);

// "the server closed the connection after echoing 64 of 128 bytes"
std::string closed_early_text(std::uint64_t received, std::uint64_t sent);

// "<who> stalled: no progress for 3.0 s while waiting for <what>"
std::string stall_text(const std::string& who, Nanos idle,
                       const std::string& what);

// "the echo of message 12 (2048 of 4096 bytes back)"
std::string echo_wait_text(std::uint64_t message, std::uint64_t got,
                           std::uint64_t size);

// "the socket to take more (2048 of 4096 bytes sent)"
std::string send_wait_text(std::uint64_t sent, std::uint64_t total);

}  // namespace echolab::loadgen
