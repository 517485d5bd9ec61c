// The routing configuration as the audit log (its `config` records) and engine snapshots keep it:
// a versioned format of its own, independent of the configuration file's grammar, so that a key
// renamed in the file never makes an old log or snapshot unreadable.
//
// Contract: routing_from_json(routing_json(c)) == c. Format 2 is what is written. Format 1, the
// configuration-file-shaped form acdd 0.1.0 wrote (ring_timeout_s, classes by name,
// overflow_teams), is still read, by its own reader here. Never throws: a value that does not
// read back is an error naming what is wrong.
#pragma once

#include "acd/json.hpp"
#include "acd/result.hpp"
#include "acd/routing_config.hpp"

namespace acd {

Json routing_json(const RoutingConfig& config);
Result<RoutingConfig> routing_from_json(const Json& json);

}  // namespace acd
