// Crash test of the store (issue: "nothing the daemon has acknowledged may be lost"): a child
// process appends records and reports what the store acknowledged durable; it is killed with
// SIGKILL at random moments, many times. After each kill, every acknowledged record is present,
// exactly once, in order, and the chain verifies.
#include <gtest/gtest.h>

#include <csignal>
#include <random>

#include "acd/store.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace acd::test {
namespace {

const std::string kChild = ACD_STORE_CRASH_CHILD;

std::int64_t highest_acked(const std::string& out) {
    std::int64_t best = 0;
    for (std::size_t at = out.find("acked "); at != std::string::npos;
         at = out.find("acked ", at + 1)) {
        best = std::max<std::int64_t>(best, std::stoll(out.substr(at + 6)));
    }
    return best;
}

void check_store(const std::filesystem::path& db, std::int64_t acked, int round) {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(5);
    StoreOptions options;
    options.path = db;
    auto store = Store::open(options, PiiKey::from_bytes(bytes));
    ASSERT_TRUE(store) << store.error().message;
    std::int64_t expected = 1;
    ASSERT_TRUE((*store)->read_records(0, std::nullopt, [&](const AuditRecord& r) {
        EXPECT_EQ(r.body, "{\"n\":" + std::to_string(expected) + "}") << "round " << round;
        ++expected;
        return !testing::Test::HasFailure();
    }));
    EXPECT_GE(expected - 1, acked) << "round " << round << ": acknowledged records are missing";
    auto verified = (*store)->verify();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok) << "round " << round << ": " << verified->reason;
}

void crash_many_times(const char* synchronous, int rounds) {
    TempDir dir;
    const auto db = dir / "crash.db";
    std::mt19937 rng(42);
    std::int64_t acked = 0;
    for (int round = 1; round <= rounds; ++round) {
        ChildProcess child({kChild, db.string(), synchronous});
        // Kill after a random number of acknowledgements: mid-commit, mid-append, anywhere.
        const int acks = 1 + static_cast<int>(rng() % 40);
        const bool reached = child.wait_until(
            [&](const std::string& out, const std::string&) {
                return std::count(out.begin(), out.end(), '\n') >= acks;
            },
            std::chrono::seconds(30));
        ASSERT_TRUE(reached) << "round " << round << ": " << child.err_so_far();
        child.signal(SIGKILL);
        const ProcessResult r = child.wait(std::chrono::seconds(10));
        EXPECT_EQ(r.exit_code, 128 + SIGKILL);
        acked = std::max(acked, highest_acked(r.out));
        check_store(db, acked, round);
        if (testing::Test::HasFailure()) return;
    }
}

TEST(StoreCrash, EveryAcknowledgedRecordSurvivesSigkillExactlyOnceWithSynchronousNormal) {
    crash_many_times("normal", 40);
}

TEST(StoreCrash, EveryAcknowledgedRecordSurvivesSigkillExactlyOnceWithSynchronousFull) {
    crash_many_times("full", 20);
}

}  // namespace
}  // namespace acd::test
