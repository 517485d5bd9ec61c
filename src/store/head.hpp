// Internal to the store: the side file `<store.path>.head`, which remembers what acdd had
// committed (the chain's last record and its hash, each gateway's last seq), so that a database
// found behind it at start (restored, WAL cut or deleted, replaced) is refused instead of being
// silently continued (docs/operations.md "When acdd refuses to start").
//
// The file is written by a thread of its own after commits (at most every kHeadInterval), never
// by the commit path: it may lag behind the database by a moment, never run ahead of it (it only
// ever holds committed records).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "acd/result.hpp"
#include "acd/store.hpp"

namespace acd {

// What the side file holds: the chain's head (include/acd/store.hpp) and each gateway's last seq.
struct Head {
    ChainHead chain;                                // the last committed record (id 0: none)
    std::map<std::string, std::uint64_t> gateways;  // gateway id -> its last recorded seq

    bool operator==(const Head&) const = default;
};

std::filesystem::path head_file_of(const std::filesystem::path& database);
// nullopt when the file does not exist; an error when it exists but cannot be read.
Result<std::optional<Head>> read_head(const std::filesystem::path& file);
// Replaces the file atomically (a temporary file, fsync, rename).
Status write_head(const std::filesystem::path& file, const Head& head);

}  // namespace acd
