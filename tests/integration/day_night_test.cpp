// The daemon's side of routing.md v1.1 against a started acdd: the quality sample (record on
// call.route, quality-list, quality-evaluate, audited), alerts (status-get, the `alerts` topic,
// the log), stats-get's closed and quality figures and its site-time day, scripts on call.route,
// call-list and the `calls` topic, and a restart that keeps the day and night state.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "admin_client.hpp"
#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

Json args_of(const Json& response) {
    return response.value("arguments", Json::object());
}

// How many times `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

struct DayNightTest : DaemonTest {
    virtual void adjust(Json&) {}
    void SetUp() override {
        Json config = test_config(daemon->dir());
        adjust(config);
        daemon->configure(config);
        DaemonTest::SetUp();
    }
    std::unique_ptr<AdminClient> admin() { return std::make_unique<AdminClient>(socket()); }

    // Offers `call_id` for cardiology and returns the call.route it gets (an empty object when
    // none comes).
    Json offer_routed(GatewayClient& g, const std::string& call_id,
                      const std::string& dialed = "+1001", std::optional<std::string> cls = {}) {
        std::vector<Json> others;
        Json e = {{"type", "call.offered"},
                  {"call_id", call_id},
                  {"caller", "+352621000001"},
                  {"dialed", dialed},
                  {"seq", ++seq}};
        if (cls) e["class"] = *cls;
        EXPECT_TRUE(g.send_acked(e, &others)) << daemon->log();
        for (const Json& c : others) {
            if (c.value("type", "") == "call.route") return c;
        }
        return g.receive_type("call.route", 5s).value_or(Json::object());
    }

    // The audit records of kind action of type `type`, read once the daemon stopped.
    std::vector<Json> audited(const std::string& type) {
        std::vector<Json> out;
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open((daemon->dir() / "acdd.db").c_str(), &db), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, "SELECT body FROM audit WHERE kind = 'action' AND type = ?", -1,
                           &stmt, nullptr);
        sqlite3_bind_text(stmt, 1, type.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            out.push_back(Json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))));
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return out;
    }
};

// ---------------------------------------------------------------------------------------------
// Quality sample
// ---------------------------------------------------------------------------------------------

TEST_F(DayNightTest, ListCommandsNamesQualityListAndQualityEvaluate) {
    const auto names = args_of(admin()->call("list-commands"))["commands"];
    EXPECT_NE(std::find(names.begin(), names.end(), "quality-list"), names.end()) << names;
    EXPECT_NE(std::find(names.begin(), names.end(), "quality-evaluate"), names.end());
}

struct QualityAllTest : DayNightTest {
    void adjust(Json& config) override { config["quality"] = {{"sample_percent", 100}}; }
};
struct QualityNoneTest : DayNightTest {
    void adjust(Json& config) override { config["quality"] = {{"sample_percent", 0}}; }
};

TEST_F(QualityAllTest, ASelectedCallRoutedToAnAgentCarriesRecordTrue) {
    admin()->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const Json route = offer_routed(*g, "c1");
    EXPECT_EQ(route.value("agent", ""), "a1") << route;
    EXPECT_EQ(route.value("record", false), true) << route;
}

// The choice is made once, when the call is offered, and kept in the journal: a restart after a
// crash, even with another sample_percent, routes the call as it was chosen.
TEST_F(QualityAllTest, TheChoiceSurvivesACrashAndIsNotMadeAgain) {
    {
        auto g = gateway();
        offer(*g, "c1");  // nobody logged in: queued
    }
    daemon->kill();
    Json config = test_config(daemon->dir());
    config["quality"] = {{"sample_percent", 0}};
    daemon->configure(config);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    auto g = gateway();
    admin()->call("agent-login", {{"agent", "a1"}});
    const auto route = g->receive_type("call.route", 10s);
    ASSERT_TRUE(route) << daemon->log();
    EXPECT_EQ(route->value("agent", ""), "a1");
    EXPECT_EQ(route->value("record", false), true) << *route;
}

