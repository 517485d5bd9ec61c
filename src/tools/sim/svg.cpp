#include "sim/svg.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/report.hpp"

namespace acd::sim {
namespace {

constexpr double kWidth = 1000;
constexpr double kHeight = 620;
constexpr double kLeft = 70;
constexpr double kRight = 30;
constexpr double kPlotWidth = kWidth - kLeft - kRight;

struct Panel {
    double top;
    double height;
    constexpr double bottom() const { return top + height; }
};
constexpr Panel kWaitingPanel{70, 230};
constexpr Panel kServicePanel{360, 170};

// The legend: a swatch and its text per row, under the time axis's labels (16 px under the
// service panel).
constexpr double kSwatch = 12;
constexpr double kLegendRow = 20;
constexpr double kLegendTop = kServicePanel.bottom() + 34;
static_assert(kLegendTop + 2 * kLegendRow <= kHeight);

const char* const kLineColours[] = {"#1f5fa8", "#c2571a"};
const char* const kFillColours[] = {"#b8cfe8", "#f0cdb5"};

std::string escape(std::string_view text) {
    std::string s;
    for (char c : text) {
        switch (c) {
            case '&':
                s += "&amp;";
                break;
            case '<':
                s += "&lt;";
                break;
            case '>':
                s += "&gt;";
                break;
            case '"':
                s += "&quot;";
                break;
            default:
                s += c;
        }
    }
    return s;
}

// 1, 2 or 5 times a power of ten, so that about five steps cover `max`.
double nice_step(double max) {
    const double raw = std::max(max, 1.0) / 5;
    const double p = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0}) {
        if (m * p >= raw) return m * p;
    }
    return 10 * p;
}

// The hours shown: from the first to the last hour in which anything happened in any run.
struct HourRange {
    std::size_t first = 0;
    std::size_t last = 1;  // exclusive
    double x(double hour) const {
        return kLeft +
               (hour - static_cast<double>(first)) / static_cast<double>(last - first) * kPlotWidth;
    }
};

// Several days are shown whole, from midnight to midnight.
HourRange active_hours(const std::vector<const RunResult*>& runs) {
    std::size_t first = SIZE_MAX;
    std::size_t last = 0;
    for (const RunResult* r : runs) {
        const std::size_t per_hour = static_cast<std::size_t>(3600 / r->waiting.bin_s());
        for (std::size_t h = 0; h < r->hours.size(); ++h) {
            const bool active = r->hours[h].all.figures().offered > 0 ||
                                r->agents.max(h, h + 1) > 0 ||
                                r->waiting.max(h * per_hour, (h + 1) * per_hour) > 0;
            if (!active) continue;
            first = std::min(first, h);
            last = std::max(last, h + 1);
        }
    }
    if (first == SIZE_MAX) return {0, 24};
    if (runs.front()->days > 1) {
        first = first / kHoursPerDay * kHoursPerDay;
        last = (last + kHoursPerDay - 1) / kHoursPerDay * kHoursPerDay;
    }
    return {first, last};
}

// Hours (a line every 1, 2 or 6 hours) for a day; days (a line at midnight, the day's name at
// noon) for a longer span.
void time_axis(std::ostream& out, const Scenario& scenario, const HourRange& range,
               const Panel& panel, bool labels) {
    const std::size_t span = range.last - range.first;
    const std::size_t step = span <= 16 ? 1 : span <= 36 ? 2 : span <= 72 ? 6 : 24;
    for (std::size_t h = range.first; h <= range.last; ++h) {
        if (h % step != 0) continue;
        const double x = range.x(static_cast<double>(h));
        fmt::print(out,
                   R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" class="grid"/>)"
                   "\n",
                   x, panel.top, panel.bottom());
        if (!labels) continue;
        const bool days = step == kHoursPerDay;
        if (days && h == range.last) continue;
        const std::string label =
            days ? hour_label(scenario, h).substr(0, 3) : hour_label(scenario, h);
        fmt::print(out,
                   R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="middle">{}</text>)"
                   "\n",
                   days ? range.x(static_cast<double>(h) + 12) : x, panel.bottom() + 16,
                   escape(label));
    }
}

void value_axis(std::ostream& out, const Panel& panel, double max, double step,
                std::string_view unit) {
    for (double v = 0; v <= max + 1e-9; v += step) {
        const double y = panel.bottom() - v / max * panel.height;
        fmt::print(out,
                   R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" class="grid"/>)"
                   "\n",
                   kLeft, y, kLeft + kPlotWidth, y);
        fmt::print(out,
                   R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="end">{}{}</text>)"
                   "\n",
                   kLeft - 6, y + 4, v, unit);
    }
    fmt::print(out,
               R"(<rect x="{}" y="{}" width="{}" height="{}" class="frame"/>)"
               "\n",
               kLeft, panel.top, kPlotWidth, panel.height);
}

double waiting_max(const std::vector<const RunResult*>& runs, bool use_max) {
    double m = 0;
    for (const RunResult* r : runs) {
        for (std::size_t b = 0; b < r->waiting.bins(); ++b) {
            m = std::max(m, use_max ? r->waiting.max(b) : r->waiting.mean(b));
        }
    }
    return m;
}

