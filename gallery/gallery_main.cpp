#include "gallery/gallery_main.hpp"

#include "core/options.hpp"

#include <exception>

namespace echolab {

int run_gallery_server(int argc, char** argv, const char* about, int max_conns,
                       const GalleryServe& serve) {
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