TEST_F(QualityNoneTest, EveryOtherCallRouteCarriesNoRecord) {
    admin()->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const Json route = offer_routed(*g, "c1");
    EXPECT_EQ(route.value("agent", ""), "a1") << route;
    EXPECT_EQ(route.value("record", false), false) << route;
}

TEST_F(QualityAllTest, QualityListListsTheSelectedCallsAnsweredByAnAgent) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    ASSERT_EQ(offer_routed(*g, "c1").value("agent", ""), "a1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    offer(*g, "c2");  // queued: not answered, not listed
    const Json r = a->call("quality-list");
    ASSERT_EQ(r["result"], 0) << r;
    const Json calls = args_of(r)["calls"];
    ASSERT_EQ(calls.size(), 1U) << r;
    EXPECT_EQ(calls[0]["call_id"], "c1");
    EXPECT_EQ(calls[0]["specialty"], "cardiology");
    EXPECT_EQ(calls[0]["class"], "appointment");
    EXPECT_EQ(calls[0]["agent"], "a1");
    EXPECT_TRUE(calls[0]["answered_at"].is_string());
    EXPECT_TRUE(calls[0]["evaluation"].is_null());
}

TEST_F(QualityAllTest, QualityEvaluateRecordsTheEvaluationAndIsAudited) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    ASSERT_EQ(offer_routed(*g, "c1").value("agent", ""), "a1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    const Json r = a->call("quality-evaluate", {{"call_id", "c1"},
                                                {"score", 4},
                                                {"comment", "Accueil clair, Mme Dupont"},
                                                {"by", "supervisor1"}});
    ASSERT_EQ(r["result"], 0) << r;
    EXPECT_EQ(args_of(r)["evaluation"]["score"], 4);
    const Json listed = args_of(a->call("quality-list"))["calls"];
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0]["evaluation"]["score"], 4);
    EXPECT_EQ(listed[0]["evaluation"]["comment"], "Accueil clair, Mme Dupont");
    EXPECT_EQ(listed[0]["evaluation"]["by"], "supervisor1");

    EXPECT_EQ(daemon->stop(), 0);
    const auto records = audited("quality-evaluate");
    ASSERT_EQ(records.size(), 1U);
    EXPECT_EQ(records[0]["result"], 0);
    EXPECT_EQ(records[0]["arguments"]["score"], 4);
    // Free text may name a patient: the append-only log keeps its length only.
    EXPECT_FALSE(records[0]["arguments"].contains("comment"));
    EXPECT_EQ(records[0].dump().find("Dupont"), std::string::npos);
}

TEST_F(QualityAllTest, QualityEvaluateOfACallNotSelectedOrNotAnsweredIsInvalidState) {
    auto a = admin();
    auto g = gateway();
    offer(*g, "c1");  // queued, never answered
    const Json args = {{"call_id", "c1"}, {"score", 3}, {"comment", ""}, {"by", "s"}};
    EXPECT_EQ(args_of(a->call("quality-evaluate", args))["code"], "invalid_state");
    Json unknown = args;
    unknown["call_id"] = "nope";
    EXPECT_EQ(args_of(a->call("quality-evaluate", unknown))["code"], "invalid_state");
    EXPECT_EQ(daemon->stop(), 0);
    const auto records = audited("quality-evaluate");
    ASSERT_EQ(records.size(), 2U);  // refusals are audited too
    EXPECT_EQ(records[0]["result"], 1);
}

TEST_F(QualityAllTest, QualityEvaluateRefusesAScoreOutside1To5) {
    auto a = admin();
    const Json r = a->call("quality-evaluate",
                           {{"call_id", "c1"}, {"score", 6}, {"comment", ""}, {"by", "s"}});
    EXPECT_EQ(args_of(r)["code"], "bad_request");
    EXPECT_NE(r.value("text", "").find("score"), std::string::npos) << r;
}

// ---------------------------------------------------------------------------------------------
// stats-get: closed, quality figures, site time
// ---------------------------------------------------------------------------------------------

