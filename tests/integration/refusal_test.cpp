// acdd refuses to start on what it cannot trust, and stops loudly on what it cannot survive
// (docs/operations.md "When acdd refuses to start"): each rule with its message, a non-zero exit
// and no READY=1 for systemd.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kAcddBinary = ACD_ACDD_BINARY;

// The service manager's end of NOTIFY_SOCKET: every datagram acdd sent, kept.
class NotifySocket {
  public:
    explicit NotifySocket(const fs::path& path) : path_(path.string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    ~NotifySocket() { ::close(fd_); }
    // Everything received, until nothing comes for `quiet` (call it once acdd has exited).
    std::string all(std::chrono::milliseconds quiet = 200ms) {
        std::string out;
        for (pollfd p{fd_, POLLIN, 0}; ::poll(&p, 1, static_cast<int>(quiet.count())) > 0;) {
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n)).push_back('\n');
        }
        return out;
    }
    std::string env() const { return "NOTIFY_SOCKET=" + path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

Json offered(std::uint64_t seq, const std::string& call_id) {
    return {{"type", "call.offered"},
            {"seq", seq},
            {"call_id", call_id},
            {"caller", "+352621000000"},
            {"dialed", "+1001"}};
}

// Events seq [from, to] from gateway gw1, each acknowledged.
void send_calls(Daemon& daemon, std::uint64_t from, std::uint64_t to) {
    GatewayClient gateway(daemon.port());
    ASSERT_TRUE(gateway.hello("gw1"));
    for (std::uint64_t seq = from; seq <= to; ++seq)
        ASSERT_TRUE(gateway.send_acked(offered(seq, "c" + std::to_string(seq)))) << seq;
}

// acdd started on the daemon's folder with `args`, run until it exits (a refusal).
ProcessResult run_acdd(Daemon& daemon, const std::vector<std::string>& args = {},
                       const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv{kAcddBinary, "-c", (daemon.dir() / "acdd.json").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess acdd(argv, env);
    return acdd.wait(30s);
}

void copy_database(const fs::path& from_dir, const fs::path& to_dir) {
    for (const char* name : {"acdd.db", "acdd.db-wal"}) {
        std::error_code ec;
        fs::remove(to_dir / name, ec);
        if (fs::exists(from_dir / name)) fs::copy_file(from_dir / name, to_dir / name);
    }
    std::error_code ec;
    fs::remove(to_dir / "acdd.db-shm", ec);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(StartRefusal, ASecondAcddOnTheSameDatabaseIsRefusedAndNamesTheHolder) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    const ProcessResult second = run_acdd(daemon);
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(
        second.err.find("is in use by another acdd (pid " + std::to_string(daemon.process().pid())),
        std::string::npos)
        << second.err;
    // It wrote nothing: the first one goes on, and its chain verifies.
    send_calls(daemon, 1, 3);
    AdminClient admin((daemon.dir() / "admin.sock").string());
    const Json verify = admin.call("audit-verify");
    EXPECT_EQ(verify["result"], 0) << verify.dump();
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(StartRefusal, ADatabaseBehindItsSideFileIsRefusedUntilTheLossIsAccepted) {
    Daemon daemon;
    TempDir saved;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    send_calls(daemon, 1, 3);
    ASSERT_EQ(daemon.stop(), 0);
    copy_database(daemon.dir(), saved.path());  // a backup, taken here
    ASSERT_TRUE(daemon.start()) << daemon.log();
    send_calls(daemon, 4, 6);
    ASSERT_EQ(daemon.stop(), 0);
    copy_database(saved.path(), daemon.dir());  // ... and restored

    NotifySocket notify(daemon.dir() / "notify.sock");
    const ProcessResult refused = run_acdd(daemon, {}, {notify.env()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("is behind what acdd had committed"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("gateway gw1: events up to seq 6 were recorded, the database holds "
                               "them up to seq 3"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("--accept-data-loss"), std::string::npos) << refused.err;
    const std::string told = notify.all();
    EXPECT_NE(told.find("STATUS=refused to start: "), std::string::npos) << told;
    EXPECT_EQ(told.find("READY=1"), std::string::npos) << told;

    // Accepted deliberately: acdd starts, and the audit log says what was lost.
    ChildProcess accepted(
        {kAcddBinary, "-c", (daemon.dir() / "acdd.json").string(), "--accept-data-loss"});
    ASSERT_TRUE(accepted.wait_for_stderr("daemon.ready", 20s)) << accepted.err_so_far();
    EXPECT_NE(accepted.err_so_far().find("store.data_loss_accepted"), std::string::npos);
    {
        AdminClient admin((daemon.dir() / "admin.sock").string());
        EXPECT_EQ(admin.call("audit-verify")["result"], 0);
    }
    accepted.signal(SIGTERM);
    EXPECT_EQ(accepted.wait(20s).exit_code, 0);
    // Once accepted, the side file follows the database again: a plain start is not refused.
    ASSERT_TRUE(daemon.start()) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(StartRefusal, ADeletedDatabaseIsRefusedWhileItsSideFileRemains) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    send_calls(daemon, 1, 2);
    ASSERT_EQ(daemon.stop(), 0);
    for (const char* name : {"acdd.db", "acdd.db-wal", "acdd.db-shm"}) {
        std::error_code ec;
        fs::remove(daemon.dir() / name, ec);
    }
    const ProcessResult refused = run_acdd(daemon);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("it ends at audit record 0"), std::string::npos) << refused.err;
}

// Waits until the side file says gateway gw1's events are recorded up to `seq` (it follows the
// commits by a moment): on the file's rename, with a deadline.
bool side_file_reaches(const fs::path& dir, std::uint64_t seq, std::chrono::milliseconds deadline) {
    const int fd = ::inotify_init1(IN_CLOEXEC);
    ::inotify_add_watch(fd, dir.c_str(), IN_MOVED_TO);
    const auto until = std::chrono::steady_clock::now() + deadline;
    const std::string wanted = "gateway gw1 " + std::to_string(seq) + "\n";
    bool reached = false;
    while (!(reached = read_file(dir / "acdd.db.head").find(wanted) != std::string::npos)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[4096];
        (void)::read(fd, buf, sizeof buf);
    }
    ::close(fd);
    return reached;
}

TEST(StartRefusal, AWalCutAfterAKillIsRefused) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    send_calls(daemon, 1, 20);
    ASSERT_TRUE(side_file_reaches(daemon.dir(), 20, 10s))
        << read_file(daemon.dir() / "acdd.db.head");
    daemon.kill();
    const fs::path wal = daemon.dir() / "acdd.db-wal";
    ASSERT_TRUE(fs::exists(wal));
    fs::resize_file(wal, fs::file_size(wal) / 2 + 7);  // mid-frame
    const ProcessResult refused = run_acdd(daemon);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("is behind what acdd had committed"), std::string::npos)
        << refused.err;
}

TEST(StartRefusal, ADamagedDatabaseIsRefusedAtStart) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    send_calls(daemon, 1, 5);
    ASSERT_EQ(daemon.stop(), 0);
    ASSERT_FALSE(fs::exists(daemon.dir() / "acdd.db-wal"));  // all of it in the database file
    {
        // Page 2's header: its page type, and the cell pointers after it.
        std::fstream db(daemon.dir() / "acdd.db", std::ios::in | std::ios::out | std::ios::binary);
        const int page_size = 16384;
        db.seekp(page_size);
        const std::string garbage(20, '\x7f');
        db.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    const ProcessResult refused = run_acdd(daemon);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find(" (PRAGMA quick_check: "), std::string::npos) << refused.err;
}

TEST(StartRefusal, AMissingKeyBesideAnExistingDatabaseIsRefusedAndNoKeyIsCreated) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    ASSERT_EQ(daemon.stop(), 0);
    const fs::path key = daemon.dir() / "acdd.db.key";
    ASSERT_TRUE(fs::remove(key));
    const ProcessResult refused = run_acdd(daemon);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("is missing but the database"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(key));
}

TEST(StartRefusal, ARestartWithAFileTheRecoveredStateCannotTakeIsRefused) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    {
        GatewayClient gateway(daemon.port());
        ASSERT_TRUE(gateway.hello("gw1"));
        Json call = offered(1, "n1");
        call["dialed"] = "+1002";  // neurology: nobody logged in, it waits
        ASSERT_TRUE(gateway.send_acked(call));
    }
    ASSERT_EQ(daemon.stop(), 0);
    Json config = test_config(daemon.dir());
    config["specialties"].erase(1);  // neurology, with its waiting call
    config["agents"][1]["skills"] = {"cardiology"};
    daemon.configure(config);
    const ProcessResult refused = run_acdd(daemon);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("config.apply"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("cannot be applied to the state recovered"), std::string::npos)
        << refused.err;
}

