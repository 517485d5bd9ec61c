#include "table.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace acd::ctl {

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add(std::vector<std::string> cells) {
    cells.resize(columns_.size());
    rows_.push_back(std::move(cells));
}

std::vector<std::string> Table::lines() const {
    std::vector<std::size_t> widths(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        widths[c] = display_width(columns_[c].title);
        for (const auto& row : rows_)
            widths[c] = std::max(widths[c], display_width(row[c]));
    }
    const auto line = [&](const auto& cell_of) {
        std::string out;
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            const std::string& cell = cell_of(c);
            const std::string pad(widths[c] - display_width(cell), ' ');
            if (c > 0) out += "  ";
            out += columns_[c].align == Align::right ? pad + cell : cell + pad;
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out;
    };
    std::vector<std::string> out;
    out.push_back(line([&](std::size_t c) -> const std::string& { return columns_[c].title; }));
    for (const auto& row : rows_) {
        out.push_back(line([&](std::size_t c) -> const std::string& { return row[c]; }));
    }
    return out;
}

std::string Table::render() const {
    std::string out;
    for (const std::string& l : lines())
        out += l + '\n';
    return out;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (const char ch : text) {
        // Continuation bytes (10xxxxxx) do not start a code point.
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++width;
    }
    return width;
}

std::string truncate_to_width(std::string_view text, std::size_t width) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (seen == width) return std::string(text.substr(0, i));
            ++seen;
        }
    }
    return std::string(text);
}

std::string format_duration(std::int64_t seconds) {
    // The magnitude as unsigned, so that the most negative value has one too.
    const std::string_view sign = seconds < 0 ? "-" : "";
    const std::uint64_t s =
        seconds < 0 ? 0 - static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds);
    if (s < 60) return fmt::format("{}{}s", sign, s);
    if (s < 3600) return fmt::format("{}{}m{:02}s", sign, s / 60, s % 60);
    if (s < 86400) return fmt::format("{}{}h{:02}m", sign, s / 3600, s % 3600 / 60);
    return fmt::format("{}{}d{:02}h", sign, s / 86400, s % 86400 / 3600);
}

std::string format_duration(std::optional<std::int64_t> seconds) {
    return seconds ? format_duration(*seconds) : "-";
}

std::string format_percent(std::optional<double> ratio) {
    return ratio ? fmt::format("{:.1f}%", *ratio * 100.0) : "-";
}

std::string format_seconds(std::optional<double> seconds) {
    if (!seconds) return "-";
    return format_duration(static_cast<std::int64_t>(std::llround(*seconds)));
}

}  // namespace acd::ctl