struct StatsSiteTest : DayNightTest {
    void adjust(Json& config) override {
        config["site"] = {{"timezone", "Asia/Kathmandu"}};  // +05:45: no machine's default
        config["quality"] = {{"sample_percent", 100}};
        config["schedules"] = {{"never", Json::object()}};
        config["specialties"][1]["hours"] = "never";
    }
};

TEST_F(StatsSiteTest, StatsGetDefaultSinceIsTodayMidnightSiteTime) {
    const Json r = admin()->call("stats-get");
    ASSERT_EQ(r["result"], 0) << r;
    const std::string since = args_of(r)["since"];
    EXPECT_NE(since.find("T00:00:00.000+05:45"), std::string::npos) << since;
}

TEST_F(StatsSiteTest, StatsGetCountsClosedAndQualityFigures) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    ASSERT_EQ(offer_routed(*g, "c1").value("agent", ""), "a1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    a->call("quality-evaluate", {{"call_id", "c1"}, {"score", 5}, {"comment", ""}, {"by", "s"}});
    std::vector<Json> others;
    event(*g,
          {{"type", "call.offered"},
           {"call_id", "n1"},
           {"caller", "+352621000002"},
           {"dialed", "+1002"},
           {"class", "appointment"}},
          &others);
    Json stats = args_of(a->call("stats-get"));
    Json cardio, neuro;
    for (const Json& s : stats["specialties"]) {
        if (s["specialty"] == "cardiology") cardio = s["classes"]["appointment"];
        if (s["specialty"] == "neurology") neuro = s["classes"]["appointment"];
    }
    EXPECT_EQ(cardio["quality_selected"], 1) << stats;
    EXPECT_EQ(cardio["quality_evaluated"], 1);
    EXPECT_EQ(cardio["quality_mean_score"], 5.0);
    EXPECT_EQ(cardio["closed"], 0);
    EXPECT_EQ(neuro["closed"], 1) << stats;
    EXPECT_EQ(neuro["rejected"], 0);
    EXPECT_TRUE(neuro["quality_mean_score"].is_null());
}

