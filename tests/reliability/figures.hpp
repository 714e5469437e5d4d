// tests/reliability/figures.hpp: what a server holds at a moment (its
// descriptors, threads, processes and memory, summed over its children),
// the peak over a run, and the one-line figure the docs quote.
#pragma once

#include <string>

#include <sys/types.h>

namespace echolab::test {

struct Holding {
    int fds = 0;        // descriptors of the server process itself
    int max_fd = -1;    // its highest descriptor number
    int threads = 0;    // threads of the server process
    int processes = 0;  // the server and its live children
    long long rss = 0;  // VmRSS summed over them (shared pages counted
                        // once per process)
    long long pss = 0;  // proportional set size summed: shared pages split
};

Holding holding_of(pid_t pid);

// Keeps the largest of each field seen.
void keep_peak(Holding& peak, const Holding& now);

// "figure: <what>: fds=.. threads=.. processes=.. rss_mib=.. pss_mib=..",
// printed to stdout so that ctest -V and docs/reliability.md can quote it.
void print_figure(const std::string& what, const Holding& peak);

}  // namespace echolab::test
