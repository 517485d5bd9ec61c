// acd::Store: schema and migrations, the writer thread with group commit, the hash chain, and
// the read side. See include/acd/store.hpp for the contract and docs/storage.md for the schema.
#include "acd/store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <unistd.h>

#include <cstring>

#include "store_impl.hpp"

namespace acd {
namespace {

constexpr std::int64_t kSchemaVersion = 3;
constexpr std::size_t kMaxRecordsPerCommit = 100'000;
constexpr int kSnapshotsKept = 2;
// A person's last_seen is refreshed when it is at least this old (an hour), see write_pii.
constexpr std::int64_t kPiiTouchEveryMs = 60 * 60 * 1000;
constexpr int kPageSize = 16384;
constexpr int kCacheKiB = 64 * 1024;
// The checkpointer runs a pass each time this many pages (4 MiB) were added to the WAL. Past
// kRestartPages (256 MiB), the writer finishes the copy so that the WAL starts over (the file
// keeps its size and is written again from its start). Past kWriterCheckpointPages (a
// checkpointer that cannot keep up), the writer checkpoints itself after each commit, as
// SQLite's wal_autocheckpoint would; the file is cut back to kWalSizeLimit when it starts over.
// Measured in docs/performance.md: a pass every 16 MiB left the writer a longer copy at each
// restart, and cutting the file back at every restart made the next commit wait ~80 ms for the
// file system (ack p99 140 ms at 20,000 events/s, 25 ms without both).
constexpr int kCheckpointPages = 256;
constexpr int kRestartPages = 16384;
constexpr int kWriterCheckpointPages = 2 * kRestartPages;
constexpr std::int64_t kWalSizeLimit = std::int64_t(kWriterCheckpointPages) * kPageSize;

// Migration i brings the schema from version i to i + 1.
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  kind    TEXT NOT NULL CHECK (kind IN ('input', 'output', 'action')),
  type    TEXT NOT NULL,
  gateway TEXT,
  seq     INTEGER,
  call_id TEXT,
  agent   TEXT,
  uid     INTEGER,
  gid     INTEGER,
  body    TEXT NOT NULL,
  hash    BLOB NOT NULL
);
CREATE INDEX audit_by_call ON audit (call_id, gateway) WHERE call_id IS NOT NULL;
CREATE INDEX audit_by_agent ON audit (agent) WHERE agent IS NOT NULL;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TABLE pii (
  pseudonym TEXT PRIMARY KEY,
  sealed    BLOB NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pii_by_last_seen ON pii (last_seen);
CREATE TABLE calls (
  id          INTEGER PRIMARY KEY,
  gateway     TEXT NOT NULL,
  call_id     TEXT NOT NULL,
  caller      TEXT NOT NULL,
  specialty   TEXT NOT NULL,
  class       TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  answered_at INTEGER,
  ended_at    INTEGER NOT NULL,
  outcome     TEXT NOT NULL,
  agent       TEXT,
  team        TEXT,
  overflowed  INTEGER NOT NULL
);
CREATE INDEX calls_by_enqueued_at ON calls (enqueued_at);
CREATE INDEX calls_by_caller ON calls (caller);
CREATE TABLE snapshots (
  audit_id INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  state    BLOB NOT NULL
);
)sql",
    // 2: the agenda (src/store/agenda.cpp). Patients are pseudonyms; their personal data stays
    // in pii. Times in ms since the epoch, UTC.
    R"sql(
CREATE TABLE slots (
  id           INTEGER PRIMARY KEY,
  specialty    TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  starts_at    INTEGER NOT NULL,
  duration_min INTEGER NOT NULL CHECK (duration_min > 0),
  opened_at    INTEGER NOT NULL,
  opened_by    TEXT NOT NULL
);
CREATE INDEX slots_by_specialty ON slots (specialty, starts_at);
CREATE INDEX slots_by_practitioner ON slots (practitioner, starts_at);
CREATE INDEX slots_by_start ON slots (starts_at);
CREATE TABLE appointments (
  id               INTEGER PRIMARY KEY,
  slot_id          INTEGER NOT NULL REFERENCES slots (id),
  patient          TEXT NOT NULL,
  reason           TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
  booked_at        INTEGER NOT NULL,
  booked_by        TEXT NOT NULL,
  call_id          TEXT,
  cancelled_at     INTEGER,
  cancelled_by     TEXT,
  cancel_reason    TEXT,
  reminder_sent_at INTEGER
);
-- Two appointments never hold one slot: the second line of defence behind the writer's check.
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments (slot_id) WHERE status = 'booked';
CREATE INDEX appointments_by_patient ON appointments (patient);
CREATE TABLE waitlist (
  id             INTEGER PRIMARY KEY,
  specialty      TEXT NOT NULL,
  patient        TEXT NOT NULL,
  reason         TEXT NOT NULL,
  wanted_before  INTEGER,
  added_at       INTEGER NOT NULL,
  added_by       TEXT NOT NULL,
  call_id        TEXT,
  status         TEXT NOT NULL CHECK (status IN ('waiting', 'booked')),
  appointment_id INTEGER
);
CREATE INDEX waitlist_waiting ON waitlist (specialty, id) WHERE status = 'waiting';
CREATE INDEX waitlist_by_patient ON waitlist (patient);
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  specialty       TEXT NOT NULL,
  practitioner    TEXT,
  patient         TEXT NOT NULL,
  urgency         TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal')),
  action_asked    TEXT NOT NULL CHECK (action_asked IN ('call_back', 'book', 'info')),
  reason          TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  call_id         TEXT,
  acknowledged_at INTEGER,
  acknowledged_by TEXT
);
CREATE INDEX messages_by_specialty ON messages (specialty, created_at);
CREATE INDEX messages_by_patient ON messages (patient);
CREATE INDEX messages_open_urgent ON messages (created_at)
  WHERE acknowledged_at IS NULL AND urgency = 'urgent';
