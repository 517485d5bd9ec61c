// Alerts as the admin protocol shows them (docs/spec/routing.md v1.1 "Alerts"): in status-get,
// on the `alerts` subscription topic, and in the log, once per raising and once per clearing,
// at warning level. Single-threaded, on the engine's thread.
#pragma once

#include "acd/engine.hpp"
#include "acd/json.hpp"

namespace acd {

// {"alert", "specialty", "gateway", "call_id", "raised_at"}: the ids are null for
// queue_unstaffed; raised_at in site time.
Json alert_json(const Alert& alert, const ZoneRules& zone);

// Logs each alert an output raises or clears (alert.raised, alert.cleared), at warning level.
void log_alerts(const Output& output, const ZoneRules& zone);

}  // namespace acd
