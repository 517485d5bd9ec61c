// acdctl's pure parts: durations and tables, the sub-command parser, and the wallboard's model
// (a snapshot followed by streamed rows, ticking clocks, fitting a small terminal).
#include <gtest/gtest.h>

#include <limits>

#include "acdctl/commands.hpp"
#include "acdctl/render.hpp"
#include "acdctl/table.hpp"
#include "acdctl/wallboard.hpp"

namespace acd::ctl {
namespace {

using namespace std::chrono_literals;

TEST(Format, Durations) {
    EXPECT_EQ(format_duration(std::int64_t{0}), "0s");
    EXPECT_EQ(format_duration(std::int64_t{45}), "45s");
    EXPECT_EQ(format_duration(std::int64_t{65}), "1m05s");
    EXPECT_EQ(format_duration(std::int64_t{3599}), "59m59s");
    EXPECT_EQ(format_duration(std::int64_t{7380}), "2h03m");
    EXPECT_EQ(format_duration(std::int64_t{273600}), "3d04h");
    EXPECT_EQ(format_duration(std::int64_t{-12}), "-12s");
    EXPECT_EQ(format_duration(std::numeric_limits<std::int64_t>::min()), "-106751991167300d15h");
    EXPECT_EQ(format_duration(std::optional<std::int64_t>{}), "-");
    EXPECT_EQ(format_percent(0.8756), "87.6%");
    EXPECT_EQ(format_percent(std::nullopt), "-");
    EXPECT_EQ(format_seconds(75.4), "1m15s");
}

TEST(Format, TablesAlignByDisplayWidthAndTrimTrailingSpaces) {
    Table t({{"NAME"}, {"N", Table::Align::right}, {"NOTE"}});
    t.add({"Gastro-entérologie", "7", ""});
    t.add({"x", "12", "late"});
    EXPECT_EQ(t.render(),
              "NAME                 N  NOTE\n"
              "Gastro-entérologie   7\n"
              "x                   12  late\n");
    EXPECT_EQ(truncate_to_width("entérologie", 4), "enté");
}

Invocation invocation(const std::vector<std::string>& args) {
    const Parsed p = parse_command(args);
    EXPECT_TRUE(std::holds_alternative<Invocation>(p)) << testing::PrintToString(args);
    return std::holds_alternative<Invocation>(p) ? std::get<Invocation>(p) : Invocation{};
}

TEST(Commands, FriendlyWordsBecomeRequests) {
    EXPECT_EQ(invocation({"agent", "pause", "a1", "team", "meeting"}).arguments,
              Json::parse(R"({"agent":"a1","reason":"team meeting"})"));
    EXPECT_EQ(invocation({"agent", "login", "a1", "--paused"}).arguments,
              Json::parse(R"({"agent":"a1","paused":true})"));
    const Invocation t = invocation({"call", "transfer", "c9", "neurology"});
    EXPECT_EQ(t.command, "call-transfer");
    EXPECT_EQ(t.arguments, Json::parse(R"({"call_id":"c9","specialty":"neurology"})"));
    EXPECT_EQ(
        invocation({"overflow", "set", "cardiology", "--threshold", "4", "--enable"}).arguments,
        Json::parse(R"({"specialty":"cardiology","threshold":4,"enabled":true})"));
    EXPECT_EQ(invocation({"overflow", "set", "cardiology", "--threshold=0"}).arguments,
              Json::parse(R"({"specialty":"cardiology","threshold":0})"));
    EXPECT_EQ(invocation({"audit", "verify"}).timeout, std::chrono::seconds(600));
    EXPECT_EQ(invocation({"audit", "verify", "--deep"}).arguments, Json({{"deep", true}}));
    EXPECT_EQ(invocation({"audit", "verify", "7:ab", "--deep"}).arguments,
              Json({{"head", "7:ab"}, {"deep", true}}));
    EXPECT_EQ(invocation({"audit", "verify", "7:ab"}).arguments, Json({{"head", "7:ab"}}));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_command({"agent", "pause", "a1"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(
        parse_command({"overflow", "set", "x", "--enable", "--disable"})));
}

TEST(Commands, BackupSendsAnAbsolutePathAndWaitsLonger) {
    const Invocation abs = invocation({"backup", "/var/lib/acdd/b.db"});
    EXPECT_EQ(abs.command, "backup");
    EXPECT_EQ(abs.arguments, Json::parse(R"({"path":"/var/lib/acdd/b.db"})"));
    EXPECT_EQ(abs.timeout, std::chrono::seconds(600));
    const Invocation rel = invocation({"backup", "x/../b.db"});
    EXPECT_EQ(rel.arguments["path"], (std::filesystem::current_path() / "b.db").string());
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_command({"backup"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_command({"backup", ""})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_command({"backup", "a", "b"})));
}

TEST(Commands, SinceTakesATimeOrASpanBackFromNow) {
    const auto now = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
    EXPECT_EQ(since_argument("2h", now), "2023-11-14T20:13:20Z");
    EXPECT_EQ(since_argument("7d", now), "2023-11-07T22:13:20Z");
    EXPECT_EQ(since_argument("2025-03-14T08:00:00+01:00", now), "2025-03-14T08:00:00+01:00");
    EXPECT_EQ(since_argument("yesterday", now), "");
    EXPECT_EQ(since_argument("2x", now), "");
}

struct WallboardTest : testing::Test {
    Wallboard board;
    SteadyTime t0 = SteadyTime{} + 1000s;

    std::vector<std::string> frame(SteadyTime now, std::size_t height = 0) {
        std::vector<std::string> out;
        for (const auto& l : board.draw({"title", "", 0, height}, now))
            out.push_back(l.text);
        return out;
    }
    static Json agent(const std::string& id, const std::string& state, int for_s = 0) {
        return {{"agent", id},        {"state", state},     {"reason", nullptr},
                {"skills", {"card"}}, {"call_id", nullptr}, {"state_for_s", for_s}};
    }
    static Json call(const std::string& id, const std::string& state, int wait_s = 0) {
        return {{"call_id", id},  {"gateway", "gw"},  {"specialty", "card"}, {"class", "urgent"},
                {"state", state}, {"wait_s", wait_s}, {"agent", nullptr},    {"team", nullptr}};
    }
    void snapshot() {
        board.reset(Json::parse(R"({"queues":[{"specialty":"card","queued":1,"oldest_wait_s":5,
                                   "agents_ready":0,"agents_busy":0,"exceeds_threshold":false}]})"),
                    {{"calls", {call("c1", "queued", 5)}}},
                    {{"agents", {agent("a1", "paused", 60)}}}, t0);
    }
};

