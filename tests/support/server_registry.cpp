#include "tests/support/server_registry.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace echolab::test {
namespace {

// Written by cmake/EcholabVariant.cmake: one quoted name per variant.
constexpr const char* kVariantNames[] = {
#include "variants.inc"
};

constexpr std::string_view kPortPlaceholder = "{port}";

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

Model model_of_variant(std::string_view name) {
    if (name == "iterative") {
        return Model::one_at_a_time;
    }
    if (name == "thread_pool" || name == "prefork") {
        return Model::worker_pool;
    }
    return Model::per_connection;
}

Model parse_model(const std::string& text) {
    if (text == "one_at_a_time") {
        return Model::one_at_a_time;
    }
    if (text == "worker_pool") {
        return Model::worker_pool;
    }
    if (text == "per_connection") {
        return Model::per_connection;
    }
    throw std::invalid_argument(
        "ECHOLAB_SERVER_MODEL must be one_at_a_time, worker_pool or "
        "per_connection, not '" +
        text + "'");
}

// Single quotes keep every byte literal for /bin/sh; a quote inside is
// closed, escaped and reopened.
std::string shell_quote(const std::string& word) {
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') {
            out.append("'\\''");
        } else {
            out.push_back(c);
        }
    }
    out.push_back('\'');
    return out;
}

}  // namespace

std::vector<ServerUnderTest> servers_under_test() {
    std::string command = env_or("ECHOLAB_SERVER_CMD", "");
    if (!command.empty()) {
        Model model =
            parse_model(env_or("ECHOLAB_SERVER_MODEL", "per_connection"));
        return {ServerUnderTest{"custom", "", command, model}};
    }
    std::string bin_dir = env_or("ECHOLAB_BIN_DIR", ECHOLAB_BIN_DIR);
    std::vector<ServerUnderTest> servers;
    for (const char* name : kVariantNames) {
        std::string binary = bin_dir;
        binary.append("/").append(name);
        servers.push_back({name, binary, "", model_of_variant(name)});
    }
    return servers;
}

std::vector<std::string> launch_argv(const ServerUnderTest& server,
                                     const std::string& port,
                                     const std::vector<std::string>& flags) {
    if (server.command.empty()) {
        std::vector<std::string> argv{server.binary, "--port", port};
        argv.insert(argv.end(), flags.begin(), flags.end());
        return argv;
    }
    std::string line = "exec ";
    line.append(server.command);
    auto at = line.find(kPortPlaceholder);
    if (at != std::string::npos) {
        line.replace(at, kPortPlaceholder.size(), shell_quote(port));
    } else {
        line.append(" --port ").append(shell_quote(port));
    }
    for (const std::string& flag : flags) {
        line.append(" ").append(shell_quote(flag));
    }
    return {"/bin/sh", "-c", line};
}

bool takes_port_placeholder(const ServerUnderTest& server) {
    return server.command.find(kPortPlaceholder) != std::string::npos;
}

std::string param_name(const ServerUnderTest& server) {
    std::string out;
    for (char c : server.name) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
        out.push_back(ok ? c : '_');
    }
    return out;
}

}  // namespace echolab::test
