// Text output for people: aligned tables, durations, percentages.
//
// Pure functions of their arguments; nothing here touches a terminal or the network, so the
// exact output is testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acd::ctl {

// A table with a header row. Columns are separated by two spaces and padded to the widest cell;
// numeric columns are right-aligned so that digits line up. Trailing spaces are never printed.
class Table {
  public:
    enum class Align { left, right };
    struct Column {
        std::string title;
        Align align = Align::left;
    };

    explicit Table(std::vector<Column> columns);
    // A row with as many cells as there are columns (missing cells are blank).
    void add(std::vector<std::string> cells);
    bool empty() const { return rows_.empty(); }
    std::size_t size() const { return rows_.size(); }
    // Every line, the header first, each ending in '\n'.
    std::string render() const;
    // The same, one string per line without '\n' (the wallboard styles lines one by one).
    std::vector<std::string> lines() const;

  private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text: code points, not bytes (specialty names may have accents).
std::size_t display_width(std::string_view text);
// `text` cut to `width` display columns.
std::string truncate_to_width(std::string_view text, std::size_t width);

// 45s, 1m05s, 2h03m, 3d04h; negative values get a leading '-'. Seconds are whole.
std::string format_duration(std::int64_t seconds);
// "-" for a missing value (null in the protocol).
std::string format_duration(std::optional<std::int64_t> seconds);
// 0.8756 -> "87.6%"; "-" when missing (a division by zero in the daemon's figures).
std::string format_percent(std::optional<double> ratio);
// 12.345 seconds -> "12s", 75.2 -> "1m15s" (rounded to whole seconds); "-" when missing.
std::string format_seconds(std::optional<double> seconds);

}  // namespace acd::ctl
