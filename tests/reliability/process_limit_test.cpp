// RLIMIT_NPROC: fork and pthread_create fail with EAGAIN once a user has
// that many processes and threads. Root is exempt, so the server runs as
// nobody (uid 65534) through setpriv, with prlimit lowering its limit.
// The model must refuse the one connection, log it, and keep serving;
// thread_pool, which makes its threads at start, must exit 1.
// nobody runs a copy of the variant in a folder of its own, so the tests
// pass wherever the checkout lives (under /root, mode 0700, too).
#include "tests/reliability/reliability.hpp"
#include "tests/reliability/swarm.hpp"
#include "tests/support/server_test.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>

#include <dirent.h>
#include <stdlib.h>

namespace echolab::test {
namespace {

using namespace std::chrono_literals;

constexpr int kNobody = 65534;

// Processes plus threads that uid already runs: RLIMIT_NPROC counts them.
int tasks_of_uid(int uid) {
    int tasks = 0;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
        return 0;
    }
    while (dirent* entry = ::readdir(proc)) {
        std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
        int owner = -1;
        int threads = 0;
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("Uid:", 0) == 0) {
                owner = std::atoi(line.c_str() + 4);
            } else if (line.rfind("Threads:", 0) == 0) {
                threads = std::atoi(line.c_str() + 8);
            }
        }
        tasks += owner == uid ? threads : 0;
    }
    ::closedir(proc);
    return tasks;
}

// A copy of a binary that uid nobody can run. nobody cannot enter a
// 0700 folder, such as /root with a checkout in it or any mkdtemp
// folder, so the copy goes to a fresh folder under /tmp opened to all.
class PublicCopy {
public:
    explicit PublicCopy(const std::string& binary) {
        namespace fs = std::filesystem;
        std::string folder = "/tmp/echolab-nobody-XXXXXX";
        if (::mkdtemp(folder.data()) == nullptr) {
            throw std::system_error(errno, std::generic_category(),
                                    "mkdtemp " + folder);
        }
        folder_ = folder;
        path_ = folder_ / fs::path(binary).filename();
        constexpr auto kAll = fs::perms::owner_all | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec;
        fs::permissions(folder_, kAll);
        fs::copy_file(binary, path_);
        fs::permissions(path_, kAll);
    }
    PublicCopy(const PublicCopy&) = delete;
    PublicCopy& operator=(const PublicCopy&) = delete;
    ~PublicCopy() {
        std::error_code ignored;
        std::filesystem::remove_all(folder_, ignored);
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path folder_;
    std::filesystem::path path_;
};

class ProcessLimit : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root to switch to uid 65534 with setpriv";
        }
        for (const char* tool : {"setpriv", "prlimit"}) {
            if (find_tool(tool).empty()) {
                GTEST_SKIP() << tool << " not found (util-linux): "
                             << "RLIMIT_NPROC tests skipped";
            }
        }
    }

    // The variant as nobody, allowed `extra` more tasks than nobody runs.
    ServerProcess& start_limited(int extra,
                                 const std::vector<std::string>& flags,
                                 bool wait_ready = true) {
        int limit = tasks_of_uid(kNobody) + extra;
        std::string prefix =
            find_tool("setpriv") + " --reuid=" + std::to_string(kNobody) +
            " --regid=" + std::to_string(kNobody) + " --clear-groups " +
            find_tool("prlimit") + " --nproc=" + std::to_string(limit) + ":" +
            std::to_string(limit);
        Launch launch;
        launch.flags = flags;
        launch.wait_ready = wait_ready;
        copy_.emplace(server().binary);
        ServerUnderTest reachable = server();
        reachable.binary = copy_->path();
        limited_ =
            std::make_unique<ServerProcess>(wrapped(reachable, prefix), launch);
        return *limited_;
    }

    void TearDown() override {
        if (limited_ && limited_->running()) {
            limited_->stop(10s);
        }
        if (limited_ && HasFailure()) {
            std::fprintf(stderr, "--- stderr ---\n%s\n",
                         limited_->stderr_text().c_str());
        }
        limited_.reset();
        copy_.reset();
        ServerTest::TearDown();
    }

    std::unique_ptr<ServerProcess> limited_;
    std::optional<PublicCopy> copy_;
};

// Twelve clients hold their connections with room for about four
// workers: the rest are closed at once (never left hanging), the error
// is logged, and once the held ones leave the server serves again.
TEST_P(ProcessLimit, CreationFailureRefusesOnlyThatClient) {
    ServerProcess& srv = start_limited(4, {"--max-conns", "64"});
    Swarm swarm(srv.client_host(), srv.port(), {.max_connecting = 1});
    for (int i = 0; i < 12; ++i) {
        swarm.add({.seed = static_cast<std::uint64_t>(i + 1),
                   .bytes = 16,
                   .message = 16,
                   .end = Ending::park});
    }
    const SwarmStats held = swarm.run(20s);  // a copy: run() goes on
    EXPECT_GE(held.parked, 1) << describe(held);
    EXPECT_GE(held.failed, 1) << "the limit should have refused someone";
    EXPECT_EQ(held.parked + held.failed, 12) << describe(held);
    for (const std::string& failure : held.failures) {
        EXPECT_EQ(failure.find("unfinished"), std::string::npos) << failure;
    }
    EXPECT_NE(srv.stderr_text().find("Resource temporarily unavailable"),
              std::string::npos)
        << srv.stderr_text();
    swarm.release(16);
    const SwarmStats& done = swarm.run(20s);
    EXPECT_EQ(done.finished, held.parked) << describe(done);
    EXPECT_TRUE(eventually([&] { return serves_fresh_client(srv); }, 3s));
    EXPECT_TRUE(srv.stop(10s).clean(0));
}

INSTANTIATE_TEST_SUITE_P(
    Models, ProcessLimit,
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& s) {
        return s.model == Model::per_connection;
    })),
    param_label);

class PoolLimit : public ProcessLimit {};

// 16 workers with room for 4: start-up fails, exit 1 with one message.
TEST_P(PoolLimit, PoolThatCannotMakeItsThreadsExitsOne) {
    ServerProcess& srv = start_limited(4, {server().pool_flag, "16"}, false);
    ExitStatus status = srv.wait_exit(10s);
    EXPECT_TRUE(status.clean(1)) << status.describe();
    EXPECT_NE(srv.stderr_text().find("error: "), std::string::npos)
        << srv.stderr_text();
}

INSTANTIATE_TEST_SUITE_P(
    Models, PoolLimit,
    ::testing::ValuesIn(variants_where([](const ServerUnderTest& s) {
        return s.model == Model::worker_pool && s.unit == "thread";
    })),
    param_label);

}  // namespace
}  // namespace echolab::test
