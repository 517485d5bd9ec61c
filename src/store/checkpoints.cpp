// Checkpoints: the WAL copied into the database beside the commits, on a thread and connection of
// their own (docs/architecture.md "The store's threads"; docs/storage.md "Commits and
// checkpoints").
#include <fcntl.h>
#include <unistd.h>

#include "store_impl.hpp"

namespace acd {
namespace {

// The checkpointer runs a pass each time this many pages (4 MiB) were added to the WAL. Once the
// WAL holds kRestartPages (256 MiB), it runs passes back to back until at most kTailPages
// (1 MiB) are left to copy, syncs the WAL, and only then asks the writer to copy that tail between
// two transactions so that the WAL starts over (the file keeps its size and is written again
// from its start): the writer's pause is then a short copy and two syncs with little to write,
// not the copy of whatever was committed during a long pass. Past kWriterCheckpointPages (a
// checkpointer that cannot keep up), the writer checkpoints itself after each commit, as
// SQLite's wal_autocheckpoint would.
// Measured in docs/performance.md ("Ack stalls").
constexpr int kCheckpointPages = 256;
constexpr int kRestartPages = 16384;
constexpr int kTailPages = 64;
constexpr int kCatchUpPasses = 8;  // at most; then the writer takes the tail left
constexpr int kWriterCheckpointPages = 2 * kRestartPages;

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

// One PASSIVE pass: copies what no reader still needs and never blocks the writer. An error
// (disk full) only lets the WAL grow until the writer checkpoints itself: commits are durable in
// the WAL, whatever happens to checkpoints. Returns the pages left to copy (0 when the WAL started
// over meanwhile).
int Store::Impl::checkpoint_pass() {
    {
        std::lock_guard lock(mu);
        pages_at_last_pass = wal_pages;
    }
    int log = 0;
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(checkpoint_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &copied) != SQLITE_OK) {
        return -1;
    }
    std::lock_guard lock(mu);
    if (wal_pages < log) return 0;  // started over
    return wal_pages - copied;
}

// Syncs the WAL file, so that the sync that opens the writer's copy of the tail finds almost
// nothing to write. An fdatasync through a descriptor of our own syncs the file's pages whoever
// wrote them; SQLite keeps no lock on the WAL file (its locks are on the database and -shm
// files), so closing this descriptor releases none of them.
void Store::Impl::sync_wal() const {
    const std::string wal = options.path.string() + "-wal";
    const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fdatasync(fd);
    ::close(fd);
}

void Store::Impl::run_checkpoints() {
    for (;;) {
        {
            std::unique_lock lock(mu);
            checkpoint_cv.wait(lock, [&] { return checkpoint_wanted || stopping; });
            if (stopping) return;  // closing the last connection checkpoints what is left
            checkpoint_wanted = false;
            checkpoint_running = true;
        }
        int left = checkpoint_pass();
        bool restart = false;
        {
            std::lock_guard lock(mu);
            restart = wal_pages >= kRestartPages;
        }
        if (restart && left > 0) {
            // Catch up: each pass copies what was committed during the one before, a shorter
            // run each time while the copy outpaces the commits; when it does not (the tail
            // stops shrinking), the writer takes the tail as it is, before the WAL grows on.
            for (int i = 0, before = left + 1;
                 i < kCatchUpPasses && left > kTailPages && left < before; ++i) {
                before = left;
                left = checkpoint_pass();
            }
            if (left > 0) sync_wal();
        }
        std::lock_guard lock(mu);
        checkpoint_running = false;
        tail_wanted = restart && left > 0;
    }
}

// No commit runs meanwhile, so this copy catches up with the WAL (a tail of about kTailPages),
// and the next transaction starts it over.
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
