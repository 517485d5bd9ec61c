// The one way to log an event: every line starts with a stable event name ("gateway.connect",
// "store.failed", ...) so operators can grep for it, and each event kind is logged from one
// place. The process's logger is set up by the daemon (src/daemon/logging.hpp); before that,
// spdlog's default logger writes to stderr. Thread-safe (spdlog's loggers are).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace acd {

template <typename... Args>
void log_debug(std::string_view event, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    if (!spdlog::should_log(spdlog::level::debug)) return;
    spdlog::debug("{} {}", event, fmt::format(fmt, std::forward<Args>(args)...));
}

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
