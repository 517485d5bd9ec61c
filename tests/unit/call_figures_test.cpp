// The figures of finished calls kept as calls end (src/daemon/call_figures.hpp): after a scripted
// day they equal what a scan of the store's calls table gives (stats-get's figures before they
// were kept), after a restart they are counted again the same, the day rolls over at the site's
// midnight, and a reload that changes the answer targets counts today again.
#include "daemon/call_figures.hpp"

#include <gtest/gtest.h>

#include "acd/site_time.hpp"
#include "acd/views.hpp"
#include "acd/zone.hpp"
#include "engine_harness.hpp"
#include "temp_dir.hpp"

namespace acd {
namespace {

using test::Harness;
using test::TempDir;

PiiKey test_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(3);
    return PiiKey::from_bytes(bytes);
}

// Every bucket's figures, as stats-get shows them.
Json dump(const ServiceStats& stats) {
    Json out = Json::object();
    for (const auto& [key, tally] : stats.buckets())
        out[key.first + "/" + std::string(to_string(key.second))] = figures_json(tally.figures());
    return out;
}

RoutingConfig site_config() {
    RoutingConfig c =
        test::with_agents({test::agent("a1", {"cardio"}), test::agent("a2", {"cardio", "neuro"})},
                          {test::team("ext", {"cardio", "neuro"}, 1)});
    c.zone = *zone_rules("Europe/Luxembourg");
    return c;
}

struct CallFiguresTest : testing::Test {
    TempDir dir;
    std::unique_ptr<Store> store;
    Harness h{site_config()};
    std::optional<CallFigures> figures;

    void SetUp() override {
        StoreOptions o;
        o.path = dir / "acdd.db";
        o.synchronous = Synchronous::normal;
        auto opened = Store::open(std::move(o), test_key());
        ASSERT_TRUE(opened) << opened.error().message;
        store = std::move(*opened);
        load();
    }
    // As the daemon starts: one scan of the store.
    void load() {
        auto loaded = CallFigures::load(*store, h.engine.config(), now());
        ASSERT_TRUE(loaded) << loaded.error().message;
        figures.emplace(std::move(*loaded));
    }
    Time now() const { return test::start_time() + Duration(std::int64_t(h.now_s() * 1000)); }

    // What the daemon does with an output: the journal writes its finished calls, the figures
    // count them.
    void feed(const Output& out) {
        WriteBatch b;
        for (const Change& change : out.changes) {
            const auto* c = std::get_if<CallChange>(&change);
            if (c != nullptr && c->call.state == CallState::ended) {
                b.finished_calls.push_back(c->call);
            }
        }
        store->append(std::move(b));
        figures->output(out, h.engine.config(), now());
    }

    // stats-get's figures as they were read before: a scan of the calls enqueued since `since`.
    Json scanned(Time since) {
        store->flush();
        auto calls = store->finished_calls(since);
        EXPECT_TRUE(calls);
        ServiceStats stats;
        for (const CallSnapshot& c : *calls)
            stats.add(c, h.engine.config(), now());
        return dump(stats);
    }
    Json kept(Time since) {
        auto today = figures->today(since, h.engine.config(), now());
        EXPECT_TRUE(today);
        EXPECT_TRUE(*today) << "not served from the kept figures";
        return *today ? dump(**today) : Json();
    }
    Time midnight() const { return site_midnight(h.engine.config().zone, now()); }

    // A morning: answered by agents, abandoned (one short), rejected, reclassified.
    void morning(double t0) {
        h.at(t0);
        feed(h.login("a1"));
        feed(h.login("a2"));
        feed(h.offer("c1", "cardio"));
        feed(h.offer("c2", "neuro", CallClass::urgent));
        h.at(t0 + 4);
        feed(h.answer("c1"));
        feed(h.answer("c2"));
        feed(h.offer("c4", "cardio"));  // both agents busy: queued
        feed(h.offer("c5", "cardio"));
        h.at(t0 + 6);
        feed(h.end("c5"));  // a short abandon
        feed(h.offer_dialed("r1", "+9999"));
        feed(h.reclassify("c4", CallClass::urgent));
        h.at(t0 + 40);
        feed(h.end("c4"));
        h.at(t0 + 100);
        feed(h.end("c1"));
        feed(h.end("c2"));
    }
};

TEST_F(CallFiguresTest, TodaysFiguresEqualTheScanOfTheCallsTableAfterADay) {
    morning(3600);
    const Json scan = scanned(midnight());
    EXPECT_EQ(kept(midnight()), scan);
    EXPECT_EQ(scan["cardio/appointment"]["answered"], 1) << scan;
    EXPECT_EQ(scan["neuro/urgent"]["answered"], 1) << scan;
    EXPECT_EQ(scan["cardio/appointment"]["short_abandoned"], 1) << scan;
    EXPECT_EQ(scan["cardio/urgent"]["abandoned"], 1) << scan;
    std::int64_t rejected = 0;
    for (const auto& [key, f] : scan.items())
        rejected += f["rejected"].get<std::int64_t>();
    EXPECT_EQ(rejected, 1) << scan;
}

TEST_F(CallFiguresTest, TheCountersOfTheWholeLogEqualTheScanOfEveryCall) {
    morning(3600);
    EXPECT_EQ(dump(figures->totals()), scanned(Time{}));
}

TEST_F(CallFiguresTest, ARestartCountsTheSameFiguresFromTheStore) {
    morning(3600);
    const Json before = kept(midnight());
    const Json totals = dump(figures->totals());
    load();
    EXPECT_EQ(kept(midnight()), before);
    EXPECT_EQ(dump(figures->totals()), totals);
}

TEST_F(CallFiguresTest, TheDayRollsOverAtTheSiteMidnight) {
    // The harness starts at 00:00 UTC, 02:00 in Luxembourg (summer time): the next site midnight
    // is 22 hours later.
    const Time first = midnight();
    EXPECT_EQ(first, test::start_time() - std::chrono::hours(2));
    morning(3600);
    h.at(22 * 3600 - 30);
    feed(h.offer("late", "cardio"));  // enqueued yesterday, ends today: in no day's figures
    h.at(22 * 3600 + 10);
    feed(h.end("late"));
    feed(h.offer("early", "cardio"));
    h.at(22 * 3600 + 20);
    feed(h.end("early"));
    const Time second = midnight();
    ASSERT_EQ(second, first + std::chrono::hours(24));
    const Json today = kept(second);
    EXPECT_EQ(today, scanned(second));
    EXPECT_EQ(today["cardio/appointment"]["offered"], 1) << today;
    // Yesterday is no longer kept: it is a scan now.
    auto yesterday = figures->today(first, h.engine.config(), now());
    ASSERT_TRUE(yesterday);
    EXPECT_FALSE(*yesterday);
    EXPECT_EQ(dump(figures->totals()), scanned(Time{}));
}

TEST_F(CallFiguresTest, AReloadThatChangesATargetCountsTodayAgainWithIt) {
    morning(3600);
    RoutingConfig changed = h.engine.config();
    changed.classes[static_cast<std::size_t>(CallClass::appointment)].target = seconds(3);
    feed(h.send(input::Reconfigure{changed}));
    const Json today = kept(midnight());
    EXPECT_EQ(today, scanned(midnight()));
    EXPECT_EQ(today["cardio/appointment"]["answered_within_target"], 0) << today;
}

}  // namespace
}  // namespace acd