CREATE TABLE agenda_changes (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  patient        TEXT NOT NULL,
  change         TEXT NOT NULL,
  appointment_id INTEGER,
  message_id     INTEGER,
  entry_id       INTEGER,
  call_id        TEXT,
  gateway        TEXT,
  made_by        TEXT NOT NULL
);
CREATE INDEX agenda_changes_by_patient ON agenda_changes (patient, id);
-- caller-history and the agenda commands find a finished call by its id.
CREATE INDEX calls_by_call_id ON calls (call_id);
)sql",
    R"sql(
-- The audit log is read by time range ("what did agent b007 do on Tuesday" filters a range of
-- at, then the agent). An index per agent cost every commit one page per agent it touched: a
-- third of the WAL under load (docs/performance.md). at only grows: its index is appended to.
DROP INDEX audit_by_agent;
CREATE INDEX audit_by_at ON audit (at);
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr std::string_view kRecordColumns =
    "id, at, kind, type, gateway, seq, call_id, agent, uid, gid, body, hash";

std::int64_t ms(Time t) {
    return t.time_since_epoch().count();
}
Time from_ms(std::int64_t v) {
    return Time{} + Duration(v);
}

std::optional<std::string_view> null_if_empty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>(v >> shift));
}
void put_str(std::string& out, std::string_view s) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>(s.size() >> shift));
    }
    out.append(s);
}
void put_opt(std::string& out, const std::optional<std::int64_t>& v) {
    out.push_back(v ? 1 : 0);
    if (v) put_u64(out, static_cast<std::uint64_t>(*v));
}

// SHA-256 with the algorithm fetched once and the context reused: EVP_Digest() looks the
// algorithm up and allocates a context on every call, which cost as much as hashing a record.
class Sha256 {
  public:
    Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
    ~Sha256() {
        EVP_MD_CTX_free(ctx_);
        EVP_MD_free(md_);
    }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Hash of(std::string_view a, std::string_view b) {
        Hash out{};
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx_, md_, nullptr);
        EVP_DigestUpdate(ctx_, a.data(), a.size());
        EVP_DigestUpdate(ctx_, b.data(), b.size());
        EVP_DigestFinal_ex(ctx_, out.data(), &len);
        return out;
    }

  private:
    EVP_MD* md_;
    EVP_MD_CTX* ctx_;
};

Hash chain_hash(const Hash& previous, const AuditRecord& record) {
    thread_local Sha256 sha;  // the writer thread and the reader side each have theirs
    return sha.of(std::string_view(reinterpret_cast<const char*>(previous.data()), previous.size()),
                  canonical_bytes(record));
}

std::optional<RecordKind> parse_kind(std::string_view s) {
    for (RecordKind k : {RecordKind::input, RecordKind::output, RecordKind::action}) {
        if (to_string(k) == s) return k;
    }
    return std::nullopt;
}

