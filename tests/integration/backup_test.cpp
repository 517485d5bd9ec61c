// The admin command `backup` (docs/operations.md "Backup") while gateways keep acdd busy: a
// gateway thread offers, answers and ends calls without pause while the test takes backups over
// the admin socket. Each copy must open with the store (same PII key), verify its whole hash
// chain, and hold the calls that were acknowledged before the backup was asked for.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "acd/pii.hpp"
#include "acd/store.hpp"
#include "admin_client.hpp"
#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

// One gateway that runs calls through agent a1 back to back until stopped: offered, routed,
// answered, ended, each event waited for its ack. `completed` counts calls whose end acdd
// acknowledged (and so has made durable).
class CallLoad {
  public:
    explicit CallLoad(std::uint16_t port) : thread_([this, port] { run(port); }) {}
    ~CallLoad() { stop(); }

    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    // Waits until at least `n` calls are complete; false on failure or after `deadline`.
    bool wait_for_calls(std::uint64_t n, std::chrono::milliseconds deadline = 30s) {
        std::unique_lock lock(mu_);
        return grew_.wait_for(lock, deadline, [&] { return completed_ >= n || failed_; }) &&
               !failed_;
    }
    std::uint64_t completed() const {
        std::lock_guard lock(mu_);
        return completed_;
    }
    std::string failure() const {
        std::lock_guard lock(mu_);
        return failure_;
    }

  private:
    void fail(const std::string& why) {
        std::lock_guard lock(mu_);
        failed_ = true;
        failure_ = why;
        grew_.notify_all();
    }
    // Sends `e` and waits for its ack (skipping the commands in between); `expect` is a command
    // type that must come first, or empty.
    bool send(GatewayClient& g, Json e, const std::string& expect = "") {
        e["seq"] = ++seq_;
        g.send(e);
        if (!expect.empty() && !g.receive_type(expect)) {
            fail("no " + expect + " after " + e.dump());
            return false;
        }
        for (;;) {
            const auto ack = g.receive_type("ack");
            if (!ack) {
                fail("no ack for " + e.dump());
                return false;
            }
            if ((*ack)["seq"].get<std::uint64_t>() >= seq_) return true;
        }
    }
    void run(std::uint16_t port) {
        GatewayClient g(port);
        if (!g.hello("gw1")) return fail("the gateway handshake failed");
        if (!send(g, {{"type", "agent.state"}, {"agent", "a1"}, {"state", "ready"}})) return;
        for (std::uint64_t n = 1; !stopping_; ++n) {
            const std::string call = "c" + std::to_string(n);
            if (!send(g,
                      {{"type", "call.offered"},
                       {"call_id", call},
                       {"caller", "+35262100" + std::to_string(1000 + n % 9000)},
                       {"dialed", "+1001"}},
                      "call.route") ||
                !send(g, {{"type", "call.answered"}, {"call_id", call}, {"agent", "a1"}}) ||
                !send(g, {{"type", "call.ended"}, {"call_id", call}, {"cause", "normal"}})) {
                return;
            }
            std::lock_guard lock(mu_);
            completed_ = n;
            grew_.notify_all();
        }
    }

    std::atomic<bool> stopping_{false};
    std::uint64_t seq_ = 0;  // the load thread's own
    mutable std::mutex mu_;
    std::condition_variable grew_;
    std::uint64_t completed_ = 0;
    bool failed_ = false;
    std::string failure_;
    std::thread thread_;  // last: starts once the members above exist
};

struct CopyContents {
    bool opened = false;
    bool verifies = false;
    std::int64_t records = 0;
    std::set<std::string> ended_calls;  // call ids with a call.ended input
};

// Opens a backup with the daemon's PII key, as a restored acdd would, and reads it.
CopyContents read_copy(const std::filesystem::path& copy, const std::filesystem::path& key_file) {
    CopyContents c;
    StoreConfig store;
    store.path = copy;
    store.pii_key_file = key_file;
    store.pii_key_file_given = true;
    auto key = PiiKey::load(store);
    EXPECT_TRUE(key) << key.error().message;
    if (!key) return c;
    StoreOptions options;
    options.path = copy;
    auto opened = Store::open(options, *key);
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return c;
    c.opened = true;
    const auto verified = (*opened)->verify();
    EXPECT_TRUE(verified) << verified.error().message;
    if (verified) {
        EXPECT_TRUE(verified->ok) << "record " << verified->first_bad_id.value_or(0) << ": "
                                  << verified->reason;
        c.verifies = verified->ok;
        c.records = verified->records;
    }
    const Status read = (*opened)->read_records(0, RecordKind::input, [&](const AuditRecord& r) {
        if (r.type == "call.ended") c.ended_calls.insert(r.call_id);
        return true;
    });
    EXPECT_TRUE(read) << read.message();
    return c;
}

TEST(Backup, BackupTakenUnderLoadOpensAndVerifies) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    CallLoad load(daemon.port());
    ASSERT_TRUE(load.wait_for_calls(200)) << load.failure() << daemon.log();

    AdminClient admin((daemon.dir() / "admin.sock").string());
    ASSERT_TRUE(admin.connected());
    std::uint64_t done_before_last_backup = 0;
    for (int i = 1; i <= 3; ++i) {
        const std::uint64_t done_before = load.completed();
        done_before_last_backup = done_before;
        const auto copy = daemon.dir() / ("backup-" + std::to_string(i) + ".db");
        const Json r = admin.call("backup", {{"path", copy.string()}});
        ASSERT_EQ(r.value("result", -1), 0) << r.dump() << daemon.log();
        EXPECT_EQ(r["arguments"]["path"], copy.string());

        const CopyContents c = read_copy(copy, daemon.dir() / "acdd.db.key");
        ASSERT_TRUE(c.opened);
        EXPECT_TRUE(c.verifies);
        EXPECT_EQ(c.records, r["arguments"]["records"].get<std::int64_t>());
        // Every call whose end was acknowledged before the backup was asked for is in it.
        EXPECT_GE(c.ended_calls.size(), done_before);
        for (std::uint64_t n = 1; n <= done_before; ++n)
            EXPECT_TRUE(c.ended_calls.contains("c" + std::to_string(n))) << "c" << n;
        // The load goes on between two backups.
        ASSERT_TRUE(load.wait_for_calls(load.completed() + 5)) << load.failure() << daemon.log();
    }
    // Calls went on during the backups, not only before them.
    EXPECT_GT(load.completed(), done_before_last_backup);
    load.stop();
    EXPECT_EQ(load.failure(), "");

    // The live database still verifies, and acdd stops cleanly.
    const Json verified = admin.call("audit-verify");
    EXPECT_EQ(verified["arguments"]["ok"], true) << verified.dump();
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

}  // namespace
}  // namespace acd::test
