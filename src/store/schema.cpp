// The store's schema and its migrations, then those of the modules that keep tables in the same
// database (docs/storage.md).
#include <fmt/format.h>

#include "store_impl.hpp"

namespace acd {
namespace {

constexpr std::int64_t kSchemaVersion = 4;

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
    // 2: the calls table is searched by call id (caller-history, the agenda's commands). Until
    // 0.1.0 this migration also created the agenda's tables, which the agenda now creates itself
    // (src/agenda/schema.cpp, with IF NOT EXISTS, so that it finds them there).
    R"sql(
CREATE INDEX IF NOT EXISTS calls_by_call_id ON calls (call_id);
)sql",
    R"sql(
-- The audit log is read by time range ("what did agent b007 do on Tuesday" filters a range of
-- at, then the agent). An index per agent cost every commit one page per agent it touched: a
-- third of the WAL under load (docs/performance.md). at only grows: its index is appended to.
DROP INDEX audit_by_agent;
CREATE INDEX audit_by_at ON audit (at);
)sql",
    R"sql(
-- One record per input: its changes in `changes` instead of a row each. The records from here on
-- are hashed in format 2 (docs/storage.md "The hash chain"); the ones before keep format 1.
ALTER TABLE audit ADD COLUMN changes TEXT;
INSERT INTO meta (key, value)
  SELECT 'audit.format2_from', CAST(coalesce(max(id), 0) + 1 AS TEXT) FROM audit;
-- Side indexes, derived from the records (not in the chain): one row per call and per agent that
-- a record mentions, its own or in its changes. Per call, keyed by the call: the calls of a
-- commit are few and recent. Per agent, keyed by the record, so that a commit appends to the
-- table's last page instead of touching one page per agent: a query per agent reads a time range
-- (audit_by_at) and looks each record up here.
CREATE TABLE audit_calls (
  call_id TEXT NOT NULL,
  gateway TEXT NOT NULL,
  record  INTEGER NOT NULL,
  PRIMARY KEY (call_id, gateway, record)
) WITHOUT ROWID;
INSERT INTO audit_calls (call_id, gateway, record)
  SELECT call_id, coalesce(gateway, ''), id FROM audit WHERE call_id IS NOT NULL;
DROP INDEX audit_by_call;
CREATE TABLE audit_agents (
  record INTEGER NOT NULL,
  agent  TEXT NOT NULL,
  PRIMARY KEY (record, agent)
) WITHOUT ROWID;
INSERT INTO audit_agents (record, agent) SELECT id, agent FROM audit WHERE agent IS NOT NULL;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Applies migrations [from, to) of `migrations` in one transaction each, with `record(v)` that
// records version v.
template <typename Record>
Status apply(sql::Db& db, const std::filesystem::path& path, std::string_view what,
             const std::vector<std::string_view>& migrations, std::int64_t from, Record&& record) {
    for (std::int64_t v = from; v < std::int64_t(migrations.size()); ++v) {
        Status s = sql::transaction(db, [&] {
            if (Status m = db.exec(migrations[std::size_t(v)]); !m) return m;
            return record(v + 1);
        });
        if (!s) {
            return Error{s.code(), fmt::format("{}: migration of {} to version {} failed: {}",
                                               path.string(), what, v + 1, s.message())};
        }
    }
    return {};
}

Result<std::int64_t> module_version(sql::Db& db, const std::string& name) {
    auto stmt = db.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, "schema." + name);
    std::int64_t version = 0;
    if (stmt->step()) version = std::stoll(std::string(stmt->text(0)));
    if (stmt->failed()) return stmt->error();
    return version;
}

}  // namespace

Result<std::int64_t> format2_from(sql::Db& db) {
    auto stmt = db.prepare("SELECT value FROM meta WHERE key = 'audit.format2_from'");
    if (!stmt) return stmt.error();
    std::int64_t from = 1;
    if (stmt->step()) from = std::stoll(std::string(stmt->text(0)));
    if (stmt->failed()) return stmt->error();
    return from;
}

Status migrate(sql::Db& db, const std::filesystem::path& path,
               const std::vector<SchemaModule>& modules) {
    auto version = db.scalar("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kSchemaVersion) {
        return Error{ErrorCode::store,
                     fmt::format("{}: database schema version {} is newer than this acdd "
                                 "understands ({}): run the acdd version that wrote it, or a "
                                 "newer one",
                                 path.string(), *version, kSchemaVersion)};
    }
    const std::vector<std::string_view> own(std::begin(kMigrations), std::end(kMigrations));
    if (Status s = apply(
            db, path, "the store", own, *version,
            [&](std::int64_t v) { return db.exec(fmt::format("PRAGMA user_version = {}", v)); });
        !s) {
        return s;
    }
    for (const SchemaModule& m : modules) {
        auto at = module_version(db, m.name);
        if (!at) return at.error();
        const std::vector<std::string_view> steps(m.migrations.begin(), m.migrations.end());
        if (*at > std::int64_t(steps.size())) {
            return Error{ErrorCode::store,
                         fmt::format("{}: the {} tables are at version {}, newer than this acdd "
                                     "understands ({})",
                                     path.string(), m.name, *at, steps.size())};
        }
        auto record = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
        if (!record) return record.error();
        if (Status s = apply(
                db, path, "the " + m.name, steps, *at,
                [&](std::int64_t v) {
                    return record->bind(1, "schema." + m.name).bind(2, std::to_string(v)).run();
                });
            !s) {
            return s;
        }
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

}  // namespace acd
