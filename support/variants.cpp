#include "support/variants.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace echolab::support {
namespace {

// Written by cmake/EcholabVariant.cmake, one initialiser per variant.
const VariantInfo kRegistry[] = {
#include "variants.inc"
};

constexpr std::string_view kModelNames[] = {"one_at_a_time", "per_connection",
                                            "worker_pool", "event_loop"};

// io_uring can be compiled out, disabled by sysctl
// (kernel.io_uring_disabled, Linux 6.6) or refused by seccomp in a
// container; asking the kernel for a tiny ring covers all three.
std::string io_uring_missing() {
    io_uring_params params{};
    long fd = ::syscall(__NR_io_uring_setup, 1, &params);
    if (fd < 0) {
        int saved = errno;
        std::string reason = "io_uring_setup: ";
        reason.append(std::strerror(saved));
        std::ifstream sysctl("/proc/sys/kernel/io_uring_disabled");
        int disabled = 0;
        if (sysctl >> disabled && disabled != 0) {
            reason.append(" (kernel.io_uring_disabled = ")
                .append(std::to_string(disabled))
                .append(")");
        }
        return reason;
    }
    ::close(static_cast<int>(fd));
    return "";
}

}  // namespace

std::vector<VariantInfo> registered_variants() {
    const char* dir = std::getenv("ECHOLAB_BIN_DIR");
    std::string bin_dir =
        dir != nullptr && *dir != '\0' ? dir : ECHOLAB_BIN_DIR;
    std::vector<VariantInfo> out(std::begin(kRegistry), std::end(kRegistry));
    for (VariantInfo& variant : out) {
        variant.binary = bin_dir + "/" + variant.name;
    }
    return out;
}

std::string_view model_name(Model model) {
    return kModelNames[static_cast<std::size_t>(model)];
}

Model parse_model(std::string_view text) {
    for (std::size_t i = 0; i < std::size(kModelNames); ++i) {
        if (text == kModelNames[i]) {
            return static_cast<Model>(i);
        }
    }
    throw std::invalid_argument(
        "model must be one_at_a_time, per_connection, worker_pool or "
        "event_loop, not '" +
        std::string(text) + "'");
}

bool serves_all_at_once(Model model) {
    return model == Model::per_connection || model == Model::event_loop;
}

std::string missing_feature(const VariantInfo& variant) {
    if (variant.needs == "io_uring") {
        std::string why = io_uring_missing();
        return why.empty() ? why
                           : variant.name +
                                 " needs io_uring, which this "
                                 "kernel refuses: " +
                                 why;
    }
    return "";
}

}  // namespace echolab::support
