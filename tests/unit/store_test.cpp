// The store (include/acd/store.hpp): round trip, chain, tamper evidence, personal data,
// group commit, back-pressure, failure, snapshots, schema and key rules.
#include "acd/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "temp_dir.hpp"

namespace acd {
namespace {

using test::TempDir;

PiiKey test_key(std::uint8_t fill = 7) {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(fill);
    return PiiKey::from_bytes(bytes);
}

const Time t0 = Time{} + std::chrono::hours(24 * 20000);

AuditRecord record(int n, std::string call_id = "c1", std::string agent = "") {
    AuditRecord r;
    r.at = t0 + seconds(n);
    r.kind = RecordKind::input;
    r.type = "call.offered";
    r.gateway = "gw1";
    r.seq = static_cast<std::uint64_t>(n);
    r.call_id = std::move(call_id);
    r.agent = std::move(agent);
    r.body = "{\"n\":" + std::to_string(n) + "}";
    return r;
}

WriteBatch batch_of(std::vector<AuditRecord> records) {
    WriteBatch b;
    b.records = std::move(records);
    return b;
}

struct Fixture {
    TempDir dir;
    std::mutex mu;
    std::vector<std::uint64_t> durable;
    std::string failure;

    StoreOptions options() {
        StoreOptions o;
        o.path = dir / "acdd.db";
        o.synchronous = Synchronous::normal;
        o.on_durable = [this](std::uint64_t t) {
            std::lock_guard lock(mu);
            durable.push_back(t);
        };
        o.on_failure = [this](const std::string& m) {
            std::lock_guard lock(mu);
            failure = m;
        };
        return o;
    }
    std::unique_ptr<Store> open(StoreOptions o) {
        auto s = Store::open(std::move(o), test_key());
        if (!s) ADD_FAILURE() << s.error().message;
        return s ? std::move(*s) : nullptr;
    }
    std::unique_ptr<Store> open() { return open(options()); }
};

std::vector<AuditRecord> all_records(Store& store) {
    std::vector<AuditRecord> out;
    EXPECT_TRUE(store.read_records(0, std::nullopt, [&](const AuditRecord& r) {
        out.push_back(r);
        return true;
    }));
    return out;
}

// Runs SQL on the database file directly, as an attacker with file access would.
void tamper(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
    sqlite3_close(raw);
}

// The first column of the first row of `sql`, read from the database file directly.
std::int64_t query_int(const std::filesystem::path& db, const char* sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sql;
    const std::int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
    return n;
}

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Store, RecordsRoundTripWithContiguousIdsFromOne) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of({record(1), record(2)}));
    store->append(batch_of({record(3)}));
    store->flush();
    const auto records = all_records(*store);
    ASSERT_EQ(records.size(), 3U);
    for (int i = 0; i < 3; ++i) {
        AuditRecord expected = record(i + 1);
        expected.id = i + 1;
        expected.hash = records[i].hash;
        EXPECT_EQ(records[i], expected);
    }
}

TEST(Store, EachHashChainsThePreviousHashAndTheCanonicalBytes) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of({record(1), record(2)}));
    store->flush();
    const auto records = all_records(*store);
    EXPECT_NE(records[0].hash, records[1].hash);
    auto verified = store->verify();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok);
    EXPECT_EQ(verified->records, 2);
    EXPECT_EQ(verified->head, records[1].hash);
}

TEST(Store, ChainContinuesAcrossRestarts) {
    Fixture f;
    {
        auto store = f.open();
        store->append(batch_of({record(1)}));
    }
    auto store = f.open();
    store->append(batch_of({record(2)}));
    store->flush();
    EXPECT_EQ(all_records(*store).back().id, 2);
    EXPECT_TRUE(store->verify()->ok);
}

