// Recovery: the engine state rebuilt from the store (the latest snapshot, then the inputs
// logged after it), so that a restarted acdd carries on where it stopped.
#pragma once

#include <memory>

#include "acd/agenda.hpp"
#include "acd/engine.hpp"
#include "acd/result.hpp"
#include "acd/store.hpp"

namespace acd {

struct Recovered {
    std::unique_ptr<Engine> engine;  // null when the log is empty
    std::int64_t replayed = 0;       // inputs replayed after the snapshot
    std::int64_t snapshot_id = 0;    // the record the snapshot stands after (0: none)
};

Result<Recovered> recover(Store& store);

// The live calls of `engine` that an erasure unlinked before a restart (their kCallUnlinkRecord
// records, agenda.hpp, after the call's latest `call.offered`), with the pseudonym to record
// each under when it ends. One indexed read of the log per live call.
Result<std::vector<std::pair<agenda::LiveCallId, std::string>>> unlinked_live_calls(
    Store& store, const Engine& engine);

}  // namespace acd
