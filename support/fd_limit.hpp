// support/fd_limit.hpp: the one place a program of the suite raises its
// descriptor limit. It only raises the soft limit; it never lowers it.
#pragma once

namespace echolab::support {

// The soft RLIMIT_NOFILE in force now.
long descriptor_limit();

// Raises the soft RLIMIT_NOFILE to `want` descriptors, or as close as the
// hard limit allows (children inherit it), and returns the soft limit then
// in force, which the caller compares with what it needs. Throws
// SetupError naming setrlimit if the kernel refuses the raise.
long raise_descriptor_limit(long want);

}  // namespace echolab::support