TEST(Store, TriggersRefuseUpdateAndDelete) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of({record(1)}));
    store->flush();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((f.dir / "acdd.db").c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    EXPECT_NE(sqlite3_exec(raw, "UPDATE audit SET body = '{}'", nullptr, nullptr, &err), SQLITE_OK);
    EXPECT_STREQ(err, "audit records are append-only");
    sqlite3_free(err);
    EXPECT_NE(sqlite3_exec(raw, "DELETE FROM audit", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
}

TEST(Store, VerifyNamesTheFirstRecordChangedBehindTheTriggers) {
    Fixture f;
    auto store = f.open();
    for (int i = 1; i <= 10; ++i)
        store->append(batch_of({record(i)}));
    store->flush();
    tamper(f.dir / "acdd.db",
           "DROP TRIGGER audit_no_update; UPDATE audit SET call_id = 'other' WHERE id = 6");
    auto verified = store->verify();
    ASSERT_TRUE(verified);
    EXPECT_FALSE(verified->ok);
    EXPECT_EQ(verified->first_bad_id, 6);
    EXPECT_EQ(verified->records, 5);
}

TEST(Store, VerifyNamesARecordDeletedBehindTheTriggers) {
    Fixture f;
    auto store = f.open();
    for (int i = 1; i <= 5; ++i)
        store->append(batch_of({record(i)}));
    store->flush();
    tamper(f.dir / "acdd.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3");
    auto verified = store->verify();
    EXPECT_EQ(verified->first_bad_id, 3);
    EXPECT_EQ(verified->reason, "record 3 is missing");
}

// Issue: the chain shows changed and deleted records, not a cut tail; a head kept outside does.
TEST(Store, VerifyWithAKeptHeadTellsACutTail) {
    Fixture f;
    auto store = f.open();
    for (int i = 1; i <= 5; ++i)
        store->append(batch_of({record(i)}));
    store->flush();
    const auto head = store->head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->id, 5);
    EXPECT_EQ(ChainHead::parse(head->to_string()), *head);
    EXPECT_EQ(store->verify(*head)->reaches_head, true);
    ChainHead other = *head;
    other.hash[0] ^= 1;
    EXPECT_EQ(store->verify(other)->reaches_head, false);
    tamper(f.dir / "acdd.db", "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 4");
    auto verified = store->verify(*head);
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok);  // what is left still chains
    EXPECT_EQ(verified->records, 3);
    EXPECT_EQ(verified->reaches_head, false);
    EXPECT_FALSE(ChainHead::parse("5:abc"));
    EXPECT_FALSE(ChainHead::parse("x:" + std::string(64, '0')));
}

TEST(Store, RecordsAreQueryablePerCallAndPerAgentOverATimeRange) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of(
        {record(1, "c1"), record(2, "c2", "a1"), record(3, "c1", "a1"), record(4, "c3", "a1")}));
    store->flush();
    auto call = store->records_for_call("gw1", "c1");
    ASSERT_TRUE(call);
    ASSERT_EQ(call->size(), 2U);
    EXPECT_EQ((*call)[1].id, 3);
    EXPECT_TRUE(store->records_for_call("gw2", "c1")->empty());
    auto agent = store->records_for_agent("a1", t0 + seconds(2), t0 + seconds(4));
    ASSERT_TRUE(agent);
    ASSERT_EQ(agent->size(), 2U);  // records 2 and 3: the range excludes its end
    EXPECT_EQ((*agent)[0].id, 2);
    EXPECT_EQ((*agent)[1].id, 3);
    EXPECT_TRUE(store->records_for_agent("a2", t0, t0 + seconds(10))->empty());
}

// The side indexes: a record is found by every call and agent it mentions, its own columns or
// the ones its producer names (an input's changes), each once.
TEST(Store, ARecordIsFoundByEveryCallAndAgentItMentions) {
    Fixture f;
    auto store = f.open();
    AuditRecord r = record(1, "c1", "a1");
    r.calls = {{"gw1", "c2"}, {"gw1", "c1"}, {"gw2", "c2"}};
    r.agents = {"a2", "a1", "a2"};
    store->append(batch_of({r, record(2, "c2")}));
    store->flush();
    EXPECT_EQ(store->records_for_call("gw1", "c1")->size(), 1U);
    EXPECT_EQ(store->records_for_call("gw1", "c2")->size(), 2U);
    EXPECT_EQ(store->records_for_call("gw2", "c2")->size(), 1U);
    EXPECT_EQ(store->records_for_agent("a1", t0, t0 + seconds(10))->size(), 1U);
    EXPECT_EQ(store->records_for_agent("a2", t0, t0 + seconds(10))->size(), 1U);
    EXPECT_EQ(query_int(f.dir / "acdd.db", "SELECT count(*) FROM audit_calls"), 4);
    EXPECT_EQ(query_int(f.dir / "acdd.db", "SELECT count(*) FROM audit_agents"), 2);
}