void waiting_panel(std::ostream& out, const Scenario& scenario,
                   const std::vector<const RunResult*>& runs, const HourRange& range) {
    const bool show_max = runs.size() == 1;
    const double step = nice_step(waiting_max(runs, show_max));
    const double top = std::ceil(waiting_max(runs, show_max) / step) * step;
    const double scale = top > 0 ? top : step;
    fmt::print(
        out,
        R"(<text x="{}" y="{}" class="label">Waiting calls (queued or ringing){}</text>)"
        "\n",
        kLeft, kWaitingPanel.top - 8,
        show_max ? ": mean over 5 minutes (line) and maximum (shaded)" : ": mean over 5 minutes");
    value_axis(out, kWaitingPanel, scale, step, "");
    time_axis(out, scenario, range, kWaitingPanel, false);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const LevelSeries& w = runs[i]->waiting;
        const double per_hour = 3600 / w.bin_s();
        const auto first = static_cast<std::size_t>(static_cast<double>(range.first) * per_hour);
        const auto last = std::min(
            w.bins(), static_cast<std::size_t>(static_cast<double>(range.last) * per_hour));
        const auto y = [&](double v) {
            return kWaitingPanel.bottom() - v / scale * kWaitingPanel.height;
        };
        const auto x = [&](std::size_t b, double offset) {
            return range.x((static_cast<double>(b) + offset) / per_hour);
        };
        if (show_max) {
            std::string area = fmt::format("{:.1f},{:.1f}", x(first, 0), y(0));
            for (std::size_t b = first; b < last; ++b) {
                area += fmt::format(" {:.1f},{:.1f} {:.1f},{:.1f}", x(b, 0), y(w.max(b)), x(b, 1),
                                    y(w.max(b)));
            }
            area += fmt::format(" {:.1f},{:.1f}", x(last, 0), y(0));
            fmt::print(out,
                       R"(<polygon points="{}" fill="{}" stroke="none"/>)"
                       "\n",
                       area, kFillColours[i]);
        }
        std::string line;
        for (std::size_t b = first; b < last; ++b)
            line += fmt::format("{:.1f},{:.1f} ", x(b, 0.5), y(w.mean(b)));
        fmt::print(out,
                   R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="1.8"/>)"
                   "\n",
                   line, kLineColours[i]);
    }
}

void service_panel(std::ostream& out, const Scenario& scenario,
                   const std::vector<const RunResult*>& runs, const HourRange& range) {
    fmt::print(out,
               R"(<text x="{}" y="{}" class="label">Service level per hour (calls answered )"
               R"(within their class target, by the hour they were offered)</text>)"
               "\n",
               kLeft, kServicePanel.top - 8);
    value_axis(out, kServicePanel, 100, 20, "%");
    time_axis(out, scenario, range, kServicePanel, true);
    const double hour_width = range.x(1) - range.x(0);
    const double bar_width = hour_width * 0.8 / static_cast<double>(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
        for (std::size_t h = range.first; h < range.last && h < runs[i]->hours.size(); ++h) {
            const auto sl = runs[i]->hours[h].all.figures().service_level;
            if (!sl) continue;
            const double height = *sl * kServicePanel.height;
            fmt::print(out,
                       R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}">)"
                       R"(<title>{} {}: {:.1f}%</title></rect>)"
                       "\n",
                       range.x(static_cast<double>(h)) + hour_width * 0.1 +
                           bar_width * static_cast<double>(i),
                       kServicePanel.bottom() - height, bar_width, height, kLineColours[i],
                       to_string(runs[i]->policy), escape(hour_label(scenario, h)), *sl * 100);
        }
    }
}

// Below the time axis's labels, one policy per row: a row is as wide as its text, which the
// chart cannot measure, so rows never share a line and nothing is drawn over a panel or a label.
void legend(std::ostream& out, const std::vector<const RunResult*>& runs) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const double y = kLegendTop + kLegendRow * static_cast<double>(i);
        const RunResult& r = *runs[i];
        const auto sl = r.overall.figures().service_level;
        fmt::print(
            out,
            R"(<rect x="{:.1f}" y="{:.1f}" width="{}" height="{}" fill="{}" class="swatch"/>)"
            "\n",
            kLeft, y, kSwatch, kSwatch, kLineColours[i]);
        fmt::print(
            out,
            R"(<text x="{:.1f}" y="{:.1f}" class="tick">policy {}: service level {} overall</text>)"
            "\n",
            kLeft + kSwatch + 6, y + kSwatch - 3, to_string(r.policy),
            sl ? fmt::format("{:.1f}%", *sl * 100) : std::string("-"));
    }
}

}  // namespace

void write_svg(std::ostream& out, const Scenario& scenario,
               const std::vector<const RunResult*>& runs) {
    const HourRange range = active_hours(runs);
    fmt::print(out,
               R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
               R"(viewBox="0 0 {0} {1}" font-family="sans-serif">)"
               "\n",
               kWidth, kHeight);
    fmt::print(out,
               "<style>.grid{{stroke:#ddd;stroke-width:1}} .frame{{fill:none;stroke:#888}} "
               ".tick{{font-size:11px;fill:#444}} .label{{font-size:13px;fill:#222}} "
               ".title{{font-size:16px;font-weight:bold;fill:#111}}</style>\n");
    fmt::print(out, R"(<rect width="100%" height="100%" fill="white"/>)"
                    "\n");
    std::string policies;
    for (const RunResult* r : runs)
        policies += (policies.empty() ? "" : " and ") + std::string(to_string(r->policy));
    fmt::print(out,
               R"(<text x="{}" y="28" class="title">{}: policy {}, seed {}</text>)"
               "\n",
               kLeft, escape(scenario.name), policies, runs.front()->seed);
    waiting_panel(out, scenario, runs, range);
    service_panel(out, scenario, runs, range);
    legend(out, runs);
    fmt::print(out, "</svg>\n");
}

}  // namespace acd::sim
