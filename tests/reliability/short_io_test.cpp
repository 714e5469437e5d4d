// Genuine short I/O: every variant runs with the short_io_shim preloaded,
// so each send moves 1 to 7 bytes and each recv at most 1. A half-close
// echo and eight concurrent clients must still come back byte-exact.
#include "tests/reliability/reliability.hpp"
#include "tests/reliability/swarm.hpp"
#include "tests/support/server_test.hpp"

#include <fstream>
#include <string>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

class ShortIo : public ServerTest {};

TEST_P(ShortIo, ShortReadsAndWritesStillEchoEveryByte) {
    std::string prefix =
        "env LD_PRELOAD=" ECHOLAB_SHORT_IO_SHIM " ECHOLAB_SHIM_SEED=5";
    Launch launch;
    launch.flags = {"--max-conns", "16"};
    if (one_at_a_time()) {
        launch.flags.clear();
    }
    ServerProcess srv(wrapped(server(), prefix), launch);
    std::ifstream maps("/proc/" + std::to_string(srv.pid()) + "/maps");
    std::string mapped;
    for (std::string line; std::getline(maps, line);) {
        mapped.append(line).append("\n");
    }
    ASSERT_NE(mapped.find("echolab_short_io"), std::string::npos)
        << "the shim is not loaded in the server";
    // Every byte costs a system call or two, so CI sends little.
    const std::size_t big = sized<std::size_t>(64 * 1024, 4 << 20);
    const std::size_t each = sized<std::size_t>(8 * 1024, 256 * 1024);
    Swarm swarm(srv.client_host(), srv.port());
    swarm.add({.seed = 1, .bytes = big});
    for (int i = 0; i < 8; ++i) {
        swarm.add({.seed = static_cast<std::uint64_t>(i + 2),
                   .bytes = each,
                   .max_chunk = 4096});
    }
    const SwarmStats& done = swarm.run(60s);
    EXPECT_EQ(done.finished, 9) << describe(done);
    EXPECT_EQ(done.bytes_verified, big + 8 * each);
    EXPECT_TRUE(srv.running());
    EXPECT_TRUE(srv.stop(10s).clean(0));
}

INSTANTIATE_TEST_SUITE_P(Models, ShortIo, ::testing::ValuesIn(all_variants()),
                         param_label);

}  // namespace
}  // namespace echolab::test
