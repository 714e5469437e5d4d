// Running out of descriptors (EMFILE) must neither stop the server nor
// spin it: accept() fails at once while descriptors are short, so a loop
// that retries at once burns a whole core (reliability notes, case 1).
#include "core/error.hpp"

#include "support/proc_stats.hpp"
#include "tests/fault/server_faults.hpp"

#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

constexpr double kSpinBound = 0.3;  // CPU seconds over the 2 s window
constexpr auto kSpinWindow = 2s;

// Lowers the soft RLIMIT_NOFILE of a running server with prlimit(2), and
// puts it back when destroyed. Only the soft limit changes: raising a hard
// limit again needs CAP_SYS_RESOURCE.
class FdLimit {
public:
    FdLimit(pid_t pid, rlim_t soft) : pid_(pid) {
        if (::prlimit(pid_, RLIMIT_NOFILE, nullptr, &old_) != 0) {
            error_ = errno;
            return;
        }
        rlimit lowered = old_;
        lowered.rlim_cur = soft;
        if (::prlimit(pid_, RLIMIT_NOFILE, &lowered, nullptr) != 0) {
            error_ = errno;
        }
    }
    ~FdLimit() { restore(); }
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;

    int error() const noexcept { return error_; }
    void restore() { ::prlimit(pid_, RLIMIT_NOFILE, &old_, nullptr); }

private:
    pid_t pid_;
    rlimit old_{};
    int error_ = 0;
};

TEST_P(ServerFaults, SurvivesDescriptorExhaustion) {
    ServerProcess& srv = start(max_conns(200));
    ASSERT_TRUE(serves_fresh_client(srv));
    settled_holdings(srv);

    // iterative never accepts while it serves, so only a limit at its
    // idle count makes its next accept() fail; the others keep one client
    // that must go on echoing while new ones cannot be accepted.
    std::optional<TestClient> early;
    if (!one_at_a_time()) {
        early.emplace(served_client(srv));
    }
    int in_use = fd_count(srv.pid());
    auto soft = static_cast<rlim_t>(in_use + (one_at_a_time() ? 0 : 4));
    FdLimit limit(srv.pid(), soft);
    ASSERT_EQ(limit.error(), 0) << "prlimit: " << error_text(limit.error());

    std::vector<TestClient> held;
    for (rlim_t i = 0; i < 3 * soft; ++i) {
        held.emplace_back(srv.client_host(), srv.port());
        ASSERT_TRUE(held.back().connected())
            << error_text(held.back().connect_error());
        held.back().send("h", 1s);
    }
    std::this_thread::sleep_for(500ms);
    double cpu_before = tree_cpu_seconds(srv.pid());
    std::this_thread::sleep_for(kSpinWindow);
    double cpu = tree_cpu_seconds(srv.pid()) - cpu_before;
    EXPECT_LT(cpu, kSpinBound) << "CPU seconds in 2 s at RLIMIT_NOFILE " << soft
                               << " with " << held.size() << " clients waiting";
    ASSERT_TRUE(srv.running()) << srv.wait_exit(0ms).describe();
    if (early) {
        EXPECT_EQ(early->round_trip("during EMFILE", 1s), "during EMFILE");
        early->close();
    }

    // Descriptors come free when the held clients leave; iterative's come
    // free only with the limit.
    held.clear();
    if (one_at_a_time()) {
        limit.restore();
    }
    EXPECT_TRUE(serves_fresh_client(srv, 1024, 5s))
        << "once descriptors are free again";
}

}  // namespace
}  // namespace echolab::test