AuditRecord record_from_row(const sql::Statement& row) {
    AuditRecord r;
    r.id = row.int64(0);
    r.at = from_ms(row.int64(1));
    r.kind = parse_kind(row.text(2)).value_or(RecordKind::action);
    r.type = std::string(row.text(3));
    r.gateway = std::string(row.text(4));
    r.seq = static_cast<std::uint64_t>(row.int64(5));
    r.call_id = std::string(row.text(6));
    r.agent = std::string(row.text(7));
    if (!row.is_null(8)) r.uid = row.int64(8);
    if (!row.is_null(9)) r.gid = row.int64(9);
    r.body = std::string(row.text(10));
    const std::string_view hash = row.blob(11);
    if (hash.size() == r.hash.size()) std::memcpy(r.hash.data(), hash.data(), hash.size());
    return r;
}

Status migrate(sql::Db& db, const std::filesystem::path& path) {
    auto version = db.scalar("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kSchemaVersion) {
        return Error{
            ErrorCode::store,
            fmt::format(
                "{}: database schema version {} is newer than this acdd understands ({}): run the "
                "acdd version that wrote it, or a newer one",
                path.string(), *version, kSchemaVersion)};
    }
    for (std::int64_t v = *version; v < kSchemaVersion; ++v) {
        Status s = sql::transaction(db, [&] {
            if (Status m = db.exec(kMigrations[v]); !m) return m;
            return db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
        });
        if (!s)
            return Error{ErrorCode::store, fmt::format("{}: migration to schema {} failed: {}",
                                                       path.string(), v + 1, s.message())};
    }
    return {};
}

// The key the database was written with must be the key we have: a new key would make every
// pseudonym and sealed value unreadable.
Status check_key(sql::Db& db, const PiiKey& key, const std::filesystem::path& path) {
    auto stmt = db.prepare("SELECT value FROM meta WHERE key = 'pii_key_fingerprint'");
    if (!stmt) return stmt.error();
    if (stmt->step()) {
        if (stmt->text(0) == key.fingerprint()) return {};
        return Error{
            ErrorCode::store,
            fmt::format(
                "{} was written with another PII key than store.pii_key_file: restore the key file "
                "it was written with",
                path.string())};
    }
    auto insert = db.prepare("INSERT INTO meta (key, value) VALUES ('pii_key_fingerprint', ?)");
    if (!insert) return insert.error();
    return insert->bind(1, key.fingerprint()).run();
}

}  // namespace

std::string_view to_string(RecordKind kind) {
    switch (kind) {
        case RecordKind::input:
            return "input";
        case RecordKind::output:
            return "output";
        case RecordKind::action:
            return "action";
    }
    return "action";
}

