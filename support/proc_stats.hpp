// support/proc_stats.hpp: what a server process holds, read from
// /proc rather than from its logs: descriptors, threads, memory, CPU time,
// children. Linux only, like the rest of echolab.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace echolab::support {

// Entries of /proc/PID/fd; -1 if the process is gone.
int fd_count(pid_t pid);
// Entries of /proc/PID/task; -1 if the process is gone.
int thread_count(pid_t pid);
// VmRSS in bytes; 0 if the process is gone.
long long rss_bytes(pid_t pid);
// utime + stime in seconds, plus cutime + cstime (children already
// reaped), so the figure never drops when a child is reaped.
double cpu_seconds(pid_t pid);

struct ChildProcess {
    pid_t pid = 0;
    char state = '?';  // from /proc/PID/stat; 'Z' is a zombie
};

// The processes whose parent is pid.
std::vector<ChildProcess> children_of(pid_t pid);
int zombie_count(pid_t pid);

// The same figures summed over pid and all its descendants: fork_per_conn
// does its work in children.
long long tree_rss_bytes(pid_t pid);
double tree_cpu_seconds(pid_t pid);

// What a server holds that must come back once its clients have left.
struct Holdings {
    int fds = 0;
    int threads = 0;
    int children = 0;
    int zombies = 0;

    bool operator==(const Holdings&) const = default;
    // "12 fds, 1 threads, 0 children (0 zombies)".
    std::string describe() const;
};

Holdings holdings(pid_t pid);

}  // namespace echolab::support
