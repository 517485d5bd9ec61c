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

// admin-protocol.md v1.1: quality-list and quality-evaluate.
TEST(Commands, QualityListsTheSampleAndEvaluateTakesTheCommentsWords) {
    EXPECT_EQ(invocation({"quality"}).command, "quality-list");
    EXPECT_EQ(invocation({"quality", "list"}).view, View::quality);
    EXPECT_EQ(invocation({"quality", "--since", "2025-03-14T08:00:00+01:00"}).arguments,
              Json::parse(R"({"since":"2025-03-14T08:00:00+01:00"})"));
    const Invocation e =
        invocation({"quality", "evaluate", "c7", "4", "--by", "chef", "clear", "and", "kind"});
    EXPECT_EQ(e.command, "quality-evaluate");
    EXPECT_EQ(e.arguments,
              Json::parse(R"({"call_id":"c7","score":4,"comment":"clear and kind","by":"chef"})"));
    for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
             {"quality", "rate"},
             {"quality", "list", "extra"},
             {"quality", "--since", "yesterday"},
             {"quality", "evaluate", "c7", "4"},
             {"quality", "evaluate", "c7", "4", "ok"},
             {"quality", "evaluate", "c7", "4.5", "--by", "chef", "ok"}}) {
        EXPECT_TRUE(std::holds_alternative<UsageError>(parse_command(bad)))
            << testing::PrintToString(bad);
    }
}

// `acdctl quality`: one row per call of the sample, the evaluation's score, who and comment.
TEST(Render, QualityShowsEachCallOfTheSampleAndItsEvaluation) {
    const Json response = Json::parse(R"({"result":0,"text":"2 calls","arguments":{
        "since":"2026-12-05T00:00:00.000+01:00","calls":[
        {"call_id":"c1","gateway":"gw","specialty":"card","class":"urgent","agent":"a1",
         "answered_at":"2026-12-05T09:14:03.120+01:00","evaluation":null},
        {"call_id":"c2","gateway":"gw","specialty":"card","class":"admin","agent":"a2",
         "answered_at":"2026-12-05T10:00:00.000+01:00","evaluation":{"score":5,
         "comment":"kind\nand clear","by":"chef","at":"2026-12-05T11:00:00.000+01:00"}}]}})");
    const Shown shown =
        show({"quality-list", Json::object(), View::quality}, response.dump(), false);
    EXPECT_EQ(shown.exit_code, 0);
    EXPECT_EQ(shown.out,
              "quality sample since 2026-12-05T00:00:00.000+01:00: 2 calls, 1 evaluated\n"
              "CALL  SPECIALTY  CLASS   AGENT  ANSWERED             SCORE  BY    COMMENT\n"
              "c1    card       urgent  a1     2026-12-05 09:14:03      -  -     -\n"
              "c2    card       admin   a2     2026-12-05 10:00:00    5/5  chef  kind and clear\n");
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

// The frame of snapshot(), no figures yet:
//   0 title, 1 counts, 2 "", 3 WAITING CALLS, 4 header, 5 c1, 6 "", 7 QUEUES AND TODAY, 8 header,
//   9 card, 10 "", 11 TEAMS, 12 "no overflow teams", 13 "", 14 AGENTS, 15 header, 16 a1.
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
    EXPECT_EQ(lines[3], "WAITING CALLS (1)");
    EXPECT_EQ(lines[5], "c1    card       urgent    8s    in 22s  queue  [###.......]");
    EXPECT_EQ(lines[9], "card            1      8s      0     0      -     -      -   -");
    EXPECT_EQ(lines[16], "a1     ready   3s");
}

TEST_F(WallboardTest, ACallPastItsDeadlineIsLate) {
    snapshot();
    board.set_deadlines(Json::parse(R"({"specialty":"card","calls":[
        {"call_id":"c1","class":"urgent","wait_s":5,"deadline_in_s":25}]})"),
                        t0);
    const auto lines = board.draw({"title", "", 0, 0}, t0 + 40s);
    EXPECT_EQ(lines[5].text, "c1    card       urgent   45s  LATE 15s  queue  [##########]");
    EXPECT_EQ(lines[5].style, Wallboard::Style::alert);
}

TEST_F(WallboardTest, ARemovedAgentAndAnEndedCallLeaveThePicture) {
    snapshot();
    board.apply({{"topic", "agents"}, {"agent", {{"agent", "a1"}, {"state", "logged_out"}}}}, t0);
    board.apply({{"topic", "calls"}, {"call", call("c1", "ended")}}, t0);
    const auto lines = frame(t0);
    EXPECT_EQ(lines[4], "no calls waiting");
    EXPECT_EQ(lines.back(), "no agent logged in");
}

