// The daemon's logger (the events themselves are logged with include/acd/log.hpp).
#pragma once

#include <string_view>

#include "acd/log.hpp"

namespace acd {

// Logs to stderr at `level` (a spdlog level name). Under systemd (JOURNAL_STREAM set) lines carry
// no timestamp, since journald adds its own, and begin with their syslog priority.
void setup_logging(std::string_view level);

}  // namespace acd
