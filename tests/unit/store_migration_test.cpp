// The migration of the store from schema 3 (one row per engine change, hash format 1) to schema 4
// (one record per input, hash format 2), on a database written by acdd at schema 3
// (tests/fixtures/acdd-schema3.sql): the chain verifies across it, recovery replays the old and
// the new records, the side indexes find the old rows and the new ones.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "acd/snapshot.hpp"
#include "acd/store.hpp"
#include "daemon/journal.hpp"
#include "daemon/recovery.hpp"
#include "temp_dir.hpp"

namespace acd {
namespace {

using test::TempDir;

constexpr std::int64_t kOldRecords = 57;  // in the fixture

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(ACD_FIXTURES) + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

PiiKey fixture_key() {
    const std::string hex = fixture("acdd-0.1.0.key");
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return PiiKey::from_bytes(bytes);
}

void exec(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
    sqlite3_close(raw);
}

std::string query_text(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = sqlite3_column_blob(stmt, 0);
        out.assign(static_cast<const char*>(text), std::size_t(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
    return out;
}

struct Schema3 {
    TempDir dir;
    std::filesystem::path db = dir / "acdd.db";
    // The state acdd snapshotted at its shutdown, after the last record of the fixture.
    std::string shutdown_state;

    Schema3() {
        exec(db, fixture("acdd-schema3.sql"));
        shutdown_state = query_text(db, "SELECT state FROM snapshots ORDER BY audit_id DESC");
    }
    std::unique_ptr<Store> open() {
        StoreOptions o;
        o.path = db;
        o.synchronous = Synchronous::normal;
        auto s = Store::open(std::move(o), fixture_key());
        if (!s) ADD_FAILURE() << s.error().message;
        return s ? std::move(*s) : nullptr;
    }
};

// The recovered engine, from the log alone (no snapshot).
std::unique_ptr<Engine> replay_whole_log(Store& store) {
    auto recovered = recover(store);
    EXPECT_TRUE(recovered) << recovered.error().message;
    if (!recovered) return nullptr;
    EXPECT_EQ(recovered->snapshot_id, 0);
    return std::move(recovered->engine);
}

// What the engine outputs when agent `agent` becomes ready (one AgentChange), built out of line:
// GCC 12 at -O3 warns (maybe-uninitialized) on the variant built in place inside a test body.
Output agent_ready_output(const std::string& agent) {
    Output out;
    out.changes.emplace_back(AgentChange{Time{} + std::chrono::seconds(1'800'000'000), Cause::ready,
                                         agent, AgentState::ready, "", "", ""});
    return out;
}

EngineImage without_clock(EngineImage im) {
    im.now = Time{};
    return im;
}

TEST(StoreMigration, ASchema3DatabaseIsMigratedInPlaceAndItsChainStillVerifies) {
    Schema3 old;
    auto store = old.open();
    ASSERT_TRUE(store);
    EXPECT_EQ(query_text(old.db, "SELECT CAST(user_version AS TEXT) FROM pragma_user_version"),
              "4");
    EXPECT_EQ(query_text(old.db, "SELECT value FROM meta WHERE key = 'audit.format2_from'"),
              std::to_string(kOldRecords + 1));
    const auto verified = store->verify();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok) << verified->reason;
    EXPECT_EQ(verified->records, kOldRecords);
}

TEST(StoreMigration, TheFirstNewRecordChainsOntoTheLastOldOneAndTheChainVerifiesAcrossBoth) {
    Schema3 old;
    auto store = old.open();
    ASSERT_TRUE(store);
    const auto before = store->head();
    ASSERT_TRUE(before);
    EXPECT_EQ(before->id, kOldRecords);
    const Output out = agent_ready_output("a3");
    store->append(journal_batch(input::AgentReady{"a3"}, out, Time{} + seconds(1'800'000'000)));
    store->flush();
    const auto after = store->head();
    EXPECT_EQ(after->id, kOldRecords + 1);
    AuditRecord last;
    ASSERT_TRUE(store->read_records(kOldRecords, std::nullopt, [&](const AuditRecord& r) {
        last = r;
        return true;
    }));
    EXPECT_EQ(last.hash, chain_link(before->hash, last.id, content_digest(last)));
    EXPECT_FALSE(last.changes.empty());
    const auto verified = store->verify(*before);
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok) << verified->reason;
    EXPECT_EQ(verified->records, kOldRecords + 1);
    EXPECT_EQ(verified->reaches_head, true);
}

TEST(StoreMigration, VerifyFindsAChangedRecordOnEitherSideOfTheMigration) {
    for (const char* change : {"UPDATE audit SET body = '{}' WHERE id = 20",  // format 1
                               "UPDATE audit SET changes = '[]' WHERE id = 58"}) {
        Schema3 old;
        auto store = old.open();
        ASSERT_TRUE(store);
        const Output out = agent_ready_output("a3");
        store->append(journal_batch(input::AgentReady{"a3"}, out, Time{} + seconds(1'800'000'000)));
        store->flush();
        exec(old.db, std::string("DROP TRIGGER audit_no_update; ") + change);
        const auto verified = store->verify();
        ASSERT_TRUE(verified);
        EXPECT_FALSE(verified->ok) << change;
        EXPECT_EQ(verified->first_bad_id, std::string(change).ends_with("58") ? 58 : 20) << change;
    }
}

TEST(StoreMigration, RecoveryFromTheMigratedLogReproducesTheStateItsWriterSnapshotted) {
    Schema3 old;
    exec(old.db, "DELETE FROM snapshots");  // the whole log is replayed
    auto store = old.open();
    ASSERT_TRUE(store);
    auto engine = replay_whole_log(*store);
    ASSERT_TRUE(engine);
    auto snapshotted = restore_engine(old.shutdown_state);
    ASSERT_TRUE(snapshotted) << snapshotted.error().message;
    EXPECT_EQ(without_clock(engine->image()), without_clock((*snapshotted)->image()))
        << "replayed:    " << snapshot_engine(*engine) << "\nsnapshotted: " << old.shutdown_state;
}

TEST(StoreMigration, RecoveryReplaysTheOldInputsThenTheNewOnes) {
    Schema3 old;
    exec(old.db, "DELETE FROM snapshots");
    auto store = old.open();
    ASSERT_TRUE(store);
    auto live = replay_whole_log(*store);
    ASSERT_TRUE(live);
    const Time at = live->now() + seconds(2);
    for (const Input& in :
         {Input{input::AgentReady{"a3"}},
          Input{input::GatewayEvent{
              "gw1", 100,
              input::CallOffered{"c9", "p", "+35244116627", std::nullopt, std::nullopt}}}}) {
        apply_with_timers(*live, in, at, [&](const Input& input, const Output& out) {
            if (journaled(input, out)) store->append(journal_batch(input, out, at));
        });
    }
    store->flush();
    auto recovered = replay_whole_log(*store);
    ASSERT_TRUE(recovered);
    EXPECT_EQ(without_clock(recovered->image()), without_clock(live->image()));
    EXPECT_TRUE(store->verify()->ok);
}

TEST(StoreMigration, TheSideIndexesFindTheOldRowsAndTheNewRecords) {
    Schema3 old;
    auto store = old.open();
    ASSERT_TRUE(store);
    const auto c1 = store->records_for_call("gw1", "c1");
    ASSERT_TRUE(c1);
    // Schema 3 wrote c1's inputs and each of its changes in rows of their own.
    std::size_t inputs = 0;
    std::size_t outputs = 0;
    for (const AuditRecord& r : *c1) {
        inputs += r.kind == RecordKind::input;
        outputs += r.kind == RecordKind::output;
    }
    EXPECT_GE(inputs, 3U);  // offered, answered, ended
    EXPECT_GE(outputs, 3U);
    const auto a1 = store->records_for_agent("a1", Time{}, Time{} + seconds(4'000'000'000));
    ASSERT_TRUE(a1);
    EXPECT_FALSE(a1->empty());

    // A new input whose change names a call and an agent its own columns do not.
    const Time at = Time{} + seconds(1'800'000'000);
    CallSnapshot call;
    call.gateway = "gw1";
    call.call_id = "c4";
    call.agent = "a2";
    Output out;
    out.changes.push_back(CallChange{at, Cause::routed, call});
    store->append(journal_batch(
        input::GatewayEvent{"gw1", 100, input::AgentReport{"a2", AgentState::ready, ""}}, out, at));
    store->flush();
    const auto c4 = store->records_for_call("gw1", "c4");
    ASSERT_TRUE(c4);
    ASSERT_FALSE(c4->empty());
    EXPECT_EQ(c4->back().id, kOldRecords + 1);
    const auto a2 = store->records_for_agent("a2", at, at + seconds(1));
    ASSERT_TRUE(a2);
    ASSERT_EQ(a2->size(), 1U);
    EXPECT_EQ(a2->front().id, kOldRecords + 1);
}

TEST(StoreMigration, ASchema2DatabaseGetsTheTimeIndexInsteadOfTheAgentIndex) {
    Schema3 old;
    exec(old.db,
         "DROP INDEX audit_by_at; CREATE INDEX audit_by_agent ON audit (agent) WHERE agent IS "
         "NOT NULL; PRAGMA user_version = 2");
    auto store = old.open();
    ASSERT_TRUE(store);
    EXPECT_EQ(query_text(old.db,
                         "SELECT count(*) FROM sqlite_schema WHERE name = "
                         "'audit_by_agent' OR name = 'audit_by_call'"),
              "0");
    EXPECT_EQ(query_text(old.db, "SELECT name FROM sqlite_schema WHERE name = 'audit_by_at'"),
              "audit_by_at");
    EXPECT_TRUE(store->verify()->ok);
}

}  // namespace
}  // namespace acd
