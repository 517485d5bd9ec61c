// Checkpoints: the WAL copied into the database beside the commits, on a thread and connection of
// their own (docs/architecture.md "The store's threads").
#include "store_impl.hpp"

namespace acd {
namespace {

constexpr int kPageSize = 16384;
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
}  // namespace

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

}  // namespace acd