// Issue: a call ringing at a team vanished from the list, and the team's load was not shown.
TEST_F(WallboardTest, ACallRingingAtATeamStaysInTheWaitingListAndCountsInTheTeamsLoad) {
    snapshot();
    board.set_teams(Json::parse(R"({"specialties":[],"teams":[
        {"team":"ext","active":0,"max_concurrent":2},{"team":"night","active":0,"max_concurrent":1}]})"));
    board.set_deadlines(Json::parse(R"({"specialty":"card","calls":[
        {"call_id":"c1","class":"urgent","wait_s":5,"deadline_in_s":25}]})"),
                        t0);
    Json ringing = call("c1", "offering", 6);
    ringing["team"] = "ext";
    board.apply({{"topic", "calls"}, {"event", "call.route"}, {"call", ringing}}, t0 + 1s);
    Json talking = call("c2", "connected", 3);
    talking["team"] = "night";
    board.apply({{"topic", "calls"}, {"event", "call.answered"}, {"call", talking}}, t0 + 1s);
    const auto lines = frame(t0 + 2s);
    EXPECT_EQ(lines[1],
              "calls: 0 waiting, 1 ringing, 1 talking    agents: 0 ready, 0 reserved, 0 busy, 0 "
              "wrap_up, 1 paused, 0 logged_out");
    EXPECT_EQ(lines[3], "WAITING CALLS (1)");
    // Ringing at the team, the deadline learnt while it was queued still counts down.
    EXPECT_EQ(lines[5], "c1    card       urgent    7s    in 23s  ringing team ext  [##........]");
    EXPECT_EQ(lines[11], "TEAMS (2)");
    EXPECT_EQ(lines[12], "TEAM   LOAD  CALLS");
    EXPECT_EQ(lines[13], "ext     1/2  c1 ringing");
    EXPECT_EQ(lines[14], "night   1/1  FULL  c2 talking");
}

// Issue: no service level, answered or abandoned figures of the day.
TEST_F(WallboardTest, TodaysFiguresShowPerSpecialtyAndForTheDay) {
    snapshot();
    const Json stats = Json::parse(R"({"since":"2026-12-05T00:00:00.000+01:00",
        "timezone":"Europe/Paris","rejected":0,"specialties":[
        {"specialty":"card","classes":{
          "urgent":{"offered":10,"answered":8,"abandoned":2,"short_abandoned":1,
                    "answered_within_target":6},
          "admin":{"offered":4,"answered":4,"abandoned":0,"short_abandoned":0,
                   "answered_within_target":3}}}]})");
    EXPECT_TRUE(board.set_figures(stats));
    // Asked again every few seconds: the same figures are no change (no new frame in a log).
    EXPECT_FALSE(board.set_figures(stats));
    const auto lines = frame(t0);
    EXPECT_EQ(lines[2],
              "today since 00:00: 14 calls, 12 answered, 2 abandoned, service level 69.2%");
    EXPECT_EQ(lines[9], "SPECIALTY  QUEUED  OLDEST  READY  BUSY  CALLS  ANSW  ABAND     SL");
    // 9 within target of 12 answered + 2 abandoned - 1 short.
    EXPECT_EQ(lines[10], "card            1      5s      0     0     14    12      2  69.2%");
}

// Issue: after acdd stopped the old numbers stayed, with a one-line notice cut at 130 columns.
TEST_F(WallboardTest, AfterAcddIsGoneThePictureIsMarkedStaleAndItsClocksStop) {
    snapshot();
    board.disconnected(t0 + 2s, "14:03:22", "acdd closed the subscription");
    board.disconnected(t0 + 4s, "14:03:24",
                       "acdd closed the subscription; cannot connect to /run/acdd/admin.sock: No "
                       "such file or directory (is acdd running?); trying again in 500 ms");
    EXPECT_TRUE(board.stale());
    const auto lines = board.draw({"title", "", 60, 0}, t0 + 70s);
    EXPECT_EQ(lines[1].text, "DISCONNECTED — figures stale since 14:03:22 (1m08s ago):");
    EXPECT_EQ(lines[1].style, Wallboard::Style::alert);
    // The whole reason, wrapped at the width rather than cut.
    EXPECT_EQ(lines[2].text, "acdd closed the subscription; cannot connect to");
    EXPECT_EQ(lines[3].text, "/run/acdd/admin.sock: No such file or directory (is acdd");
    EXPECT_EQ(lines[4].text, "running?); trying again in 500 ms");
    EXPECT_TRUE(lines[5].text.starts_with("as of 14:03:22: calls: 1 waiting")) << lines[5].text;
    EXPECT_EQ(lines[7].text, "WAITING CALLS (1) — STALE");
    // The wait stays where it was when acdd went away: 5 s + 2 s.
    EXPECT_EQ(lines[9].text, "c1    card       urgent    7s         ?  queue");
    EXPECT_EQ(lines[11].text, "QUEUES AND TODAY — STALE");
    EXPECT_EQ(lines[15].text, "TEAMS (0) — STALE");
    EXPECT_EQ(lines[18].text, "AGENTS (1 logged in) — STALE");
    // A fresh picture is current again.
    snapshot();
    EXPECT_FALSE(board.stale());
    EXPECT_EQ(frame(t0)[3], "WAITING CALLS (1)");
}

