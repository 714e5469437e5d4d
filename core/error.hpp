// core/error.hpp: SetupError for start-up failures and the errno triage of
// accept(2). Nothing here prints or exits; main() decides that.
// Mechanism layer, like fd, address, listen, signals and log.
#pragma once

#include <string>
#include <system_error>

namespace echolab {

// A failed setup call. what() reads "<call> <address>: <reason>", e.g.
// "bind 127.0.0.1:7007: Address already in use" (libstdc++ joins what_arg
// and the message with ": "; a unit test pins that format).
class SetupError : public std::system_error {
public:
    SetupError(int err, const std::string& call_and_address)
        : std::system_error(err, std::generic_category(), call_and_address) {}
};

// What a failed accept means for the server (accept(2), "Error handling").
enum class AcceptResult {
    accepted,          // a new connection
    retry,             // transient or the client already left: just go on
    out_of_resources,  // EMFILE and friends: back off, do not spin or exit
    fatal,             // the listener itself is broken: a programming error
};

// Classifies the errno of a failed accept().
AcceptResult classify_accept_error(int err) noexcept;

// strerror() that is safe to call from several threads.
std::string error_text(int err);

}  // namespace echolab
