// Internal to the store: the state behind acd::Store, shared by its files (store.cpp: threads and
// the public entry points; writer.cpp: transactions; checkpoints.cpp; schema.cpp; chain.cpp;
// queries.cpp; people.cpp; calls.cpp).
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "acd/store.hpp"
#include "head.hpp"
#include "sqlite.hpp"

namespace acd {

inline std::int64_t ms(Time t) {
    return t.time_since_epoch().count();
}
inline Time from_ms(std::int64_t v) {
    return Time{} + Duration(v);
}
inline std::optional<std::string_view> null_if_empty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

// The hash chain (chain.cpp). Format 1, of records before schema 4:
Hash chain_hash(const Hash& previous, const AuditRecord& record);
// Either format: format 1 for ids before `format2_from` (meta `audit.format2_from`), else 2.
Hash chain_hash(const Hash& previous, const AuditRecord& record, std::int64_t format2_from);
// Before a record is queued, on the producer's thread: its own call and agent added to the ones it
// mentions (sorted, without duplicates), and its content digest.
void seal(AuditRecord& record);
AuditRecord record_from_row(const sql::Statement& row);
inline constexpr std::string_view kRecordColumns =
    "id, at, kind, type, gateway, seq, call_id, agent, uid, gid, body, hash, changes";

// The schema (schema.cpp): the store's own migrations, then each module's.
Status migrate(sql::Db& db, const std::filesystem::path& path,
               const std::vector<SchemaModule>& modules);
// The first record of hash format 2 (the records before it are of format 1).
Result<std::int64_t> format2_from(sql::Db& db);
// The key the database was written with must be the key we have.
Status check_key(sql::Db& db, const PiiKey& key, const std::filesystem::path& path);

// The calls table (calls.cpp).
inline constexpr std::string_view kInsertCall =
    "INSERT INTO calls (gateway, call_id, caller, specialty, class, enqueued_at, answered_at, "
    "ended_at, outcome, agent, team, overflowed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12)";
Status bind_call(sql::Statement& insert, const CallSnapshot& call);
Result<std::vector<CallSnapshot>> calls_where(sql::Db& db, std::string_view where,
                                              const std::function<void(sql::Statement&)>& bind);

struct Store::Impl {
    struct Pending {
        std::uint64_t ticket;
        WriteBatch batch;
    };
    // The chain as written so far in the current transaction (restored when a part of it is
    // rolled back).
    struct Chain {
        std::int64_t id = 0;
        Hash hash{};
        Time at{};
    };

    Impl(StoreOptions options, const PiiKey& key) : options(std::move(options)), key(key) {}

    Status open();
    Status prepare_statements();
    void run();  // the writer thread
    Status write(std::vector<Pending>& pending);
    Status write_batch(WriteBatch& batch);
    Status write_record(AuditRecord& record);
    // The one rule for personal data (people.cpp, module.hpp remember_person).
    // `create`: a person not known yet is stored; else only known ones are refreshed.
    Status remember(std::string_view pseudonym, const Json& fields, Time active_until, bool create);
    Status write_snapshot(const std::string& state);
    Status run_job(const std::function<Status(WriteContext&)>& job);
    void run_checkpoints();  // the checkpointer thread
    int checkpoint_pass();   // on the checkpointer thread: returns the pages left to copy
    void sync_wal() const;   // fdatasync of the WAL file
    // Checks at open (integrity.cpp): damage, a database behind its side file, a disk that does
    // not take writes.
    Status check_pages();
    Status unreadable(const std::string& message);
    Status check_head();
    Status probe_write();
    Status accept_loss(const Head& expected, const std::string& what);
    // After a commit: the head as committed, for the head thread (run_head) to write.
    void publish_head(const std::vector<Pending>& committed);
    void run_head();         // the head thread
    void checkpoint_tail();  // on the writer thread, between two transactions
    static int on_wal_commit(void* impl, sqlite3* db, const char* name, int pages);

    StoreOptions options;
    PiiKey key;
    sql::Db writer_db;
    sql::Db reader_db;
    sql::Statement insert_record, index_call, index_agent, insert_call, insert_snapshot,
        prune_snapshots;
    // Personal data on the writer's connection (people.cpp).
    sql::Statement find_person, touch_person, insert_person, reseal_person;

    // The chain, as committed and as being written (writer thread only after open).
    Chain chain;

    mutable std::mutex mu;
    std::condition_variable work_cv, room_cv, durable_cv;
    std::vector<Pending> queue;
    std::size_t pending_records = 0;
    std::uint64_t next_ticket = 1;
    std::uint64_t durable_ticket = 0;
    bool stopping = false;
    std::atomic<bool> failed{false};
    std::thread writer;
    CommitHistogram commit_times;  // recorded by the writer thread (run), read by anyone

    // Checkpoints (copying the WAL into the database and syncing it) run on their own connection
    // and thread, so that commits, and the acks waiting for them, do not wait for them. A
    // checkpoint beside a stream of commits never catches up alone, and only a WAL that is fully
    // copied starts over: once the WAL is long, the writer copies what was committed during the
    // last pass itself, between two transactions (one short pause per kRestartPages).
    sql::Db checkpoint_db;
    std::condition_variable checkpoint_cv;
    bool checkpoint_wanted = false;   // guarded by mu: the checkpointer should run
    bool checkpoint_running = false;  // guarded by mu
    bool tail_wanted = false;         // guarded by mu: the writer should finish the copy
    int wal_pages = 0;                // guarded by mu: after the last commit
    int pages_at_last_pass = 0;       // guarded by mu
    std::thread checkpointer;

    // The side file (head.hpp): the head as committed, written by its own thread.
    std::filesystem::path head_path;
    Head committed_head;         // guarded by head_mu
    bool head_dirty = false;     // guarded by head_mu
    bool head_stopping = false;  // guarded by head_mu
    std::mutex head_mu;
    std::condition_variable head_cv;
    std::thread head_writer;
};

}  // namespace acd
