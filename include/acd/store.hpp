// The store: acdd's durable, tamper-evident audit log in SQLite (docs/storage.md).
//
//   auto store = acd::Store::open(options, key);          // opens or creates, migrates
//   std::uint64_t t = (*store)->append(std::move(batch));  // from any thread; returns at once
//   // ... options.on_durable(t') is called on the writer thread once every batch up to t' is
//   // committed: only then may the gateway acknowledge the events in them.
//
// Contract:
// - One writer thread owns the write connection. Batches are committed in the order append()
//   returned their tickets, with group commit: everything appended while a commit runs goes
//   into the next transaction. Durability follows `synchronous` (docs/spec/config.md).
// - Audit records get ids 1, 2, 3, ... without gaps. One record per engine input, its changes in
//   it (schema 4; before, one row per change). Each record's content is hashed once, by the
//   thread that appends it (append() computes content_digest() of the batch's records), and the
//   writer links it into the chain: hash = SHA-256(previous hash || id || content digest)
//   (records written before schema 4 keep their format-1 hash, see canonical_bytes()). Triggers
//   refuse UPDATE and DELETE on them. verify() walks the chain across both formats.
// - Side indexes, derived from the records and not part of the chain, find the records that
//   mention a call (its input or one of its changes), an agent, or a time range.
// - Back-pressure: append() blocks while more than `max_pending_records` records wait to be
//   committed; pending_records() lets producers slow down before that. When on_durable(t) runs,
//   pending_records() no longer counts the batches up to t, so a producer may look again then.
// - When a commit fails (disk full, I/O error), the store stops writing, calls on_failure, and
//   nothing appended after is ever reported durable: the caller must stop acknowledging. A job
//   that fails alone does not stop it (WriteBatch::job).
// - Personal data never reaches the audit log: records carry pseudonyms. The clear values
//   (PiiUpsert) are sealed with the PII key into their own table; erasing a person deletes that
//   row and leaves the chain intact.
// - The read functions use their own connection and see committed data only; call them from
//   one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/commit_histogram.hpp"
#include "acd/config.hpp"
#include "acd/engine.hpp"
#include "acd/json.hpp"
#include "acd/pii.hpp"
#include "acd/result.hpp"

namespace acd {

// input: an engine input (replayed on recovery), with the changes it caused; output: an engine
// change in a row of its own (written until schema 3 only; read back from older logs); action:
// any other audited act (agenda change, erasure, retention, reload).
enum class RecordKind : std::uint8_t { input, output, action };
std::string_view to_string(RecordKind kind);

using Hash = std::array<std::uint8_t, 32>;

// A call a record mentions, for the per-call index.
struct CallRef {
    std::string gateway;  // empty when none (an admin command naming a call only)
    std::string call_id;
    auto operator<=>(const CallRef&) const = default;
};

struct AuditRecord {
    std::int64_t id = 0;  // set by the store
    Time at{};
    RecordKind kind = RecordKind::input;
    std::string type;     // "call.offered", "agent-pause", "tick", "config", "call.routed", ...
    std::string gateway;  // empty when none
    std::uint64_t seq = 0;
    std::string call_id;              // empty when none
    std::string agent;                // empty when none
    std::optional<std::int64_t> uid;  // admin commands: the peer's credentials
    std::optional<std::int64_t> gid;
    std::string body;  // JSON
    // Inputs: the changes the engine made, a JSON array of {"type", "change"} (docs/storage.md);
    // empty for other kinds, and for inputs logged before schema 4.
    std::string changes;
    Hash hash{};  // set by the store

    // Not stored in the record (and not hashed): the calls and agents its input or changes
    // mention besides its own call_id and agent, for the side indexes.
    std::vector<CallRef> calls;
    std::vector<std::string> agents;
    // content_digest(*this), when the producer computed it; else the store does.
    std::optional<Hash> digest;