// stats-get without `since` is served from figures kept as calls end (issue: a scan of the calls
// table held the gateways); with another `since` it scans. Both say the same, and a restart
// counts today again from the store.
TEST_F(StatsSiteTest, StatsGetKeptFiguresEqualTheScanAndARestartKeepsThem) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    ASSERT_EQ(offer_routed(*g, "c1").value("agent", ""), "a1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    a->call("quality-evaluate", {{"call_id", "c1"}, {"score", 4}, {"comment", ""}, {"by", "s"}});
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    offer_routed(*g, "c2", "+1001", "urgent");  // queued: a1 has no wrap-up but c1 just ended
    event(*g, {{"type", "call.ended"}, {"call_id", "c2"}});
    event(*g, {{"type", "call.offered"},
               {"call_id", "n1"},
               {"caller", "+352621000002"},
               {"dialed", "+1002"}});  // closed
    event(*g, {{"type", "call.offered"},
               {"call_id", "x1"},
               {"caller", "+352621000003"},
               {"dialed", "+9999"}});  // no route
    const Json kept = args_of(a->call("stats-get"));
    ASSERT_TRUE(kept.contains("specialties")) << kept;
    // A millisecond before midnight is not today's start: the calls table is scanned.
    const Time midnight = *parse_time(kept["since"].get<std::string>());
    const Json scanned =
        args_of(a->call("stats-get", {{"since", format_time(midnight - Duration(1))}}));
    EXPECT_EQ(kept["specialties"], scanned["specialties"]);
    EXPECT_EQ(kept["rejected"], scanned["rejected"]);
    EXPECT_EQ(kept["rejected"], 1);
    // Today's start given with another offset is today's start.
    const Json same = args_of(a->call("stats-get", {{"since", format_time(midnight)}}));
    EXPECT_EQ(same["specialties"], kept["specialties"]);

    g.reset();
    a.reset();
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const Json restarted = args_of(admin()->call("stats-get"));
    EXPECT_EQ(restarted["specialties"], kept["specialties"]);
    EXPECT_EQ(restarted["rejected"], kept["rejected"]);
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

struct AlertsTest : DayNightTest {
    void adjust(Json& config) override { config.erase("overflow_teams"); }
};

TEST_F(AlertsTest, QueueUnstaffedIsInStatusGetStreamedOnTheAlertsTopicAndLoggedOnce) {
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"alerts"}}})["result"], 0);
    auto a = admin();
    auto g = gateway();
    offer(*g, "c1");  // nobody logged in for cardiology, no team
    const auto raised = sub->receive(10s);
    ASSERT_TRUE(raised) << daemon->log();
    EXPECT_EQ((*raised)["topic"], "alerts");
    EXPECT_EQ((*raised)["event"], "alert.raised");
    EXPECT_EQ((*raised)["alert"]["alert"], "queue_unstaffed");
    EXPECT_EQ((*raised)["alert"]["specialty"], "cardiology");
    EXPECT_TRUE((*raised)["alert"]["call_id"].is_null());

    const Json alerts = args_of(a->call("status-get"))["alerts"];
    ASSERT_EQ(alerts.size(), 1U);
    EXPECT_EQ(alerts[0]["alert"], "queue_unstaffed");
    EXPECT_TRUE(alerts[0]["raised_at"].is_string());

    a->call("agent-login", {{"agent", "a1"}, {"paused", true}});  // staffed: cleared
    const auto cleared = sub->receive(10s);
    ASSERT_TRUE(cleared) << daemon->log();
    EXPECT_EQ((*cleared)["event"], "alert.cleared");
    EXPECT_TRUE(args_of(a->call("status-get"))["alerts"].empty());

    EXPECT_EQ(daemon->stop(), 0);
    EXPECT_EQ(occurrences(daemon->log(), "alert.raised queue_unstaffed"), 1U) << daemon->log();
    EXPECT_EQ(occurrences(daemon->log(), "alert.cleared queue_unstaffed"), 1U);
    EXPECT_NE(daemon->log().find(" warning alert.raised queue_unstaffed"), std::string::npos)
        << daemon->log();
}

struct LateTest : DayNightTest {
    void adjust(Json& config) override {
        config.erase("overflow_teams");
        config["classes"] = {{"urgent", {{"target_s", 1}, {"overflow_lead_s", 0}}}};
        config["alerts"] = {{"late_after_s", 0}};
    }
    // The next message on `sub` about an alert of `kind`, skipping the others.
    static std::optional<Json> next_alert(AdminClient& sub, const std::string& kind) {
        while (auto m = sub.receive(10s)) {
            if ((*m)["alert"]["alert"] == kind) return m;
        }
        return std::nullopt;
    }
};

TEST_F(LateTest, CallLateIsRaisedOnceForACallStillQueuedAfterItsDeadlineAndClearedWhenItLeaves) {
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"alerts"}}})["result"], 0);
    auto g = gateway();
    offer(*g, "u1", "+1001", "urgent");
    const auto raised = next_alert(*sub, "call_late");  // its 1 s target passes
    ASSERT_TRUE(raised) << daemon->log();
    EXPECT_EQ((*raised)["event"], "alert.raised");
    EXPECT_EQ((*raised)["alert"]["call_id"], "u1");
    EXPECT_EQ((*raised)["alert"]["gateway"], "gw1");
    auto a = admin();
    const Json active = args_of(a->call("status-get"))["alerts"];
    EXPECT_EQ(std::count_if(active.begin(), active.end(),
                            [](const Json& x) { return x["alert"] == "call_late"; }),
              1);
    a->call("agent-login", {{"agent", "a1"}});  // takes the call: it leaves the queue
    const auto cleared = next_alert(*sub, "call_late");
    ASSERT_TRUE(cleared) << daemon->log();
    EXPECT_EQ((*cleared)["event"], "alert.cleared");
    EXPECT_EQ(daemon->stop(), 0);
    EXPECT_EQ(occurrences(daemon->log(), "alert.raised call_late"), 1U) << daemon->log();
}