// The writer links the digest its producer computed: the record's content, without its id.
TEST(Store, EachRecordIsLinkedByItsIdAndTheDigestOfItsContent) {
    Fixture f;
    auto store = f.open();
    AuditRecord r = record(1);
    r.changes = R"([{"change":{},"type":"call.queued"}])";
    store->append(batch_of({r, record(2)}));
    store->flush();
    const auto back = all_records(*store);
    ASSERT_EQ(back.size(), 2U);
    EXPECT_EQ(back[0].changes, r.changes);
    EXPECT_EQ(back[0].hash, chain_link(Hash{}, 1, content_digest(back[0])));
    EXPECT_EQ(back[1].hash, chain_link(back[0].hash, 2, content_digest(back[1])));
    EXPECT_TRUE(content_bytes(back[0]).starts_with("acdd-audit-v2"));
    tamper(f.dir / "acdd.db",
           "DROP TRIGGER audit_no_update; UPDATE audit SET changes = '[]' WHERE id = 1");
    EXPECT_EQ(store->verify()->first_bad_id, 1);
}

TEST(Store, PersonalDataIsSealedAndErasureKeepsTheChainValid) {
    Fixture f;
    auto store = f.open();
    const PiiKey key = test_key();
    const std::string p = key.pseudonym("+35244112221");
    WriteBatch b = batch_of({record(1)});
    b.pii.push_back({p, Json{{"phone", "+35244112221"}}, t0});
    store->append(std::move(b));
    store->flush();
    EXPECT_EQ(store->personal_data(p).value(), "{\"phone\":\"+35244112221\"}");

    std::promise<bool> erased;
    WriteBatch erase;
    erase.job = [&](WriteContext& ctx) -> Status {
        auto r = erase_personal_data(ctx, p);
        if (!r) return r.error();
        erased.set_value(*r);
        AuditRecord a = record(2);
        a.kind = RecordKind::action;
        a.type = "patient-erase";
        return ctx.append(a);
    };
    store->append(std::move(erase));
    store->flush();
    EXPECT_TRUE(erased.get_future().get());
    EXPECT_EQ(store->personal_data(p).value(), std::nullopt);
    EXPECT_TRUE(store->verify()->ok);
    EXPECT_EQ(store->verify()->records, 2);
}

TEST(Store, NoClearPhoneNumberAnywhereInTheDatabaseFiles) {
    Fixture f;
    const PiiKey key = test_key();
    {
        auto store = f.open();
        for (int i = 0; i < 50; ++i) {
            const std::string phone = "+3524411" + std::to_string(2000 + i);
            WriteBatch b = batch_of({record(i + 1)});
            b.pii.push_back({key.pseudonym(phone), Json{{"phone", phone}}, t0});
            store->append(std::move(b));
        }
        store->flush();
        for (const char* suffix : {"", "-wal", "-shm"}) {
            const std::string bytes = file_bytes(f.dir.path() / (std::string("acdd.db") + suffix));
            EXPECT_EQ(bytes.find("35244112000"), std::string::npos) << suffix;
            EXPECT_EQ(bytes.find("3524411"), std::string::npos) << suffix;
        }
    }
    EXPECT_EQ(file_bytes(f.dir / "acdd.db").find("3524411"), std::string::npos);
}

