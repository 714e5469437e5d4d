// The main() of the suites that run against servers.
#include <cstdlib>
#include <string_view>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    // gtest_discover_tests lists the tests at build time; the names it
    // registers must be the variants', even if the shell that ran the
    // build had ECHOLAB_SERVER_CMD set for a run against a custom server.
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--gtest_list_tests") {
            ::unsetenv("ECHOLAB_SERVER_CMD");
        }
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
