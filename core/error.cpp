#include "core/error.hpp"

#include <cerrno>
#include <cstring>

namespace echolab {

AcceptResult classify_accept_error(int err) noexcept {
    switch (err) {
        // The connection died in the queue, a signal arrived, or a
        // non-blocking listener had nothing after all. accept(2) also asks
        // to treat pending network errors of the new socket like EAGAIN.
        case EINTR:
        case EAGAIN:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case ENETUNREACH:
            return AcceptResult::retry;
        // Unlike muduo, running out is not fatal: the contract says the
        // server keeps serving and does not spin (libev's EMFILE note).
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            return AcceptResult::out_of_resources;
        default:
            return AcceptResult::fatal;
    }
}

std::string error_text(int err) {
    return std::generic_category().message(err);
}

}  // namespace echolab