TEST_F(WallboardTest, StreamedRowsOverTheSnapshotGiveTheNewestState) {
    snapshot();
    EXPECT_EQ(board.take_stale(), std::set<std::string>{"card"});  // c1's deadline is unknown
    board.set_deadlines(Json::parse(R"({"specialty":"card","calls":[
        {"call_id":"c1","class":"urgent","wait_s":5,"deadline_in_s":25}]})"),
                        t0);
    // Messages from before the snapshot come in after it: the last one about a row wins.
    board.apply({{"topic", "calls"}, {"event", "call.offered"}, {"call", call("c2", "queued")}},
                t0);
    board.apply({{"topic", "calls"}, {"event", "call.ended"}, {"call", call("c2", "ended")}}, t0);
    board.apply({{"topic", "agents"}, {"agent", agent("a1", "ready")}}, t0);
    const auto lines = frame(t0 + 3s);
    EXPECT_EQ(lines[1],
              "calls: 1 waiting, 0 ringing, 0 talking    agents: 1 ready, 0 reserved, 0 busy, 0 "
              "wrap_up, 0 paused, 0 logged_out");
    EXPECT_EQ(lines[5], "card            1      8s      0     0");  // the oldest wait ticks
    EXPECT_EQ(lines[9], "c1    card       urgent    8s    in 22s  [###.......]");
    EXPECT_EQ(lines[13], "a1     ready   3s");
}

TEST_F(WallboardTest, ACallPastItsDeadlineIsLate) {
    snapshot();
    board.set_deadlines(Json::parse(R"({"specialty":"card","calls":[
        {"call_id":"c1","class":"urgent","wait_s":5,"deadline_in_s":25}]})"),
                        t0);
    EXPECT_EQ(frame(t0 + 40s)[9], "c1    card       urgent   45s   15s ago  [##########]  LATE");
}

TEST_F(WallboardTest, ARemovedAgentAndAnEndedCallLeaveThePicture) {
    snapshot();
    board.apply({{"topic", "agents"}, {"agent", {{"agent", "a1"}, {"state", "logged_out"}}}}, t0);
    board.apply({{"topic", "calls"}, {"call", call("c1", "ended")}}, t0);
    const auto lines = frame(t0);
    EXPECT_EQ(lines[8], "no calls waiting");
    EXPECT_EQ(lines[11], "no agent logged in");
}

