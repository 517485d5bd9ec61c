// The report, CSV and SVG writers (src/tools/sim/report.hpp, svg.hpp).
#include "sim/report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "sim/simulation.hpp"
#include "sim/svg.hpp"
#include "sim_test_util.hpp"
#include "text_lines.hpp"

namespace acd::sim::test {
namespace {

using acd::test::lines_of;

struct Runs {
    Scenario scenario = load_ok("chl-day");
    RunResult acdd = run(scenario, Policy::acdd);
    RunResult fifo = run(scenario, Policy::fifo);
};

const Runs& chl() {
    static const Runs runs;
    return runs;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

TEST(Report, ListsEverySpecialtyWithEachClassItsTotalAndTheOverallTotal) {
    std::ostringstream out;
    write_report(out, chl().scenario, chl().acdd);
    const std::string text = out.str();
    for (const SpecialtyConfig& sp : chl().scenario.routing.specialties) {
        for (const char* cls : {"urgent", "appointment", "admin", "all"}) {
            EXPECT_NE(text.find(fmt::format("{:<18} {:<12}", sp.id, cls)), std::string::npos)
                << sp.id << " " << cls;
        }
    }
    EXPECT_NE(text.find(fmt::format("{:<18} {:<12}", "all", "all")), std::string::npos);
    EXPECT_NE(text.find("By hour"), std::string::npos);
    EXPECT_NE(text.find("08:00"), std::string::npos);
}

TEST(Report, ComparisonIsOneReportWithBothPoliciesSideBySide) {
    std::ostringstream out;
    write_comparison(out, chl().scenario, chl().acdd, chl().fifo);
    const std::string text = out.str();
    EXPECT_EQ(count_of(text, "acd-sim: "), 1u);  // one header, not one report per policy
    EXPECT_EQ(count_of(text, "Service by specialty and class, acdd | fifo"), 1u);
    EXPECT_EQ(count_of(text, "By hour, acdd | fifo"), 1u);
    // Each line holds both runs' figures: the SL of acdd, then of fifo.
    const ServiceFigures a = chl().acdd.overall.figures();
    const ServiceFigures f = chl().fifo.overall.figures();
    const std::string all = fmt::format("{:<18} {:<12} {:>7} | {:>7} {:>7} |", "all", "all",
                                        a.offered, fmt::format("{:.1f}%", *a.service_level * 100),
                                        fmt::format("{:.1f}%", *f.service_level * 100));
    EXPECT_NE(text.find(all), std::string::npos) << text;
    for (const SpecialtyConfig& sp : chl().scenario.routing.specialties)
        EXPECT_NE(text.find(fmt::format("{:<18} {:<12}", sp.id, "urgent")), std::string::npos);
    EXPECT_NE(text.find("08:00"), std::string::npos);
}

TEST(HourlyCsv, HasAHeaderAndOneRowPerHourAndScope) {
    std::ostringstream out;
    write_hourly_csv(out, chl().acdd);
    const auto lines = lines_of(out.str());
    const std::size_t scopes = 1 + chl().acdd.specialties.size();
    ASSERT_EQ(lines.size(), 1 + 24 * scopes);
    const std::size_t columns = count_of(lines[0], ",") + 1;
    EXPECT_EQ(columns, 18u);
    for (const std::string& line : lines)
        EXPECT_EQ(count_of(line, ",") + 1, columns) << line;
    EXPECT_EQ(lines[1 + 9 * scopes].substr(0, 12), "1,09:00,all,");
}

TEST(HourlyCsv, NullFiguresAreEmptyFields) {
    std::ostringstream out;
    write_hourly_csv(out, chl().acdd);
    const auto lines = lines_of(out.str());
    // 03:00: no calls, so service level, answer rate, ASA and max wait are null.
    const std::string night = lines[1 + 3 * (1 + chl().acdd.specialties.size())];
    EXPECT_NE(night.find(",0,0,0,0,0,0,0,0,,,,,"), std::string::npos) << night;
}

TEST(HourLabel, NamesTheWeekdayOnRunsOfSeveralDays) {
    Scenario s;
    s.days = 7;
    s.first_weekday = 0;
    EXPECT_EQ(hour_label(s, 24 + 8), "Tue 08:00");
    s.days = 1;
    EXPECT_EQ(hour_label(s, 8), "08:00");
}

TEST(Chart, IsOneSvgDocumentWithBothPanels) {
    std::ostringstream out;
    write_svg(out, chl().scenario, {&chl().acdd});
    const std::string svg = out.str();
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
    EXPECT_NE(svg.find("Waiting calls"), std::string::npos);
    EXPECT_NE(svg.find("Service level per hour"), std::string::npos);
    EXPECT_EQ(count_of(svg, "<text"), count_of(svg, "</text>"));
    // Every rect is closed: <rect .../> or <rect ...>...</rect>.
    std::size_t self_closed = 0;
    for (auto pos = svg.find("<rect"); pos != std::string::npos; pos = svg.find("<rect", pos + 1))
        self_closed += svg[svg.find('>', pos) - 1] == '/';
    EXPECT_EQ(count_of(svg, "<rect"), self_closed + count_of(svg, "</rect>"));
    EXPECT_NE(svg.find(">08:00</text>"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(Chart, DrawsBothPoliciesWhenGivenTwoRuns) {
    std::ostringstream one;
    std::ostringstream two;
    write_svg(one, chl().scenario, {&chl().acdd});
    write_svg(two, chl().scenario, {&chl().acdd, &chl().fifo});
    EXPECT_EQ(count_of(one.str(), "<polyline"), 1u);
    EXPECT_EQ(count_of(two.str(), "<polyline"), 2u);
    EXPECT_NE(two.str().find("policy fifo"), std::string::npos);
}

// y and height of each <rect ...> with `marker` in it.
std::vector<std::pair<double, double>> rects_with(const std::string& svg,
                                                  const std::string& marker) {
    std::vector<std::pair<double, double>> out;
    for (auto pos = svg.find("<rect"); pos != std::string::npos; pos = svg.find("<rect", pos + 1)) {
        const std::string tag = svg.substr(pos, svg.find('>', pos) - pos);
        if (tag.find(marker) == std::string::npos) continue;
        const auto attr = [&](const std::string& name) {
            const auto at = tag.find(" " + name + "=\"");
            return std::stod(tag.substr(at + name.size() + 3));
        };
        out.emplace_back(attr("y"), attr("height"));
    }
    return out;
}

TEST(Chart, TheLegendCoversNoPanelNoLabelAndNoOtherEntry) {
    std::ostringstream out;
    write_svg(out, chl().scenario, {&chl().acdd, &chl().fifo});
    const std::string svg = out.str();
    const auto panels = rects_with(svg, "class=\"frame\"");
    const auto swatches = rects_with(svg, "class=\"swatch\"");
    ASSERT_EQ(panels.size(), 2u);
    ASSERT_EQ(swatches.size(), 2u);
    const double axis_labels = panels[1].first + panels[1].second + 16;  // their baseline
    const auto at = svg.find("height=\"");
    const double height = std::stod(svg.substr(at + 8));
    for (std::size_t i = 0; i < swatches.size(); ++i) {
        EXPECT_GT(swatches[i].first, axis_labels + 4) << "entry " << i;
        EXPECT_LE(swatches[i].first + swatches[i].second, height) << "entry " << i;
        // Each entry has a row of its own: its text, however long, meets no other entry.
        if (i > 0) {
            EXPECT_GE(swatches[i].first, swatches[i - 1].first + swatches[i - 1].second + 4);
        }
    }
}

TEST(Chart, EscapesTheScenarioName) {
    Scenario s = chl().scenario;
    s.name = "A&B <test>";
    std::ostringstream out;
    write_svg(out, s, {&chl().acdd});
    EXPECT_NE(out.str().find("A&amp;B &lt;test&gt;"), std::string::npos);
}

}  // namespace
}  // namespace acd::sim::test