// ---------------------------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------------------------

struct ScriptTest : DayNightTest {
    void adjust(Json& config) override {
        config["classes"] = {{"appointment", {{"script", {"Prise de rendez-vous."}}}}};
        config["specialties"][0]["script"] = {"Cardiologie, bonjour."};
    }
};

TEST_F(ScriptTest, CallRouteToAnAgentCarriesTheClassThenTheSpecialtyLines) {
    admin()->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const Json route = offer_routed(*g, "c1");
    ASSERT_EQ(route.value("agent", ""), "a1") << route;
    EXPECT_EQ(route["script"], Json({"Prise de rendez-vous.", "Cardiologie, bonjour."}));
}

TEST_F(ScriptTest, CallListAndTheCallsTopicCarryTheScript) {
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"calls"}}})["result"], 0);
    auto g = gateway();
    offer(*g, "c1");
    const Json calls = args_of(admin()->call("call-list"))["calls"];
    ASSERT_EQ(calls.size(), 1U);
    EXPECT_EQ(calls[0]["script"], Json({"Prise de rendez-vous.", "Cardiologie, bonjour."}));
    const auto message = sub->receive(10s);
    ASSERT_TRUE(message);
    EXPECT_EQ((*message)["call"]["script"],
              Json({"Prise de rendez-vous.", "Cardiologie, bonjour."}));
}

// ---------------------------------------------------------------------------------------------
// Recovery with a v1.1 configuration
// ---------------------------------------------------------------------------------------------

struct NightTest : DayNightTest {
    void adjust(Json& config) override {
        // Cardiology closed all week; its night team always on.
        config["schedules"] = {{"never", Json::object()},
                               {"always",
                                {{"mon", {"00:00-24:00"}},
                                 {"tue", {"00:00-24:00"}},
                                 {"wed", {"00:00-24:00"}},
                                 {"thu", {"00:00-24:00"}},
                                 {"fri", {"00:00-24:00"}},
                                 {"sat", {"00:00-24:00"}},
                                 {"sun", {"00:00-24:00"}}}}};
        config["specialties"][0]["hours"] = "never";
        config["overflow_teams"] = {{{"id", "night"},
                                     {"uri", "sip:night@overflow.test"},
                                     {"max_concurrent", 2},
                                     {"specialties", {"cardiology"}},
                                     {"hours", "always"}}};
    }
};

TEST_F(NightTest, ARestartAfterACrashKeepsTheClosedRulesAndTheNightTeam) {
    auto g = gateway();
    EXPECT_EQ(offer_routed(*g, "u1", "+1001", "urgent").value("team", ""), "night");
    daemon->kill();
    ASSERT_TRUE(daemon->start()) << daemon->log();
    auto g2 = gateway();
    // The urgent call is still with the night team; a new one goes there too.
    const Json calls = args_of(admin()->call("call-list"))["calls"];
    ASSERT_EQ(calls.size(), 1U) << calls;
    EXPECT_EQ(calls[0]["team"], "night");
    EXPECT_EQ(offer_routed(*g2, "u2", "+1001", "urgent").value("team", ""), "night");
    // An appointment while closed is rejected with reason closed.
    std::vector<Json> others;
    event(*g2,
          {{"type", "call.offered"},
           {"call_id", "p1"},
           {"caller", "+352621000003"},
           {"dialed", "+1001"},
           {"class", "appointment"}},
          &others);
    std::optional<Json> reject;
    for (const Json& c : others) {
        if (c.value("type", "") == "call.reject") reject = c;
    }
    if (!reject) reject = g2->receive_type("call.reject", 5s);
    ASSERT_TRUE(reject) << daemon->log();
    EXPECT_EQ((*reject)["reason"], "closed");
}

}  // namespace
}  // namespace acd::test
