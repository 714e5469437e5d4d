#include "bench/loadgen/describe.hpp"

#include "core/address.hpp"
#include "core/error.hpp"

#include <cstdio>
#include <exception>

namespace echolab::loadgen {
namespace {

std::string of_bytes(std::uint64_t part, std::uint64_t whole,
                     const char* what) {
    std::string out = " (";
    out.append(std::to_string(part)).append(" of ");
    out.append(std::to_string(whole)).append(" bytes ").append(what);
    out.append(")");
    return out;
}

std::string hex_byte(char c) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned char>(c));
    return text;
}

}  // namespace

std::string describe_connection(std::uint64_t number, const Fd& sock) {
    std::string out = "connection ";
    out.append(std::to_string(number));
    if (sock) {
        try {
            out.append(" (").append(to_string(local_address(sock)));
            out.append(")");
        } catch (const std::exception&) {
            out.append("?)");
        }
    }
    return out;
}

std::string call_failed_text(const char* call, int err) {
    std::string out = call;
    out.append(": ").append(error_text(err));
    return out;
}

std::string mismatch_text(std::uint64_t offset, std::uint64_t size,
                          char expected, char got) {
    std::string out = "echoed byte ";
    out.append(std::to_string(offset)).append(" (message ");
    out.append(std::to_string(offset / size)).append(", byte ");
    out.append(std::to_string(offset % size)).append(" of ");
    out.append(std::to_string(size)).append(") is ").append(hex_byte(got));
    out.append(", sent ").append(hex_byte(expected));
    return out;
}

std::string extra_bytes_text(std::uint64_t extra, std::uint64_t sent) {
    std::string out = std::to_string(extra);
    out.append(" bytes more came back than the ");
    out.append(std::to_string(sent)).append(" sent");
    return out;
}

std::string closed_early_text(std::uint64_t received, std::uint64_t sent) {
    std::string out = "the server closed the connection after echoing ";
    out.append(std::to_string(received)).append(" of ");
    out.append(std::to_string(sent)).append(" bytes");
    return out;
}

std::string stall_text(const std::string& who, Nanos idle,
                       const std::string& what) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", to_seconds(idle));
    std::string out = who;
    out.append(" stalled: no progress for ").append(seconds);
    out.append(" s while waiting for ").append(what);
    return out;
}

std::string echo_wait_text(std::uint64_t message, std::uint64_t got,
                           std::uint64_t size) {
    std::string out = "the echo of message ";
    out.append(std::to_string(message)).append(of_bytes(got, size, "back"));
    return out;
}

std::string send_wait_text(std::uint64_t sent, std::uint64_t total) {
    std::string out = "the socket to take more";
    out.append(of_bytes(sent, total, "sent"));
    return out;
}

}  // namespace echolab::loadgen