TEST_F(WallboardTest, ALongNoticeIsWrappedToTheWidth) {
    snapshot();
    const std::string notice(50, 'x');
    const auto lines = board.draw({"title", "acdd ended the subscription: " + notice, 40, 0}, t0);
    EXPECT_EQ(lines[2].text, "acdd ended the subscription:");
    EXPECT_EQ(lines[3].text, std::string(40, 'x'));
    EXPECT_EQ(lines[4].text, std::string(10, 'x'));
}

// Issue: in 80x20 the waiting list showed 0 rows and "... and 7 more", hiding late urgent calls.
TEST_F(WallboardTest, In80x20TheWaitingCallsComeFirstTheLatestOnTop) {
    Json queues = Json::array();
    for (const char* s : {"card", "neuro", "gastro", "vasc", "radio", "surgery"}) {
        queues.push_back({{"specialty", s},
                          {"queued", 1},
                          {"oldest_wait_s", 1},
                          {"agents_ready", 0},
                          {"agents_busy", 1},
                          {"exceeds_threshold", false}});
    }
    Json calls = Json::array();
    Json deadlines = Json::array();
    for (int i = 0; i < 7; ++i) {
        const std::string id = "c" + std::to_string(i);
        Json c = call(id, "queued", 10 * i);
        c["class"] = i == 5 ? "urgent" : "admin";
        calls.push_back(c);
        // c5 is urgent and 40 s late; the others have minutes left.
        deadlines.push_back({{"call_id", id},
                             {"class", c["class"]},
                             {"wait_s", 10 * i},
                             {"deadline_in_s", i == 5 ? -40 : 300 - 10 * i}});
    }
    Json agents = Json::array();
    for (int i = 0; i < 5; ++i)
        agents.push_back(agent("a" + std::to_string(i), "busy"));
    board.reset({{"queues", queues}}, {{"calls", calls}}, {{"agents", agents}}, t0);
    board.set_deadlines({{"specialty", "card"}, {"calls", deadlines}}, t0);
    const auto lines = board.draw({"title", "", 80, 20}, t0);
    ASSERT_LE(lines.size(), 20U);
    for (const auto& l : lines)
        EXPECT_LE(display_width(l.text), 80U) << l.text;
    EXPECT_EQ(lines[3].text, "WAITING CALLS (7)");
    EXPECT_TRUE(lines[5].text.starts_with("c5    card       urgent    50s  LATE 40s"))
        << lines[5].text;
    EXPECT_TRUE(lines[6].text.starts_with("c6 ")) << lines[6].text;    // 240 s left
    EXPECT_TRUE(lines[11].text.starts_with("c0 ")) << lines[11].text;  // 300 s left
    EXPECT_EQ(lines[13].text, "QUEUES AND TODAY · 6 not shown: the terminal is too small");
    EXPECT_EQ(lines[15].text, "TEAMS (0)");
    EXPECT_EQ(lines[18].text, "AGENTS (5 logged in) · 5 not shown: the terminal is too small");
}

TEST_F(WallboardTest, ASmallTerminalShowsHowManyRowsDoNotFit) {
    Json calls = Json::array();
    for (int i = 0; i < 20; ++i)
        calls.push_back(call("c" + std::to_string(i), "queued", i));
    board.reset(Json::parse(R"({"queues":[]})"), {{"calls", calls}},
                {{"agents", {agent("a1", "ready")}}}, t0);
    const auto lines = frame(t0, 16);
    ASSERT_EQ(lines.size(), 16U);
    // 16 lines: 3 on top, the calls' heading and header, 4 calls, "... and 16 more", and the
    // other lists' headings with the empty lines between them.
    EXPECT_TRUE(lines[5].starts_with("c19 ")) << lines[5];  // the longest wait first
    EXPECT_EQ(lines[9], "... and 16 more");
    EXPECT_EQ(lines[11], "QUEUES AND TODAY");
    EXPECT_EQ(lines.back(), "AGENTS (1 logged in) · 1 not shown: the terminal is too small");
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
