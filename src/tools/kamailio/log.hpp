// acd-kamailio's log: one line per event on stderr, starting with a stable event name
// ("acdd.connected", "kamailio.lost", ...) so operators can grep for it, as acdd's. Under systemd
// (JOURNAL_STREAM set) lines carry no timestamp, since journald adds its own. Single-threaded.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace acd::kamailio {

enum class Level { debug, info, warning, error };

// Lines below `level` are dropped (default info; -v sets debug: every event and command).
void set_log_level(Level level);
bool log_enabled(Level level);
void log_line(Level level, std::string_view event, std::string_view text);

template <typename... Args>
void log(Level level, std::string_view event, fmt::format_string<Args...> format, Args&&... args) {
    if (log_enabled(level))
        log_line(level, event, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace acd::kamailio
