// tests/reliability/fortify_probe.cpp: FD_SET on descriptor 1500 in a
// child process. Built with the same options as the servers, so in a
// release build, where _FORTIFY_SOURCE=2 must be on, the child aborts
// with "bit out of range" instead of silently writing past the fd_set.
// Exits 0 if it aborted, 1 if the write went through unchecked.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    int fd = argc > 1 ? std::atoi(argv[1]) : 1500;
    pid_t child = ::fork();
    if (child == 0) {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    std::printf("FD_SET(%d): %s\n", fd,
                aborted ? "aborted by fortify" : "went through unchecked");
    return aborted ? 0 : 1;
}
