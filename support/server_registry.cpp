#include "support/server_registry.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace echolab::support {
namespace {

constexpr std::string_view kPortPlaceholder = "{port}";

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// A custom server's traits: what the suites must know of its model.
ServerUnderTest custom_server(const std::string& command) {
    ServerUnderTest server;
    server.name = "custom";
    server.command = command;
    try {
        server.model =
            parse_model(env_or("ECHOLAB_SERVER_MODEL", "per_connection"));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("ECHOLAB_SERVER_MODEL: ") +
                                    e.what());
    }
    if (server.model == Model::one_at_a_time) {
        server.conn_limit = 1;
    }
    if (server.model == Model::worker_pool) {
        server.pool_flag = "--threads";
    }
    return server;
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
        return {custom_server(command)};
    }
    std::vector<ServerUnderTest> servers;
    for (VariantInfo& variant : registered_variants()) {
        servers.push_back({std::move(variant), ""});
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

}  // namespace echolab::support
