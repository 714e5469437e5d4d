// bench/harness/cpu_set.hpp: CPU lists as a person writes them ("1",
// "0,2", "0-3", as taskset -c and /sys/devices/system/cpu/online do) and
// pinning the calling thread to such a set.
#pragma once

#include <string>
#include <system_error>
#include <vector>

namespace echolab::harness {

using CpuSet = std::vector<int>;

// "0-2,5" -> {0, 1, 2, 5}, sorted and without repeats. Throws
// std::invalid_argument quoting the text for anything else ("", "a",
// "3-1", a CPU above 1023).
CpuSet parse_cpu_list(const std::string& text);

// {0, 1, 2, 5} -> "0-2,5": the same spelling back, for messages and the
// report.
std::string cpu_list_text(const CpuSet& cpus);

// Whether the two sets share a CPU.
bool overlap(const CpuSet& a, const CpuSet& b);

}  // namespace echolab::harness
