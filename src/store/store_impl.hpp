// Internal to the store: the state behind acd::Store and the WriteContext given to jobs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "acd/store.hpp"
#include "sqlite.hpp"

namespace acd {

struct Store::Impl {
    struct Pending {
        std::uint64_t ticket;
        WriteBatch batch;
    };

    Impl(StoreOptions options, const PiiKey& key) : options(std::move(options)), key(key) {}

    Status open();
    Status prepare_statements();
    void run();  // the writer thread
    Status write(std::vector<Pending>& pending);
    Status write_batch(WriteBatch& batch);
    Status write_record(AuditRecord& record);
    Status write_pii(const PiiUpsert& upsert);
    Status write_call(const CallSnapshot& call);
    Status write_snapshot(const std::string& state);
    Status run_job(const std::function<Status(WriteContext&)>& job);
    void run_checkpoints();  // the checkpointer thread
    void checkpoint_tail();  // on the writer thread, between two transactions
    static int on_wal_commit(void* impl, sqlite3* db, const char* name, int pages);

    StoreOptions options;
    PiiKey key;
    sql::Db writer_db;
    sql::Db reader_db;
    sql::Statement insert_record, seen_pii, touch_pii, insert_pii, insert_call, insert_snapshot,
        prune_snapshots;

    // The chain, as committed and as being written (writer thread only after open).
    std::int64_t last_id = 0;
    Hash last_hash{};
    Time last_at{};

    mutable std::mutex mu;
    std::condition_variable work_cv, room_cv, durable_cv;
    std::vector<Pending> queue;
    std::size_t pending_records = 0;
    std::uint64_t next_ticket = 1;
    std::uint64_t durable_ticket = 0;
    bool stopping = false;
    std::atomic<bool> failed{false};
    std::thread writer;

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
};

}  // namespace acd
