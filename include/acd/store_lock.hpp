// The database's lock: one acdd per database. A second acdd started on the same database (by hand,
// or by a unit that overlaps a running one) would write audit records with the same ids as the
// first and make it fail; so acdd takes an exclusive lock on `<store.path>.lock` before it reads or
// writes anything, and refuses to start, naming the holder, when another process has it.
//
//   auto lock = acd::StoreLock::acquire(config.store.path);
//   if (!lock) { /* lock.error().message says who holds it */ }
//   // ... the lock is held until `*lock` is destroyed (or the process ends, even by SIGKILL).
//
// Contract:
// - flock(2) on the lock file (created mode 0600 when absent; never deleted, so that two starts
//   never lock two different files). The holder's PID is written into it, for the message.
// - Not thread-safe; a StoreLock is owned by the daemon's main function.
#pragma once

#include <filesystem>

#include "acd/result.hpp"

namespace acd {

class StoreLock {
  public:
    static Result<StoreLock> acquire(const std::filesystem::path& database);
    // The lock file of a database: "<database>.lock".
    static std::filesystem::path file_of(const std::filesystem::path& database);

    StoreLock(StoreLock&& other) noexcept;
    StoreLock& operator=(StoreLock&& other) noexcept;
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;
    ~StoreLock();

  private:
    explicit StoreLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace acd