    // What the database holds: the stored columns.
    bool operator==(const AuditRecord& o) const {
        return id == o.id && at == o.at && kind == o.kind && type == o.type &&
               gateway == o.gateway && seq == o.seq && call_id == o.call_id && agent == o.agent &&
               uid == o.uid && gid == o.gid && body == o.body && changes == o.changes &&
               hash == o.hash;
    }
};

// Format 1 (records written before schema 4): the canonical bytes of a record, id included, and
// hash = SHA-256(previous hash || canonical bytes) (docs/storage.md).
std::string canonical_bytes(const AuditRecord& record);
// Format 2: the record's content without its id ("acdd-audit-v2", docs/storage.md), its
// SHA-256, and the chain's link hash = SHA-256(previous hash || id (8 bytes big-endian) ||
// content digest). Thread-safe.
std::string content_bytes(const AuditRecord& record);
Hash content_digest(const AuditRecord& record);
Hash chain_link(const Hash& previous, std::int64_t id, const Hash& digest);

// Personal data of one person seen at `at`: stored sealed under the pseudonym if new, else merged
// into what is there, and its last activity (retention counts from it) moved to `at` when that is
// an hour or more later: activity within the hour of the last one writes nothing.
struct PiiUpsert {
    std::string pseudonym;
    Json fields;  // e.g. {"phone":"+35244112221"}
    Time at{};
};

class WriteContext;

// The tables of a module that keeps its data in the store's database (the agenda): migration i
// brings its schema from version i to i + 1. The store applies the ones a database lacks when it
// opens, each in a transaction with the record of the module's new version.
struct SchemaModule {
    std::string name;
    std::vector<std::string> migrations;
};

// One unit of work for the writer, applied in one transaction with its neighbours.
struct WriteBatch {
    std::vector<AuditRecord> records;
    std::vector<PiiUpsert> pii;
    std::vector<CallSnapshot> finished_calls;  // ended and rejected calls, for queries
    std::string snapshot;  // when not empty: the engine state after all records so far
    // Runs on the writer thread inside the transaction, after the above, in a savepoint of its
    // own: when it fails, what it wrote is rolled back, the failure is logged, and the rest of
    // the transaction commits without it (the job's owner learns of it from the job's own
    // result). Only an io_error (the database cannot be written: disk full, damage) fails the
    // whole transaction and stops the store.
    std::function<Status(WriteContext&)> job;
};

struct StoreOptions {
    std::filesystem::path path;
    Synchronous synchronous = Synchronous::full;
    std::vector<SchemaModule> modules;  // their tables, created and migrated at open
    std::size_t max_pending_records = 200'000;
    std::function<void(std::uint64_t ticket)> on_durable;        // on the writer thread; be quick
    std::function<void(const std::string& message)> on_failure;  // on the writer thread
    // open() refuses a database that is behind its side file `<path>.head` (restored, WAL cut,
    // deleted, replaced) unless this is set; then it appends a `data-loss-accepted` record that
    // says what was lost, and carries on from the database (docs/operations.md).
    bool accept_data_loss = false;
};

struct Snapshot {
    std::int64_t audit_id = 0;  // the state after this record
    Time at{};
    std::string state;
};

// The end of the audit chain: its last record's id and hash. The chain shows a record changed
// or deleted, but not a cut tail: acdd logs its head (`audit.head`) hourly and at shutdown, and
// an auditor who keeps those lines outside the machine checks later, with verify(head), that the
// log still reaches them (docs/storage.md "Keeping the chain's head").
struct ChainHead {
    std::int64_t id = 0;  // 0: an empty log
    Hash hash{};