// Runs retention with `cutoff` through the writer, as the daemon does; returns how many it erased.
std::int64_t erase_inactive(Store& store, Time cutoff) {
    std::promise<std::int64_t> count;
    WriteBatch retention;
    retention.job = [&](WriteContext& ctx) -> Status {
        auto n = erase_inactive_personal_data(ctx, cutoff);
        if (!n) return n.error();
        count.set_value(*n);
        return {};
    };
    store.append(std::move(retention));
    store.flush();
    return count.get_future().get();
}

TEST(Store, RetentionErasesPeopleInactiveSinceTheCutoff) {
    Fixture f;
    auto store = f.open();
    WriteBatch b;
    b.pii.push_back({"old", Json::object(), t0});
    b.pii.push_back({"recent", Json::object(), t0 + std::chrono::hours(24 * 100)});
    b.pii.push_back({"old", Json::object(), t0 + seconds(5)});  // activity refreshes last_seen only
    store->append(std::move(b));
    EXPECT_EQ(erase_inactive(*store, t0 + std::chrono::hours(24 * 50)), 1);
    EXPECT_FALSE(store->personal_data("old").value());
    EXPECT_TRUE(store->personal_data("recent").value());
}

// Retention counts in days: a caller who calls back within the hour costs no write, and their
// data may then go up to an hour before the retention period ends, never after.
TEST(Store, ActivityWithinAnHourOfLastSeenDoesNotMoveIt) {
    Fixture f;
    auto store = f.open();
    WriteBatch b;
    b.pii.push_back({"again-soon", Json::object(), t0});
    b.pii.push_back({"again-later", Json::object(), t0});
    b.pii.push_back({"again-soon", Json::object(), t0 + std::chrono::minutes(59)});
    b.pii.push_back({"again-later", Json::object(), t0 + std::chrono::minutes(60)});
    store->append(std::move(b));
    EXPECT_EQ(erase_inactive(*store, t0 + std::chrono::minutes(30)), 1);
    EXPECT_FALSE(store->personal_data("again-soon").value());
    EXPECT_TRUE(store->personal_data("again-later").value());
}

// A job that holds the writer until released: what is appended meanwhile waits for one commit.
struct WriterGate {
    std::promise<void> entered;
    std::promise<void> release;
    WriteBatch batch() {
        WriteBatch b;
        b.job = [this](WriteContext&) -> Status {
            entered.set_value();
            release.get_future().wait();
            return {};
        };
        return b;
    }
};

TEST(Store, GroupCommitPutsWhatArrivesDuringACommitIntoTheNextTransaction) {
    Fixture f;
    auto store = f.open();
    WriterGate gate;
    store->append(gate.batch());
    gate.entered.get_future().wait();
    for (int i = 1; i <= 10; ++i)
        store->append(batch_of({record(i)}));
    gate.release.set_value();
    store->flush();
    std::lock_guard lock(f.mu);
    EXPECT_EQ(f.durable, (std::vector<std::uint64_t>{1, 11}));
}

// A producer that paused on pending_records() looks again when on_durable comes: it must see
// the committed records gone, or it may wait for a commit that never comes (the daemon once
// stopped reading its gateways until a timer fired).
TEST(Store, OnDurableNoLongerCountsTheCommittedRecordsAsPending) {
    Fixture f;
    std::atomic<Store*> self{nullptr};
    std::vector<std::size_t> seen;
    StoreOptions o = f.options();
    o.on_durable = [&](std::uint64_t) {
        std::lock_guard lock(f.mu);
        seen.push_back(self.load()->pending_records());
    };
    auto store = f.open(std::move(o));
    self = store.get();
    WriterGate gate;
    store->append(gate.batch());
    gate.entered.get_future().wait();
    for (int i = 1; i <= 10; ++i)
        store->append(batch_of({record(i)}));
    gate.release.set_value();
    store->flush();
    std::lock_guard lock(f.mu);
    EXPECT_EQ(seen, (std::vector<std::size_t>{20, 0}));  // a batch counts its records plus one
}

