// The store's guards at open (include/acd/store.hpp, store_lock.hpp): one process per database,
// and a database behind its side file refused unless the loss is accepted, then audited.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "acd/store.hpp"
#include "acd/store_lock.hpp"
#include "temp_dir.hpp"

namespace acd {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

PiiKey test_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(7);
    return PiiKey::from_bytes(bytes);
}

WriteBatch event(std::uint64_t seq) {
    AuditRecord r;
    r.at = Time{} + std::chrono::hours(24 * 20000) + std::chrono::seconds(seq);
    r.kind = RecordKind::input;
    r.type = "call.offered";
    r.gateway = "gw1";
    r.seq = seq;
    r.call_id = "c" + std::to_string(seq);
    r.body = "{}";
    WriteBatch b;
    b.records.push_back(std::move(r));
    return b;
}

StoreOptions options(const TempDir& dir, bool accept = false) {
    StoreOptions o;
    o.path = dir / "acdd.db";
    o.synchronous = Synchronous::normal;
    o.accept_data_loss = accept;
    return o;
}

// Opens the store, appends events [from, to] of gw1, closes it (the side file written last).
void write_events(const TempDir& dir, std::uint64_t from, std::uint64_t to) {
    auto store = Store::open(options(dir), test_key());
    ASSERT_TRUE(store) << store.error().message;
    for (std::uint64_t seq = from; seq <= to; ++seq)
        (*store)->append(event(seq));
    (*store)->flush();
}

std::string text_of(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(StoreLock, ASecondLockOnTheSameDatabaseIsRefusedAndNamesTheHolder) {
    TempDir dir;
    auto first = StoreLock::acquire(dir / "acdd.db");
    ASSERT_TRUE(first) << first.error().message;
    auto second = StoreLock::acquire(dir / "acdd.db");
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("is in use by another acdd (pid " +
                                          std::to_string(::getpid()) + ";"),
              std::string::npos)
        << second.error().message;
    first = StoreLock::acquire(dir / "other.db");  // the first one released
    ASSERT_TRUE(first);
    EXPECT_TRUE(StoreLock::acquire(dir / "acdd.db"));
}

TEST(SideFile, HoldsTheChainHeadAndEachGatewaysLastSeqAfterClose) {
    TempDir dir;
    write_events(dir, 1, 5);
    const std::string head = text_of(dir / "acdd.db.head");
    EXPECT_NE(head.find("audit_id 5\n"), std::string::npos) << head;
    EXPECT_NE(head.find("gateway gw1 5\n"), std::string::npos) << head;
}

TEST(SideFile, ADatabaseBehindItsSideFileIsRefusedUnlessTheLossIsAccepted) {
    TempDir dir;
    TempDir saved;
    write_events(dir, 1, 3);
    fs::copy_file(dir / "acdd.db", saved / "acdd.db");
    write_events(dir, 4, 9);
    fs::copy_file(saved / "acdd.db", dir / "acdd.db", fs::copy_options::overwrite_existing);

    auto refused = Store::open(options(dir), test_key());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("it ends at audit record 3, acdd had committed up to "
                                           "record 9 (6 records missing; gateway gw1: events up "
                                           "to seq 9 were recorded, the database holds them up "
                                           "to seq 3)"),
              std::string::npos)
        << refused.error().message;

    auto accepted = Store::open(options(dir, /*accept=*/true), test_key());
    ASSERT_TRUE(accepted) << accepted.error().message;
    std::vector<AuditRecord> records;
    ASSERT_TRUE((*accepted)->read_records(0, std::nullopt, [&](const AuditRecord& r) {
        records.push_back(r);
        return true;
    }));
    ASSERT_EQ(records.size(), 4U);
    EXPECT_EQ(records.back().type, "data-loss-accepted");
    EXPECT_NE(records.back().body.find("\"expected_head\":9"), std::string::npos);
    EXPECT_TRUE((*accepted)->verify()->ok);
    accepted->reset();
    EXPECT_TRUE(Store::open(options(dir), test_key()));  // the side file follows it now
}

TEST(SideFile, ADatabaseReplacedByAnotherChainIsRefused) {
    TempDir dir;
    write_events(dir, 1, 3);
    // The side file of another chain as long as this one: its record 3 has another hash.
    std::string head = text_of(dir / "acdd.db.head");
    const auto at = head.find("hash ") + 5;
    head[at] = head[at] == '0' ? '1' : '0';
    std::ofstream(dir / "acdd.db.head") << head;
    auto refused = Store::open(options(dir), test_key());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("its audit record 3 is not the one acdd wrote"),
              std::string::npos)
        << refused.error().message;
}

TEST(SideFile, AnUnreadableSideFileIsRefusedWithItsName) {
    TempDir dir;
    write_events(dir, 1, 2);
    std::ofstream(dir / "acdd.db.head") << "garbage\n";
    auto refused = Store::open(options(dir), test_key());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("acdd.db.head is not a head file acdd wrote"),
              std::string::npos)
        << refused.error().message;
}

}  // namespace
}  // namespace acd
