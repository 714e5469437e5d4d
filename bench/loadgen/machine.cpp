#include "bench/loadgen/machine.hpp"

#include "core/options.hpp"

#include "bench/loadgen/cpu.hpp"

#include <fstream>

#include <sys/utsname.h>
#include <unistd.h>

namespace echolab::loadgen {
namespace {

// The first line of a /proc file, tabs turned into spaces; "" if absent.
std::string first_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    for (char& c : line) {
        c = c == '\t' ? ' ' : c;
    }
    return line;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "";
}

}  // namespace

MachineInfo describe_machine() {
    MachineInfo info;
    utsname names{};
    if (::uname(&names) == 0) {
        info.hostname = names.nodename;
        info.kernel = names.sysname;
        info.kernel.append(" ").append(names.release);
        info.arch = names.machine;
    }
    info.cpu_model = cpu_model();
    info.cpus_online = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    info.cpus_allowed = usable_cpus();
    info.port_range = first_line("/proc/sys/net/ipv4/ip_local_port_range");
    info.tcp_tw_reuse = first_line("/proc/sys/net/ipv4/tcp_tw_reuse");
    return info;
}

}  // namespace echolab::loadgen
