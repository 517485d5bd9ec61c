// The audit record bodies and gateway commands written without nlohmann-json
// (include/acd/record_json.hpp) are the codec's bytes exactly: on random engine runs, on strings
// that need escapes, on any time.
#include "acd/record_json.hpp"

#include <gtest/gtest.h>

#include "acd/codec.hpp"
#include "random_inputs.hpp"

namespace acd {
namespace {

TEST(RecordJson, ChangesAndEventsOfRandomRunsAreTheCodecsBytes) {
    std::size_t changes = 0;
    std::size_t events = 0;
    std::size_t commands = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        test::Rng rng(seed);
        Engine engine(test::random_config(rng));
        test::Generator gen(rng, engine);
        for (int i = 0; i < 400; ++i) {
            const Input in = gen.next(engine);
            if (const auto* ev = std::get_if<input::GatewayEvent>(&in)) {
                ASSERT_EQ(gateway_event_body(*ev), to_json(*ev).dump());
                ASSERT_EQ(gateway_event_type(*ev), to_json(*ev)["type"].get<std::string>());
                ++events;
            }
            const Output out = engine.handle(in, gen.now);
            for (const Change& c : out.changes) {
                ASSERT_EQ(change_body(c), to_json(c).dump()) << "seed " << seed;
                ++changes;
            }
            for (const Command& c : out.commands) {
                ASSERT_EQ(command_text(c), to_json(c).dump()) << "seed " << seed;
                ++commands;
            }
        }
    }
    EXPECT_GT(changes, 10'000u);
    EXPECT_GT(events, 5'000u);
    EXPECT_GT(commands, 1'000u);
}

TEST(RecordJson, StringsAreEscapedAsTheCodecEscapesThem) {
    const Time t = Time{} + std::chrono::hours(24 * 20000);
    for (const std::string& s : {std::string("plain"), std::string("q\"uo\\te"),
                                 std::string("\b\f\n\r\t"), std::string("\x01\x1f\x7f", 3),
                                 std::string("nul\0in", 6), std::string("é→😀"), std::string("")}) {
        const input::GatewayEvent ev{"gw\"1", 3, input::CallOffered{s, s, s, s, std::nullopt}};
        EXPECT_EQ(gateway_event_body(ev), to_json(ev).dump()) << s;
        AgentChange a;
        a.at = t;
        a.agent = s;
        a.reason = s;
        a.call_id = s;
        EXPECT_EQ(change_body(a), to_json(Change{a}).dump()) << s;
        CallChange c;
        c.at = t;
        c.call.call_id = s;
        c.call.caller = s;
        c.call.team = s;
        c.call.outcome = Outcome::abandoned;
        c.call.answered_at = t;
        EXPECT_EQ(change_body(c), to_json(Change{c}).dump()) << s;
    }
    for (const Command& c :
         {Command{"g", "c1", CallQueuedCommand{"cardiology", CallClass::urgent, 2, std::nullopt}},
          Command{"g", "c1", CallQueuedCommand{"cardiology", CallClass::admin, 1, 45}},
          Command{"g", "c1", CallRouteCommand{"sip:a@x", 20, "a1", "", true}},
          Command{"g", "c1", CallRouteCommand{"sip:t@x", 30, "", "night", false}},
          Command{"g", "c1", CallRejectCommand{"no_route"}}}) {
        EXPECT_EQ(command_text(c), to_json(c).dump());
    }
    EXPECT_EQ(change_body(SettingChange{t, {"s", -3, false}}),
              to_json(Change{SettingChange{t, {"s", -3, false}}}).dump());
}

TEST(RecordJson, InvalidUtf8FailsAsTheCodecFails) {
    const input::GatewayEvent ev{"gw1", 1, input::CallEnded{"bad\xff", std::nullopt}};
    EXPECT_THROW(to_json(ev).dump(), nlohmann::json::type_error);
    EXPECT_THROW(gateway_event_body(ev), nlohmann::json::type_error);
    EXPECT_THROW(command_text(Command{"g", "bad\xff", CallRejectCommand{"no_route"}}),
                 nlohmann::json::type_error);
    for (const char* bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"}) {
        AgentChange a;
        a.agent = bad;
        EXPECT_THROW(change_body(a), nlohmann::json::type_error) << bad;
    }
}

TEST(RecordJson, TimesAreFormattedAsFormatTime) {
    test::Rng rng(7);
    std::uniform_int_distribution<std::int64_t> ms(-86'400'000LL * 365 * 100,
                                                   86'400'000LL * 365 * 400);
    for (int i = 0; i < 100'000; ++i) {
        const Time t = Time{} + Duration(ms(rng));
        std::string out;
        append_time(out, t);
        ASSERT_EQ(out, format_time(t));
    }
    for (const std::int64_t v : {0LL, -1LL, 253402300799999LL, 253402300800000LL}) {
        std::string out;
        append_time(out, Time{} + Duration(v));
        EXPECT_EQ(out, format_time(Time{} + Duration(v))) << v;
    }
}

}  // namespace
}  // namespace acd
