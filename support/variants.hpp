// support/variants.hpp: the registered variants and their traits, as
// declared by echolab_add_variant in each variant's CMakeLists.txt
// (docs/adding-a-variant.md). Code that must know a model asks these
// traits; nothing here or elsewhere names a variant.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace echolab::support {

// How a server serves its clients.
enum class Model {
    one_at_a_time,   // the next client waits until this one leaves
    per_connection,  // a process or thread per client, made on accept
    worker_pool,     // a fixed set of workers; idle clients pin them
    event_loop,      // one or more loops multiplex every client
};

// One registered variant.
struct VariantInfo {
    std::string name;    // the folder name, e.g. "epoll_loop"
    std::string binary;  // the executable, under ECHOLAB_BIN_DIR
    Model model = Model::per_connection;
    std::string unit;       // "process" or "thread" that runs clients;
                            // "" when all run on one thread
    std::string waits_in;   // the main loop's blocking call, as strace
                            // names it: "accept4", "epoll_wait", ...
    std::string pool_flag;  // the flag sizing a fixed pool, or ""
    int conn_limit = 0;     // the hard ceiling of --max-conns; 0: none
    std::string needs;      // a kernel feature it needs ("io_uring"), or ""
};

// Every registered variant, in the root CMakeLists.txt's order, with
// binary in ECHOLAB_BIN_DIR (environment) or else the build's bin folder.
std::vector<VariantInfo> registered_variants();

// "one_at_a_time", ... and back; parse_model throws
// std::invalid_argument listing the names it knows.
std::string_view model_name(Model model);
Model parse_model(std::string_view text);

// True when every accepted client is served at once (no client waits
// for another to leave while the server is under its bounds).
bool serves_all_at_once(Model model);

// Why this machine cannot run the variant (a kernel feature it needs is
// missing or disabled), as a sentence for GTEST_SKIP; "" when it can.
std::string missing_feature(const VariantInfo& variant);

}  // namespace echolab::support
