#include "log.hpp"

#include <fmt/chrono.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace acd::kamailio {

namespace {
Level g_level = Level::info;

const char* name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warning:
            return "warning";
        case Level::error:
            return "error";
    }
    return "?";
}
}  // namespace

void set_log_level(Level level) {
    g_level = level;
}
bool log_enabled(Level level) {
    return level >= g_level;
}

void log_line(Level level, std::string_view event, std::string_view text) {
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string line;
    if (!journal) {
        const auto now = std::chrono::system_clock::now();
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
            1000;
        line = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z ",
                           std::chrono::floor<std::chrono::seconds>(now), ms);
    }
    line += fmt::format("[{}] {} {}\n", name(level), event, text);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace acd::kamailio
