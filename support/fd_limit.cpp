#include "support/fd_limit.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include <sys/resource.h>

namespace echolab::support {
namespace {

// RLIM_INFINITY does not fit a long; no process needs more than LONG_MAX.
long as_long(rlim_t value) {
    constexpr auto kMax = static_cast<rlim_t>(LONG_MAX);
    return static_cast<long>(std::min(value, kMax));
}

}  // namespace

long descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        throw SetupError(errno, "getrlimit(RLIMIT_NOFILE)");
    }
    return as_long(limit.rlim_cur);
}

long raise_descriptor_limit(long want) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        throw SetupError(errno, "getrlimit(RLIMIT_NOFILE)");
    }
    auto wanted = static_cast<rlim_t>(std::max(want, 0L));
    if (limit.rlim_cur >= wanted) {
        return as_long(limit.rlim_cur);
    }
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        throw SetupError(errno, "setrlimit(RLIMIT_NOFILE) to " +
                                    std::to_string(limit.rlim_cur));
    }
    return as_long(limit.rlim_cur);
}

}  // namespace echolab::support