TEST(Store, AppendBlocksWhileTooManyRecordsWait) {
    Fixture f;
    StoreOptions o = f.options();
    o.max_pending_records = 4;
    auto store = f.open(std::move(o));
    WriterGate gate;
    store->append(gate.batch());  // 1 pending
    gate.entered.get_future().wait();
    store->append(batch_of({record(1), record(2)}));  // 4 pending: at the cap
    std::atomic<bool> returned{false};
    std::thread producer([&] {
        store->append(batch_of({record(3)}));
        returned = true;
    });
    EXPECT_EQ(store->pending_records(), 4U);
    EXPECT_FALSE(returned);
    gate.release.set_value();
    producer.join();
    store->flush();
    EXPECT_EQ(all_records(*store).size(), 3U);
}

TEST(Store, AFailedCommitStopsDurabilityAndIsReported) {
    Fixture f;
    auto store = f.open();
    WriteBatch bad;
    bad.job = [](WriteContext&) -> Status { return Error{ErrorCode::io_error, "disk on fire"}; };
    store->append(batch_of({record(1)}));
    store->flush();
    store->append(std::move(bad));
    store->append(batch_of({record(2)}));
    store->flush();
    EXPECT_TRUE(store->failed());
    std::lock_guard lock(f.mu);
    EXPECT_NE(f.failure.find("disk on fire"), std::string::npos);
    EXPECT_EQ(f.durable, (std::vector<std::uint64_t>{1}));
}

TEST(Store, FailedTransactionLeavesNoPartOfItsRecords) {
    Fixture f;
    {
        auto store = f.open();
        WriteBatch b = batch_of({record(1), record(2)});
        b.job = [](WriteContext&) -> Status { return Error{ErrorCode::io_error, "no"}; };
        store->append(std::move(b));
        store->flush();
    }
    auto store = f.open();
    EXPECT_TRUE(all_records(*store).empty());
    store->append(batch_of({record(3)}));
    store->flush();
    EXPECT_EQ(all_records(*store)[0].id, 1);
}

// A job that fails for a reason of its own (a statement refused, not the disk) fails alone: what
// it wrote is rolled back, the rest of the transaction commits, the chain has no gap, and the
// store goes on.
TEST(Store, AJobThatFailsIsRolledBackAloneAndTheTransactionCommitsWithoutIt) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of({record(1)}));
    WriteBatch bad = batch_of({record(2)});
    bad.job = [](WriteContext& ctx) -> Status {
        if (Status s = ctx.append(record(3)); !s) return s;  // rolled back with the job
        return Error{ErrorCode::store, "UNIQUE constraint failed"};
    };
    store->append(std::move(bad));
    WriteBatch good;
    good.job = [](WriteContext& ctx) -> Status { return ctx.append(record(4)); };
    store->append(std::move(good));
    store->flush();
    EXPECT_FALSE(store->failed());
    const auto records = all_records(*store);
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[1].body, record(2).body);
    EXPECT_EQ(records[2].body, record(4).body);
    EXPECT_EQ(records[2].id, 3);  // no gap where the failed job's record was
    EXPECT_TRUE(store->verify()->ok);
    std::lock_guard lock(f.mu);
    ASSERT_FALSE(f.durable.empty());
    EXPECT_EQ(f.durable.back(), 3U);  // every batch, the failed job's too, is durable
    EXPECT_TRUE(f.failure.empty());
}

TEST(Store, SnapshotIsTheStateAfterTheRecordsBeforeIt) {
    Fixture f;
    auto store = f.open();
    for (int i = 1; i <= 3; ++i) {
        WriteBatch b = batch_of({record(2 * i - 1), record(2 * i)});
        b.snapshot = "state-" + std::to_string(i);
        store->append(std::move(b));
    }
    store->flush();
    auto snap = store->latest_snapshot();
    ASSERT_TRUE(snap && *snap);
    EXPECT_EQ((*snap)->audit_id, 6);
    EXPECT_EQ((*snap)->state, "state-3");
    EXPECT_EQ((*snap)->at, t0 + seconds(6));
}