std::string canonical_bytes(const AuditRecord& r) {
    std::string out;
    out.reserve(96 + r.type.size() + r.gateway.size() + r.call_id.size() + r.agent.size() +
                r.body.size());
    out.append("acdd-audit-v1");
    put_u64(out, static_cast<std::uint64_t>(r.id));
    put_u64(out, static_cast<std::uint64_t>(ms(r.at)));
    put_str(out, to_string(r.kind));
    put_str(out, r.type);
    put_str(out, r.gateway);
    put_u64(out, r.seq);
    put_str(out, r.call_id);
    put_str(out, r.agent);
    put_opt(out, r.uid);
    put_opt(out, r.gid);
    put_str(out, r.body);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

Status Store::Impl::open() {
    auto db = sql::Db::open(options.path);
    if (!db) return db.error();
    writer_db = std::move(*db);
    const char* sync = options.synchronous == Synchronous::full ? "FULL" : "NORMAL";
    // Pages of 16 KiB (for a new database; an existing one keeps its size) and a cache of 64 MiB:
    // the log is written in long runs of large records, and every page is written twice (WAL,
    // then checkpoint). Measured under acd-load: a fifth less CPU per event in the writer than
    // 4 KiB pages with SQLite's 2 MiB cache (docs/performance.md, "Gateway").
    for (const std::string& pragma :
         {fmt::format("PRAGMA page_size = {}", kPageSize),
          fmt::format("PRAGMA cache_size = -{}", kCacheKiB),
          std::string("PRAGMA journal_mode = WAL"), fmt::format("PRAGMA synchronous = {}", sync),
          std::string("PRAGMA secure_delete = ON"), std::string("PRAGMA busy_timeout = 5000")}) {
        if (Status s = writer_db.exec(pragma); !s) {
            return Error{ErrorCode::store,
                         fmt::format("{}: {}: {}", options.path.string(), pragma, s.message())};
        }
    }
    if (Status s = migrate(writer_db, options.path); !s) return s;
    if (Status s = check_key(writer_db, key, options.path); !s) return s;

    auto last = writer_db.prepare("SELECT id, at, hash FROM audit ORDER BY id DESC LIMIT 1");
    if (!last) return last.error();
    if (last->step()) {
        last_id = last->int64(0);
        last_at = from_ms(last->int64(1));
        const std::string_view h = last->blob(2);
        if (h.size() == last_hash.size()) std::memcpy(last_hash.data(), h.data(), h.size());
    }
    // The audit table's CHECK (kind IN ('input', 'output', 'action')) makes SQLite build a
    // temporary B-tree of the three words for every INSERT: 15 % of the writer's time. The
    // writer binds `kind` from RecordKind, which has no other value, so this connection skips
    // the check; the schema keeps it, and every other connection still enforces it.
    if (Status s = writer_db.exec("PRAGMA ignore_check_constraints = ON"); !s) return s;
    if (Status s = prepare_statements(); !s) return s;
    if (Status s = writer_db.exec(fmt::format("PRAGMA journal_size_limit = {}", kWalSizeLimit));
        !s) {
        return s;
    }
    auto checkpoints = sql::Db::open(options.path);
    if (!checkpoints) return checkpoints.error();
    checkpoint_db = std::move(*checkpoints);
    if (Status s = checkpoint_db.exec(
            fmt::format("PRAGMA synchronous = {}; PRAGMA busy_timeout = 5000", sync));
        !s) {
        return s;
    }
    // Replaces SQLite's automatic checkpoints on the writer connection.
    sqlite3_wal_hook(writer_db.handle(), &Impl::on_wal_commit, this);

    auto reader = sql::Db::open(options.path);
    if (!reader) return reader.error();
    reader_db = std::move(*reader);
    return reader_db.exec("PRAGMA query_only = 1; PRAGMA busy_timeout = 5000");
}

Status Store::Impl::prepare_statements() {
    struct Item {
        sql::Statement* stmt;
        std::string_view text;
    };
    const Item items[] = {
        {&insert_record,
         "INSERT INTO audit (id, at, kind, type, gateway, seq, call_id, agent, uid, gid, body, "
         "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
        {&seen_pii, "SELECT last_seen FROM pii WHERE pseudonym = ?1"},
        {&touch_pii, "UPDATE pii SET last_seen = ?1 WHERE pseudonym = ?2"},
        {&insert_pii, "INSERT INTO pii (pseudonym, sealed, last_seen) VALUES (?1, ?2, ?3)"},
        {&insert_call,
         "INSERT INTO calls (gateway, call_id, caller, specialty, class, enqueued_at, "
         "answered_at, ended_at, outcome, agent, team, overflowed) VALUES (?1, ?2, ?3, ?4, ?5, "
         "?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
        {&insert_snapshot,
         "INSERT OR REPLACE INTO snapshots (audit_id, at, state) VALUES (?1, ?2, ?3)"},
        {&prune_snapshots,
         "DELETE FROM snapshots WHERE audit_id NOT IN "
         "(SELECT audit_id FROM snapshots ORDER BY audit_id DESC LIMIT ?1)"},
    };
    for (const Item& item : items) {
        auto stmt = writer_db.prepare(item.text);
        if (!stmt) return stmt.error();
        *item.stmt = std::move(*stmt);
    }
    return {};
}

Result<std::unique_ptr<Store>> Store::open(StoreOptions options, const PiiKey& key) {
    auto impl = std::make_unique<Impl>(std::move(options), key);
    if (Status s = impl->open(); !s) return s.error();
    Impl* raw = impl.get();
    // Named, so that top -H, perf and /proc/PID/task/*/comm tell the threads apart.
    impl->writer = std::thread([raw] {
        pthread_setname_np(pthread_self(), "acdd-writer");
        raw->run();
    });
    impl->checkpointer = std::thread([raw] {
        pthread_setname_np(pthread_self(), "acdd-checkpoint");
        raw->run_checkpoints();
    });
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->work_cv.notify_all();
    impl_->room_cv.notify_all();
    impl_->checkpoint_cv.notify_all();
    if (impl_->writer.joinable()) impl_->writer.join();
    if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
}

// ---------------------------------------------------------------------------------------------
// Write side
// ---------------------------------------------------------------------------------------------

std::uint64_t Store::append(WriteBatch batch) {
    Impl& s = *impl_;
    const std::size_t n = batch.records.size() + 1;
    std::unique_lock lock(s.mu);
    s.room_cv.wait(lock, [&] {
        return s.pending_records + n <= s.options.max_pending_records || s.pending_records == 0 ||
               s.failed || s.stopping;
    });
    const std::uint64_t ticket = s.next_ticket++;
    s.pending_records += n;
    s.queue.push_back({ticket, std::move(batch)});
    lock.unlock();
    s.work_cv.notify_one();
    return ticket;
}

void Store::flush() {
    Impl& s = *impl_;
    std::unique_lock lock(s.mu);
    const std::uint64_t target = s.next_ticket - 1;
    s.durable_cv.wait(lock, [&] { return s.durable_ticket >= target || s.failed; });
}

std::size_t Store::pending_records() const {
    std::lock_guard lock(impl_->mu);
    return impl_->pending_records;
}

bool Store::failed() const {
    return impl_->failed;
}

void Store::Impl::run() {
    std::vector<Pending> taken;
    for (;;) {
        {
            std::unique_lock lock(mu);
            work_cv.wait(lock, [&] { return !queue.empty() || stopping; });
            if (queue.empty()) return;  // stopping, and everything is written
            // Group commit: take what is queued, up to a bound that keeps latency in check.
            std::size_t records = 0;
            std::size_t n = 0;
            while (n < queue.size() && (n == 0 || records < kMaxRecordsPerCommit)) {
                records += queue[n++].batch.records.size() + 1;
            }
            std::move(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n),
                      std::back_inserter(taken));
            queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
        }
        if (failed) {
            taken.clear();
            continue;
        }
        checkpoint_tail();
        std::size_t records = 0;
        for (const Pending& p : taken)
            records += p.batch.records.size() + 1;
        if (Status st = write(taken); !st) {
            failed = true;
            if (options.on_failure) options.on_failure(st.message());
            durable_cv.notify_all();
            room_cv.notify_all();
            taken.clear();
            continue;
        }
        const std::uint64_t ticket = taken.back().ticket;
        taken.clear();
        // The committed records leave pending_records before on_durable runs: a producer that
        // paused on pending_records() and waits for on_durable to look again must see them gone,
        // or it may wait for a commit that never comes.
        {
            std::lock_guard lock(mu);
            pending_records -= records;
        }
        room_cv.notify_all();
        // The callback runs before flush() can see the commit: when flush() returns, every
        // on_durable call for what it waited on has been made.
        if (options.on_durable) options.on_durable(ticket);
        {
            std::lock_guard lock(mu);
            durable_ticket = ticket;
        }
        durable_cv.notify_all();
    }
}

// On the writer thread, after each commit: the WAL holds `pages`.
int Store::Impl::on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto& impl = *static_cast<Impl*>(self);
    if (pages >= kWriterCheckpointPages) {
        // The checkpointer cannot keep up: copy what can be copied now. A failure is not the
        // commit's; the next commit tries again.
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    std::lock_guard lock(impl.mu);
    if (pages < impl.wal_pages) impl.pages_at_last_pass = 0;  // the WAL started over
    impl.wal_pages = pages;
    if (!impl.checkpoint_running && !impl.tail_wanted &&
        pages - impl.pages_at_last_pass >= kCheckpointPages) {
        impl.checkpoint_wanted = true;
        impl.checkpoint_cv.notify_one();
    }
    return SQLITE_OK;
}

void Store::Impl::run_checkpoints() {
    for (;;) {
        {
            std::unique_lock lock(mu);
            checkpoint_cv.wait(lock, [&] { return checkpoint_wanted || stopping; });
            if (stopping) return;  // closing the last connection checkpoints what is left
            checkpoint_wanted = false;
            checkpoint_running = true;
            pages_at_last_pass = wal_pages;
        }
        // PASSIVE: copies what no reader still needs and never blocks the writer. An error (disk
        // full) only lets the WAL grow until the writer checkpoints itself: commits are durable
        // in the WAL, whatever happens to checkpoints.
        (void)sqlite3_wal_checkpoint_v2(checkpoint_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                        nullptr, nullptr);
        std::lock_guard lock(mu);
        checkpoint_running = false;
        tail_wanted = wal_pages >= kRestartPages;
    }
}

// No commit runs meanwhile, so this copy catches up with the WAL, and the next transaction
// starts it over.
void Store::Impl::checkpoint_tail() {
    {
        std::lock_guard lock(mu);
        if (!tail_wanted || checkpoint_running) return;
        tail_wanted = false;
    }
    (void)sqlite3_wal_checkpoint_v2(writer_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                    nullptr);
}

Status Store::Impl::write(std::vector<Pending>& pending) {
    const auto saved_id = last_id;
    const auto saved_hash = last_hash;
    const auto saved_at = last_at;
    Status s = sql::transaction(writer_db, [&]() -> Status {
        for (Pending& p : pending) {
            if (Status b = write_batch(p.batch); !b) return b;
        }
        return {};
    });
    if (!s) {
        last_id = saved_id;
        last_hash = saved_hash;
        last_at = saved_at;
        return Error{ErrorCode::store,
                     fmt::format("cannot write to {}: {}", options.path.string(), s.message())};
    }
    return {};
}

Status Store::Impl::write_batch(WriteBatch& batch) {
    for (AuditRecord& r : batch.records) {
        if (Status s = write_record(r); !s) return s;
    }
    for (const PiiUpsert& p : batch.pii) {
        if (Status s = write_pii(p); !s) return s;
    }
    for (const CallSnapshot& c : batch.finished_calls) {
        if (Status s = write_call(c); !s) return s;
    }
    if (!batch.snapshot.empty()) {
        if (Status s = write_snapshot(batch.snapshot); !s) return s;
    }
    if (batch.job) return run_job(batch.job);
    return {};
}

Status Store::Impl::write_record(AuditRecord& r) {
    r.id = last_id + 1;
    r.hash = chain_hash(last_hash, r);
    insert_record.bind(1, r.id)
        .bind(2, ms(r.at))
        .bind(3, to_string(r.kind))
        .bind(4, r.type)
        .bind(5, null_if_empty(r.gateway))
        .bind(6, r.seq == 0 ? std::nullopt : std::optional<std::int64_t>(std::int64_t(r.seq)))
        .bind(7, null_if_empty(r.call_id))
        .bind(8, null_if_empty(r.agent))
        .bind(9, r.uid)
        .bind(10, r.gid)
        .bind(11, r.body)
        .bind_blob(12,
                   std::string_view(reinterpret_cast<const char*>(r.hash.data()), r.hash.size()));
    if (Status s = insert_record.run(); !s) return s;
    last_id = r.id;
    last_hash = r.hash;
    last_at = r.at;
    return {};
}

// A person seen again within kPiiTouchEveryMs keeps the last_seen of the earlier time: retention
// counts in days, and a caller who calls back then costs no write (the row and its index entry
// would move to other pages at every call).
Status Store::Impl::write_pii(const PiiUpsert& p) {
    seen_pii.bind(1, p.pseudonym);
    const bool known = seen_pii.step();
    const std::int64_t seen = known ? seen_pii.int64(0) : 0;
    seen_pii.reset();
    if (seen_pii.failed()) return seen_pii.error();
    if (known) {
        if (ms(p.at) - seen < kPiiTouchEveryMs) return {};
        return touch_pii.bind(1, ms(p.at)).bind(2, p.pseudonym).run();
    }
    return insert_pii.bind(1, p.pseudonym)
        .bind_blob(2, key.seal(p.plaintext, p.pseudonym))
        .bind(3, ms(p.at))
        .run();
}

Status Store::Impl::write_call(const CallSnapshot& c) {
    return insert_call.bind(1, c.gateway)
        .bind(2, c.call_id)
        .bind(3, c.caller)
        .bind(4, c.specialty)
        .bind(5, to_string(c.call_class))
        .bind(6, ms(c.enqueued_at))
        .bind(7, c.answered_at ? std::optional<std::int64_t>(ms(*c.answered_at)) : std::nullopt)
        .bind(8, ms(c.ended_at.value_or(c.enqueued_at)))
        .bind(9, to_string(c.outcome.value_or(Outcome::abandoned)))
        .bind(10, null_if_empty(c.agent))
        .bind(11, null_if_empty(c.team))
        .bind(12, std::int64_t(c.overflowed))
        .run();
}

Status Store::Impl::write_snapshot(const std::string& state) {
    if (Status s = insert_snapshot.bind(1, last_id).bind(2, ms(last_at)).bind_blob(3, state).run();
        !s) {
        return s;
    }
    return prune_snapshots.bind(1, std::int64_t(kSnapshotsKept)).run();
}

// WriteContext only exists on the writer thread, around one job.
Status Store::Impl::run_job(const std::function<Status(WriteContext&)>& job) {
    return Store::run_job(*this, job);
}

Status Store::run_job(Impl& impl, const std::function<Status(WriteContext&)>& job) {
    WriteContext ctx(impl);
    return job(ctx);
}

sql::Db& WriteContext::db() {
    return impl_.writer_db;
}
const PiiKey& WriteContext::key() const {
    return impl_.key;
}
Status WriteContext::append(AuditRecord record) {
    return impl_.write_record(record);
}

Result<bool> erase_personal_data(WriteContext& ctx, std::string_view pseudonym) {
    auto stmt = ctx.db().prepare("DELETE FROM pii WHERE pseudonym = ?1");
    if (!stmt) return stmt.error();
    if (Status s = stmt->bind(1, pseudonym).run(); !s) return s.error();
    return sqlite3_changes(ctx.db().handle()) > 0;
}

Result<std::int64_t> erase_inactive_personal_data(WriteContext& ctx, Time before) {
    auto stmt = ctx.db().prepare("DELETE FROM pii WHERE last_seen < ?1");
    if (!stmt) return stmt.error();
    if (Status s = stmt->bind(1, ms(before)).run(); !s) return s.error();
    return std::int64_t(sqlite3_changes(ctx.db().handle()));
}

// ---------------------------------------------------------------------------------------------
// Read side
// ---------------------------------------------------------------------------------------------

Result<std::optional<Snapshot>> Store::latest_snapshot() {
    auto stmt = impl_->reader_db.prepare(
        "SELECT audit_id, at, state FROM snapshots ORDER BY audit_id DESC LIMIT 1");
    if (!stmt) return stmt.error();
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return std::optional<Snapshot>{};
    }
    return std::optional<Snapshot>(
        Snapshot{stmt->int64(0), from_ms(stmt->int64(1)), std::string(stmt->blob(2))});
}

namespace {

Status read_records_on(sql::Db& db, std::int64_t after_id, std::optional<RecordKind> kind,
                       const std::function<bool(const AuditRecord&)>& fn) {
    auto stmt = db.prepare(
        fmt::format("SELECT {} FROM audit WHERE id > ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY id",
                    kRecordColumns));
    if (!stmt) return stmt.error();
    stmt->bind(1, after_id);
    if (kind) stmt->bind(2, to_string(*kind));
    while (stmt->step()) {
        if (!fn(record_from_row(*stmt))) break;
    }
    if (stmt->failed()) return stmt->error();
    return {};
}

}  // namespace

Status Store::read_records(std::int64_t after_id, std::optional<RecordKind> kind,
                           const std::function<bool(const AuditRecord&)>& fn) {
    return read_records_on(impl_->reader_db, after_id, kind, fn);
}

// On a connection of its own: verify() may run on any thread, and for long.
Result<VerifyResult> Store::verify() {
    auto db = sql::Db::open(impl_->options.path);
    if (!db) return db.error();
    if (Status s = db->exec("PRAGMA query_only = 1; PRAGMA busy_timeout = 5000"); !s) {
        return s.error();
    }
    VerifyResult result;
    Hash previous{};
    std::int64_t expected = 1;
    Status s = read_records_on(*db, 0, std::nullopt, [&](const AuditRecord& r) {
        if (r.id != expected) {
            result.reason = fmt::format("record {} is missing", expected);
            result.first_bad_id = expected;
        } else if (chain_hash(previous, r) != r.hash) {
            result.reason = "hash does not match the record's content and its predecessor";
            result.first_bad_id = r.id;
        }
        if (result.first_bad_id) return false;
        previous = r.hash;
        ++expected;
        ++result.records;
        return true;
    });
    if (!s) return s.error();
    result.ok = !result.first_bad_id;
    result.head = previous;
    return result;
}

Result<std::int64_t> Store::backup(const std::filesystem::path& destination) {
    // Created here, exclusively and private (it holds health data): never over a file that
    // appeared meanwhile, never readable by others whatever the umask. SQLite takes an empty file.
    const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return Error{ErrorCode::store,
                         fmt::format("{} exists already: choose a new file", destination.string())};
        return Error{ErrorCode::store, fmt::format("cannot create {}: {}", destination.string(),
                                                   std::strerror(errno))};
    }
    ::close(fd);
    std::error_code ec;
    auto source = sql::Db::open(impl_->options.path);
    auto target = source ? sql::Db::open(destination) : Result<sql::Db>(source.error());
    if (!target) {
        std::filesystem::remove(destination, ec);
        return target.error();
    }
    sqlite3_backup* copy = sqlite3_backup_init(target->handle(), "main", source->handle(), "main");
    if (copy == nullptr)
        return Error{ErrorCode::store, "cannot start the backup: " + target->message()};
    // Everything in one step: the copy is of one consistent read transaction.
    const int rc = sqlite3_backup_step(copy, -1);
    sqlite3_backup_finish(copy);
    if (rc != SQLITE_DONE) {
        std::filesystem::remove(destination, ec);
        return Error{ErrorCode::store, fmt::format("backup to {} failed: {}", destination.string(),
                                                   sqlite3_errstr(rc))};
    }
    return target->scalar("SELECT count(*) FROM audit");
}

