// gallery/gallery_main.hpp: the start-up every gallery server shares, so
// that each gallery main.cpp holds its bug and little else. The servers
// in the variant folders spell this out in their own main() instead,
// because there the diff between two of them is the lesson.
#pragma once

#include "core/fd.hpp"
#include "core/options.hpp"
#include "core/signals.hpp"

#include <exception>

namespace echolab {

// Parses the common flags, listens, prints the ready line and calls
// serve(listener, opts, stop). Returns main()'s exit status: 2 for a
// usage error, 1 for a setup failure, otherwise 0 when serve returns.
template <typename Serve>
int run_gallery_server(int argc, char** argv, const char* about, int max_conns,
                       Serve serve) {
    ServerOptions opts;
    opts.max_conns = max_conns;
    CLI::App app{about};
    add_common_flags(app, opts);
    if (auto status = parse_command_line(app, argc, argv)) {
        return *status;
    }
    try {
        StopSignal& stop = StopSignal::install();
        Fd listener = start_listening(opts);
        serve(listener, opts, stop);
        return 0;
    } catch (const std::exception& error) {
        return report_setup_error(error);
    }
}

}  // namespace echolab
