#include "bench/loadgen/config.hpp"

#include "bench/loadgen/cpu.hpp"

#include <cmath>
#include <string>

namespace echolab::loadgen {
namespace {

// Limits that keep a typo from allocating gigabytes: the send-time ring
// is connections x pipeline timestamps.
constexpr int kMaxConnections = 1'000'000;
constexpr int kMaxPipeline = 4096;
constexpr int kMaxThreads = 256;
constexpr std::size_t kMaxSize = std::size_t{1} << 30;
constexpr double kMaxSeconds = 7 * 86400.0;

std::optional<ConfigError> out_of_range(const char* field, double value,
                                        double low, double high) {
    if (std::isfinite(value) && value >= low && value <= high) {
        return std::nullopt;
    }
    std::string message = "must be between ";
    message.append(std::to_string(static_cast<long long>(low)));
    message.append(" and ");
    message.append(std::to_string(static_cast<long long>(high)));
    return ConfigError{field, message};
}

}  // namespace

std::optional<ConfigError> validate(const RunConfig& c) {
    if (c.host.empty()) {
        return ConfigError{"host", "must not be empty"};
    }
    const struct {
        const char* field;
        double value, low, high;
    } ranges[] = {
        {"connections", static_cast<double>(c.connections), 1, kMaxConnections},
        {"pipeline", static_cast<double>(c.pipeline), 1, kMaxPipeline},
        {"size", static_cast<double>(c.size), 1, kMaxSize},
        {"warmup", c.warmup_s, 0, kMaxSeconds},
        {"duration", c.duration_s, 0.001, kMaxSeconds},
        {"rate", c.rate, 0, 1e9},
        {"threads", static_cast<double>(c.threads), 1, kMaxThreads},
        {"stall-timeout", c.stall_timeout_s, 0.001, kMaxSeconds},
    };
    for (const auto& r : ranges) {
        if (auto error = out_of_range(r.field, r.value, r.low, r.high)) {
            return error;
        }
    }
    if (c.threads > c.connections) {
        return ConfigError{"threads", "must not exceed --connections"};
    }
    if (c.mode == Mode::connect && c.pipeline != 1) {
        return ConfigError{"pipeline", "applies to throughput mode only"};
    }
    for (int cpu : c.cpus) {
        if (!cpu_allowed(cpu)) {
            return ConfigError{"cpu", "CPU " + std::to_string(cpu) +
                                          " is not one this process may use"};
        }
    }
    return std::nullopt;
}

const char* to_string(Mode mode) noexcept {
    return mode == Mode::connect ? "connect" : "throughput";
}

}  // namespace echolab::loadgen