namespace {
Result<std::vector<AuditRecord>> collect(sql::Db& db, std::string_view where,
                                         const std::function<void(sql::Statement&)>& bind) {
    auto stmt =
        db.prepare(fmt::format("SELECT {} FROM audit WHERE {} ORDER BY id", kRecordColumns, where));
    if (!stmt) return stmt.error();
    bind(*stmt);
    std::vector<AuditRecord> out;
    while (stmt->step())
        out.push_back(record_from_row(*stmt));
    if (stmt->failed()) return stmt->error();
    return out;
}
}  // namespace

Result<std::vector<AuditRecord>> Store::records_for_call(std::string_view gateway,
                                                         std::string_view call_id) {
    return collect(impl_->reader_db, "call_id = ?1 AND gateway = ?2",
                   [&](sql::Statement& s) { s.bind(1, call_id).bind(2, gateway); });
}

Result<std::vector<AuditRecord>> Store::records_for_agent(std::string_view agent, Time from,
                                                          Time to) {
    return collect(impl_->reader_db, "at >= ?1 AND at < ?2 AND agent = ?3",
                   [&](sql::Statement& s) { s.bind(1, ms(from)).bind(2, ms(to)).bind(3, agent); });
}

Result<std::optional<std::string>> Store::personal_data(std::string_view pseudonym) {
    auto stmt = impl_->reader_db.prepare("SELECT sealed FROM pii WHERE pseudonym = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, pseudonym);
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return std::optional<std::string>{};
    }
    auto clear = impl_->key.open(stmt->blob(0), pseudonym);
    if (!clear)
        return Error{ErrorCode::store,
                     "personal data of a pseudonym does not decrypt: wrong key or damage"};
    return clear;
}

