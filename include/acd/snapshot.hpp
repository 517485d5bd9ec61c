// Engine snapshots: the whole engine state as bytes, so that recovery replays only the inputs
// logged after the last snapshot (docs/storage.md "Recovery").
//
// Contract: restore_engine(snapshot_engine(e)) behaves exactly as `e` on every later input: same
// outputs, same views. A snapshot carries the routing configuration in force. The format is
// versioned JSON; a snapshot of an unknown version or a damaged one is refused (recovery then
// falls back to replaying the whole log).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "acd/engine.hpp"
#include "acd/result.hpp"

namespace acd {

std::string snapshot_engine(const Engine& engine);
Result<std::unique_ptr<Engine>> restore_engine(std::string_view snapshot);

}  // namespace acd
