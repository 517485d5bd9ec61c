// Logging set-up and the one way to log an event: every line starts with a stable event name
// ("gateway.connect", "store.commit", ...) so operators can grep for it.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace acd {

// Logs to stderr at `level` (a spdlog level name). Under systemd (JOURNAL_STREAM set) lines carry
// no timestamp, since journald adds its own.
void setup_logging(std::string_view level);

template <typename... Args>
void log_event(std::string_view event, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    spdlog::info("{} {}", event, fmt::format(fmt, std::forward<Args>(args)...));
}

template <typename... Args>
void log_warning(std::string_view event, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    spdlog::warn("{} {}", event, fmt::format(fmt, std::forward<Args>(args)...));
}

template <typename... Args>
void log_error(std::string_view event, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    spdlog::error("{} {}", event, fmt::format(fmt, std::forward<Args>(args)...));
}

}  // namespace acd