Result<std::vector<CallSnapshot>> Store::finished_calls(Time since) {
    auto stmt = impl_->reader_db.prepare(
        "SELECT gateway, call_id, caller, specialty, class, enqueued_at, answered_at, ended_at, "
        "outcome, agent, team, overflowed FROM calls WHERE enqueued_at >= ?1 ORDER BY enqueued_at, "
        "id");
    if (!stmt) return stmt.error();
    stmt->bind(1, ms(since));
    std::vector<CallSnapshot> out;
    while (stmt->step()) {
        CallSnapshot c;
        c.gateway = std::string(stmt->text(0));
        c.call_id = std::string(stmt->text(1));
        c.caller = std::string(stmt->text(2));
        c.specialty = std::string(stmt->text(3));
        c.call_class = parse_call_class(stmt->text(4)).value_or(CallClass::appointment);
        c.enqueued_at = from_ms(stmt->int64(5));
        if (!stmt->is_null(6)) c.answered_at = from_ms(stmt->int64(6));
        c.ended_at = from_ms(stmt->int64(7));
        const std::string_view outcome = stmt->text(8);
        c.outcome = outcome == "completed"  ? Outcome::completed
                    : outcome == "rejected" ? Outcome::rejected
                                            : Outcome::abandoned;
        c.state = CallState::ended;
        c.agent = std::string(stmt->text(9));
        c.team = std::string(stmt->text(10));
        c.overflowed = stmt->int64(11) != 0;
        out.push_back(std::move(c));
    }
    if (stmt->failed()) return stmt->error();
    return out;
}

}  // namespace acd
