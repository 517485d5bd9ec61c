// For the modules that own tables in the store's database (src/agenda): the writer's connection
// inside a job, and the store's own tables reached only through these functions, so that the
// store stays the one writer of personal data and of the calls table, with one set of rules.
// Nothing outside src/store and such modules includes this header: the public surface
// (include/acd/store.hpp) shows no SQLite handle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acd/json.hpp"
#include "acd/store.hpp"
#include "sqlite.hpp"

namespace acd::store {

// The writer's connection, inside a job (the current transaction).
sql::Db& connection(WriteContext& ctx);

// --- personal data (the `pii` table) -----------------------------------------------------------

// Merges `fields` (JSON object: phone, name, birth_date) into the person's sealed personal data,
// creating it when there is none, and moves its last activity forward to `active_until` (a
// booking counts until the appointment's start). The one rule of the store: a row is rewritten
// only when what it holds changes or its last activity moves by an hour or more.
Status remember_person(WriteContext& ctx, std::string_view pseudonym, const Json& fields,
                       Time active_until);
// Moves the last activity of a person already known forward to `at` (the same rule).
Status touch_person(WriteContext& ctx, std::string_view pseudonym, Time at);
// The person's personal data, decrypted, on any connection to the database; nullopt when there
// is none (erased) or when it does not open (damage).
std::optional<Json> read_person(sql::Db& db, const PiiKey& key, std::string_view pseudonym);

// --- finished calls (the `calls` table) --------------------------------------------------------

// A patient's finished calls, latest first, at most `limit`; and how many there are.
Result<std::vector<CallSnapshot>> calls_of(sql::Db& db, std::string_view caller, int limit);
Result<std::int64_t> count_calls_of(sql::Db& db, std::string_view caller);
// The number of finished calls of every caller.
Result<std::vector<std::pair<std::string, std::int64_t>>> call_counts(sql::Db& db);
// The latest finished call with this id (of `gateway` when not empty).
Result<std::optional<CallSnapshot>> find_finished_call(sql::Db& db, std::string_view call_id,
                                                       std::string_view gateway);
// Gives the calls of `caller` another caller (an erasure's fresh pseudonym). Returns how many.
Result<std::int64_t> relink_calls(WriteContext& ctx, std::string_view caller, std::string_view to);

// --- audit records (the `audit` table) ---------------------------------------------------------

// The records of `type` (an action such as `access`) at or after `since`, in id order, on any
// connection to the database (indexed by time).
Result<std::vector<AuditRecord>> records_of_type(sql::Db& db, std::string_view type, Time since);

}  // namespace acd::store