TEST_F(WallboardTest, ASmallTerminalShowsHowManyRowsDoNotFit) {
    Json calls = Json::array();
    for (int i = 0; i < 20; ++i)
        calls.push_back(call("c" + std::to_string(i), "queued", i));
    board.reset(Json::parse(R"({"queues":[]})"), {{"calls", calls}},
                {{"agents", {agent("a1", "ready")}}}, t0);
    const auto lines = frame(t0, 16);
    ASSERT_EQ(lines.size(), 16U);
    EXPECT_EQ(lines.back(), "a1     ready   0s");
    EXPECT_EQ(lines[11], "... and 17 more");
}

// routing.md v1.1 "Alerts": the active alerts show under the title, from status-get, then as the
// `alerts` topic raises and clears them.
TEST_F(WallboardTest, ActiveAlertsShowUnderTheTitleUntilCleared) {
    snapshot();
    const Json unstaffed = {{"alert", "queue_unstaffed"},
                            {"specialty", "card"},
                            {"gateway", nullptr},
                            {"call_id", nullptr},
                            {"raised_at", "2026-12-05T21:03:22.000+01:00"}};
    board.set_alerts({{"alerts", {unstaffed}}});
    EXPECT_EQ(frame(t0)[2], "ALERT queue_unstaffed card since 21:03:22");
    const Json late = {{"alert", "call_late"},
                       {"specialty", "card"},
                       {"gateway", "gw"},
                       {"call_id", "c1"},
                       {"raised_at", "2026-12-05T21:04:00.000+01:00"}};
    board.apply({{"topic", "alerts"}, {"event", "alert.raised"}, {"alert", late}}, t0);
    EXPECT_EQ(frame(t0)[2], "ALERT call_late card call c1 since 21:04:00");
    board.apply({{"topic", "alerts"}, {"event", "alert.cleared"}, {"alert", late}}, t0);
    board.apply({{"topic", "alerts"}, {"event", "alert.cleared"}, {"alert", unstaffed}}, t0);
    EXPECT_EQ(frame(t0)[2], "");
}

// `acdctl status` shows each active alert (routing.md v1.1 "Alerts") in the site's clock time.
TEST(Render, StatusListsTheActiveAlerts) {
    const Json response = {{"result", 0},
                           {"text", "up"},
                           {"arguments",
                            {{"version", "0.1.0"},
                             {"uptime_s", 5},
                             {"calls_queued", 1},
                             {"calls_offering", 0},
                             {"calls_connected", 0},
                             {"agents", Json::object()},
                             {"alerts",
                              {{{"alert", "call_late"},
                                {"specialty", "card"},
                                {"gateway", "gw"},
                                {"call_id", "c1"},
                                {"raised_at", "2026-12-05T21:04:00.000+01:00"}}}}}}};
    const Shown shown = show({"status-get", Json::object(), View::status}, response.dump(), false);
    EXPECT_EQ(shown.exit_code, 0);
    EXPECT_NE(shown.out.find("\nALERT call_late card call c1 since 21:04:00\n"), std::string::npos)
        << shown.out;
}

// `acdctl stats` adds the calls refused while closed and the quality sample's figures.
TEST(Render, StatsShowClosedCallsAndTheQualitySample) {
    const Json figures = {
        {"offered", 2},          {"answered", 1},          {"abandoned", 0},
        {"short_abandoned", 0},  {"overflowed", 0},        {"closed", 1},
        {"quality_selected", 1}, {"quality_evaluated", 1}, {"quality_mean_score", 4.0}};
    const Json response = {
        {"result", 0},
        {"text", "figures"},
        {"arguments",
         {{"since", "2026-12-05T00:00:00.000+01:00"},
          {"specialties", {{{"specialty", "card"}, {"classes", {{"urgent", figures}}}}}},
          {"rejected", 0}}}};
    const Shown shown = show({"stats-get", Json::object(), View::stats}, response.dump(), false);
    EXPECT_NE(shown.out.find("since 2026-12-05T00:00:00.000+01:00\n"), std::string::npos);
    EXPECT_NE(shown.out.find("closed (specialty closed): 1\n"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("quality sample: 1 answered, 1 evaluated, mean score 4.0\n"),
              std::string::npos)
        << shown.out;
}

}  // namespace
}  // namespace acd::ctl