    // "<id>:<64 hex digits>", the form of the log and of audit-verify's `head`.
    std::string to_string() const;
    static std::optional<ChainHead> parse(std::string_view text);
    bool operator==(const ChainHead&) const = default;
};

struct VerifyResult {
    bool ok = true;
    std::int64_t records = 0;
    std::optional<std::int64_t> first_bad_id;
    std::string reason;  // why the first bad record is bad
    Hash head{};         // hash of the last record
    // With an expected head: whether the chain, verified up to it, holds it.
    std::optional<bool> reaches_head;
};

class Store {
  public:
    // Opens (creating and migrating as needed) the database at options.path. Refuses a
    // database whose schema is newer than this build, or that was written with another key, one
    // that fails PRAGMA quick_check, one behind its side file `<path>.head` (see
    // accept_data_loss), and one it cannot write to (a probe write at open). The side file is
    // written after commits by a thread of its own, at most every 200 ms, never ahead of the
    // database; the caller holds the database's lock (store_lock.hpp).
    static Result<std::unique_ptr<Store>> open(StoreOptions options, const PiiKey& key);
    ~Store();  // commits what is pending, then stops the writer
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // --- write side (thread-safe) ----------------------------------------------------------
    // Computes the content digest of the batch's records (on the caller's thread), then queues it.
    std::uint64_t append(WriteBatch batch);
    // Blocks until every batch appended so far is committed and its on_durable call made (or
    // the store failed).
    void flush();
    std::size_t pending_records() const;
    bool failed() const;
    // The duration of every commit so far (thread-safe; lives as long as the store).
    const CommitHistogram& commit_times() const;

    // --- read side (one thread at a time) --------------------------------------------------
    Result<std::optional<Snapshot>> latest_snapshot();
    // Calls `fn` for each record with id > after_id (of `kind` when given), in id order, until
    // it returns false. (Records read back have no calls, agents or digest.)
    Status read_records(std::int64_t after_id, std::optional<RecordKind> kind,
                        const std::function<bool(const AuditRecord&)>& fn);
    // Walks the whole chain; thread-safe (uses a connection of its own). With `expected`, also
    // says whether the chain still reaches that head (a cut tail does not).
    Result<VerifyResult> verify(std::optional<ChainHead> expected = std::nullopt);
    // The chain's last record as committed; thread-safe (a connection of its own).
    Result<ChainHead> head();
    // SQLite's PRAGMA integrity_check of the whole database (pages, indexes, constraints), which
    // reads every page: "ok", or SQLite's first finding. Thread-safe (a connection of its own).
    Result<std::string> integrity_check();
    // An online, consistent copy of the database (SQLite's backup API) into `destination`, a new
    // file; writes go on meanwhile. Thread-safe (a connection of its own). Returns the number of
    // audit records in the copy.
    Result<std::int64_t> backup(const std::filesystem::path& destination);
    // The records that mention one call (their input or one of their changes), in id order
    // (indexed by call).
    Result<std::vector<AuditRecord>> records_for_call(std::string_view gateway,
                                                      std::string_view call_id);
    // The records that mention one agent with `at` in [from, to), in id order (indexed by time:
    // the cost is that of the time range).
    Result<std::vector<AuditRecord>> records_for_agent(std::string_view agent, Time from, Time to);
    // The person's personal data (decrypted JSON), or nullopt when there is none (erased).
    Result<std::optional<std::string>> personal_data(std::string_view pseudonym);
    // Finished calls enqueued at or after `since`, oldest first (their `deadline` is not kept).
    Result<std::vector<CallSnapshot>> finished_calls(Time since);

    struct Impl;

  private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// What a WriteBatch job may do, on the writer thread, inside the current transaction. (Modules
// that own tables reach the connection through src/store/module.hpp.)
class WriteContext {
  public:
    // Appends an audit record to the chain (its id and hash are set here).
    Status append(AuditRecord record);
    const PiiKey& key() const;

    explicit WriteContext(Store::Impl& impl) : impl_(impl) {}
    Store::Impl& impl() { return impl_; }

  private:
    Store::Impl& impl_;
};

// Deletes the personal data of a person (right to erasure) inside a job. Returns whether a row
// was deleted.
Result<bool> erase_personal_data(WriteContext& ctx, std::string_view pseudonym);
// Deletes the personal data of everyone with no activity since `before` (retention). Returns the
// number of people erased.
Result<std::int64_t> erase_inactive_personal_data(WriteContext& ctx, Time before);

}  // namespace acd
