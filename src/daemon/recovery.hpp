// Recovery: the engine state rebuilt from the store (the latest snapshot, then the inputs
// logged after it), so that a restarted acdd carries on where it stopped.
#pragma once

#include <memory>

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

}  // namespace acd
