#include "bench/harness/cpu_set.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <sched.h>

namespace echolab::harness {
namespace {

// The same ceiling as cpu_set_t's (CPU_SETSIZE), so that a parsed set
// can always be pinned to.
constexpr int kMaxCpu = CPU_SETSIZE - 1;

int parse_cpu(std::string_view text, const std::string& whole) {
    int cpu = -1;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), cpu);
    if (ec != std::errc{} || end != text.data() + text.size() || cpu < 0 ||
        cpu > kMaxCpu) {
        throw std::invalid_argument("'" + whole +
                                    "' is not a CPU list such as 0, 0,2 "
                                    "or 0-3");
    }
    return cpu;
}

}  // namespace

CpuSet parse_cpu_list(const std::string& text) {
    CpuSet cpus;
    std::string_view rest = text;
    while (true) {
        std::string_view item = rest.substr(0, rest.find(','));
        auto dash = item.find('-');
        int first = parse_cpu(item.substr(0, dash), text);
        int last = dash == std::string_view::npos
                       ? first
                       : parse_cpu(item.substr(dash + 1), text);
        if (last < first) {
            throw std::invalid_argument("'" + text + "': range " +
                                        std::string(item) + " runs backwards");
        }
        for (int cpu = first; cpu <= last; ++cpu) {
            cpus.push_back(cpu);
        }
        if (item.size() == rest.size()) {
            break;
        }
        rest.remove_prefix(item.size() + 1);
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

std::string cpu_list_text(const CpuSet& cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) {
            ++j;
        }
        out.append(out.empty() ? "" : ",").append(std::to_string(cpus[i]));
        if (j > i) {
            out.append(j == i + 1 ? "," : "-").append(std::to_string(cpus[j]));
        }
        i = j + 1;
    }
    return out;
}

bool overlap(const CpuSet& a, const CpuSet& b) {
    return std::any_of(a.begin(), a.end(), [&](int cpu) {
        return std::find(b.begin(), b.end(), cpu) != b.end();
    });
}

}  // namespace echolab::harness
