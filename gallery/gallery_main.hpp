// gallery/gallery_main.hpp: the start-up every gallery server shares, so
// that each gallery main.cpp holds its bug and little else. The servers
// in the variant folders spell this out in their own main() instead,
// because there the diff between two of them is the lesson.
#pragma once

#include "core/fd.hpp"
#include "core/signals.hpp"

#include <functional>

namespace echolab {

// Declared, not included: core/options.hpp brings all of CLI11, several
// seconds of compiling per file, and most gallery servers never look
// inside the options. Those that do include it (via core/session.hpp).
struct ServerOptions;

using GalleryServe =
    std::function<void(Fd& listener, const ServerOptions&, StopSignal&)>;

// Parses the common flags, listens, prints the ready line and calls
// serve(listener, opts, stop). Returns main()'s exit status: 2 for a
// usage error, 1 for a setup failure, otherwise 0 when serve returns.
// Compiled once, in gallery_main.cpp.
int run_gallery_server(int argc, char** argv, const char* about, int max_conns,
                       const GalleryServe& serve);

}  // namespace echolab
