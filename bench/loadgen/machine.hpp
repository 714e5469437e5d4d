// bench/loadgen/machine.hpp: MachineInfo, what a report says about the
// machine it was measured on. Read from uname(2) and /proc; nothing here
// changes the machine.
#pragma once

#include <string>

namespace echolab::loadgen {

struct MachineInfo {
    std::string hostname;
    std::string kernel;     // "Linux 6.1.0-18-amd64"
    std::string arch;       // "x86_64"
    std::string cpu_model;  // first "model name" of /proc/cpuinfo
    int cpus_online = 0;
    int cpus_allowed = 0;  // in this process's affinity mask
    // TIME_WAIT and port settings that decide how connect mode fares.
    std::string port_range;  // net.ipv4.ip_local_port_range
    std::string tcp_tw_reuse;
};

MachineInfo describe_machine();

}  // namespace echolab::loadgen