// acdd under a file size limit, which makes writes past it fail as a full disk does.
std::vector<std::string> limited(Daemon& daemon, int blocks) {
    return {"/bin/sh", "-c",
            "ulimit -f " + std::to_string(blocks) + " && exec " + kAcddBinary + " -c " +
                (daemon.dir() / "acdd.json").string()};
}

TEST(FatalStoreError, ADiskFullStopsAcddWithANonZeroStatusAndTellsSystemd) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();  // the schema, written without a limit
    ASSERT_EQ(daemon.stop(), 0);
    NotifySocket notify(daemon.dir() / "notify.sock");
    ChildProcess acdd(limited(daemon, 1024), {notify.env()});  // 512 KiB or 1 MiB
    ASSERT_TRUE(acdd.wait_for_stderr("daemon.ready", 20s)) << acdd.err_so_far();
    const std::string err = acdd.err_so_far();
    const auto at = err.find("listening for gateways on ");
    ASSERT_NE(at, std::string::npos);
    const auto port = std::stoi(err.substr(err.rfind(':', err.find('\n', at)) + 1));
    {
        GatewayClient gateway(static_cast<std::uint16_t>(port));
        ASSERT_TRUE(gateway.hello("gw1"));
        // Until acdd stops: every event acknowledged was stored, then no more acks.
        for (std::uint64_t seq = 1; seq < 100000; ++seq) {
            if (!gateway.send_acked(offered(seq, "c" + std::to_string(seq)))) break;
        }
    }
    const ProcessResult r = acdd.wait(20s);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("store.failed"), std::string::npos) << r.err;
    const std::string told = notify.all();
    EXPECT_NE(told.find("STATUS=stopped: "), std::string::npos) << told;
}

TEST(StartRefusal, AStoreThatCannotWriteIsRefusedBeforeReady) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    ASSERT_EQ(daemon.stop(), 0);
    NotifySocket notify(daemon.dir() / "notify.sock");
    ChildProcess acdd(limited(daemon, 1), {notify.env()});  // not even one page
    const ProcessResult r = acdd.wait(20s);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.find("daemon.ready"), std::string::npos) << r.err;
    const std::string told = notify.all();
    EXPECT_NE(told.find("STATUS=refused to start: "), std::string::npos) << told;
    EXPECT_EQ(told.find("READY=1"), std::string::npos) << told;
}

}  // namespace
}  // namespace acd::test