TEST(Store, FinishedCallsRoundTrip) {
    Fixture f;
    auto store = f.open();
    CallSnapshot c;
    c.gateway = "gw1";
    c.call_id = "c1";
    c.caller = "p1";
    c.specialty = "cardiology";
    c.call_class = CallClass::urgent;
    c.state = CallState::ended;
    c.enqueued_at = t0;
    c.answered_at = t0 + seconds(12);
    c.ended_at = t0 + seconds(100);
    c.outcome = Outcome::completed;
    c.team = "ext";
    c.overflowed = true;
    WriteBatch b;
    b.finished_calls.push_back(c);
    store->append(std::move(b));
    store->flush();
    auto calls = store->finished_calls(t0);
    ASSERT_TRUE(calls);
    ASSERT_EQ(calls->size(), 1U);
    EXPECT_EQ((*calls)[0], c);
    EXPECT_TRUE(store->finished_calls(t0 + seconds(1))->empty());
}

TEST(Store, ADatabaseWrittenWithAnotherKeyIsRefused) {
    Fixture f;
    { auto store = f.open(); }
    auto other = Store::open(f.options(), test_key(9));
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("another PII key"), std::string::npos);
}

TEST(Store, ADatabaseNewerThanTheCodeIsRefused) {
    Fixture f;
    { auto store = f.open(); }
    tamper(f.dir / "acdd.db", "PRAGMA user_version = 99");
    auto store = Store::open(f.options(), test_key());
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("schema version 99 is newer"), std::string::npos)
        << store.error().message;
}

// The writer skips the CHECK on `kind` for speed (it binds only RecordKind's words); the schema
// keeps it for every other connection.
TEST(Store, EveryKindIsWrittenAndTheSchemaStillRefusesOthers) {
    Fixture f;
    auto store = f.open();
    std::vector<AuditRecord> records;
    for (const RecordKind k : {RecordKind::input, RecordKind::output, RecordKind::action}) {
        AuditRecord r = record(static_cast<int>(records.size()) + 1);
        r.kind = k;
        records.push_back(r);
    }
    store->append(batch_of(records));
    store->flush();
    const auto back = all_records(*store);
    ASSERT_EQ(back.size(), 3U);
    EXPECT_EQ(back[0].kind, RecordKind::input);
    EXPECT_EQ(back[1].kind, RecordKind::output);
    EXPECT_EQ(back[2].kind, RecordKind::action);
    store.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((f.dir / "acdd.db").c_str(), &db), SQLITE_OK);
    const int rc = sqlite3_exec(db,
                                "INSERT INTO audit (id, at, kind, type, body, hash) "
                                "VALUES (4, 0, 'bogus', 't', '{}', x'00')",
                                nullptr, nullptr, nullptr);
    EXPECT_EQ(rc & 0xff, SQLITE_CONSTRAINT) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

TEST(Store, UsesWalAndTheConfiguredSynchronousMode) {
    Fixture f;
    StoreOptions o = f.options();
    o.synchronous = Synchronous::full;
    { auto store = f.open(std::move(o)); }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((f.dir / "acdd.db").c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
}

}  // namespace
TEST(StoreBackup, ACopyIsPrivateToItsOwnerAndHoldsEveryRecord) {
    Fixture f;
    auto store = f.open();
    store->append(batch_of({record(1), record(2)}));
    store->flush();
    const auto copy = f.dir / "copy.db";
    const auto count = store->backup(copy);
    ASSERT_TRUE(count.ok()) << count.error().message;
    EXPECT_EQ(*count, 2);
    struct stat st {};
    ASSERT_EQ(::stat(copy.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600U);
}

TEST(StoreBackup, AnExistingFileIsRefusedAndLeftAsItWas) {
    Fixture f;
    auto store = f.open();
    const auto copy = f.dir / "copy.db";
    std::ofstream(copy) << "keep me";
    const auto count = store->backup(copy);
    ASSERT_FALSE(count.ok());
    EXPECT_EQ(count.error().message, copy.string() + " exists already: choose a new file");
    EXPECT_EQ(file_bytes(copy), "keep me");
}

}  // namespace acd
