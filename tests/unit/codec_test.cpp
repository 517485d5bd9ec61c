// The JSON forms of docs/spec/gateway-protocol.md and of the admin engine commands: every refusal
// with its code and message, and round trips.
#include "acd/codec.hpp"

#include <gtest/gtest.h>

#include "acd/config.hpp"

namespace acd {
namespace {

const Time t0 = Time{} + std::chrono::hours(24 * 20000);

Result<input::GatewayEvent, DecodeError> parse(std::string_view text) {
    return parse_gateway_event(Json::parse(text), "gw1");
}

input::GatewayEvent event(std::string_view text) {
    auto r = parse(text);
    if (!r) ADD_FAILURE() << r.error().message;
    return *r;
}

// The reason an event with a valid seq is refused ("" when it is taken).
std::string rejection(std::string_view text) {
    const auto ev = event(text);
    if (const auto* r = std::get_if<input::Rejected>(&ev.body)) return r->message;
    return "";
}

DecodeError decode_error(std::string_view text) {
    auto r = parse(text);
    if (r) ADD_FAILURE() << "parsed: " << text;
    return r.error();
}

// --- time -------------------------------------------------------------------------------------

TEST(Time, FormatsRfc3339InUtcWithMilliseconds) {
    EXPECT_EQ(format_time(Time{} + Duration(1'779'528'600'123)), "2026-05-23T09:30:00.123Z");
}

TEST(Time, ParsesZuluAndOffsets) {
    const Time t = Time{} + Duration(1'779'528'600'000);
    EXPECT_EQ(parse_time("2026-05-23T09:30:00Z"), t);
    EXPECT_EQ(parse_time("2026-05-23T11:30:00+02:00"), t);
    EXPECT_EQ(parse_time("2026-05-23T08:30:00.000-01:00"), t);
    EXPECT_EQ(parse_time("2026-05-23T09:30:00.5Z"), t + Duration(500));
    EXPECT_EQ(parse_time(format_time(t + Duration(7))), t + Duration(7));
}

TEST(Time, RefusesWhatIsNotRfc3339) {
    for (const char* bad :
         {"2026-05-23", "2026-05-23T09:30:00", "2026-02-30T00:00:00Z", "2026-05-23T24:00:00Z",
          "2026-05-23T09:30:00+2:00", "tomorrow", "2026-05-23T09:30:00.Z"}) {
        EXPECT_FALSE(parse_time(bad)) << bad;
    }
}

// Caught by the time round trip of tests/fuzz (seed regress-time-year-out-of-range): the offset
// moved the time out of RFC 3339's years, and format_time() wrote "-001-12-31T23:59:00.000Z",
// which parse_time() refuses.
TEST(Time, RefusesOffsetsThatLeaveYears0000To9999) {
    EXPECT_FALSE(parse_time("0000-01-01T00:00:00+00:01"));
    EXPECT_FALSE(parse_time("9999-12-31T23:59:00-01:00"));
    for (const char* edge : {"0000-01-01T00:00:00Z", "0000-01-01T00:01:00+00:01",
                             "9999-12-31T23:59:59.999Z", "9999-12-31T22:59:59.999-01:00"}) {
        const auto t = parse_time(edge);
        ASSERT_TRUE(t) << edge;
        EXPECT_EQ(parse_time(format_time(*t)), t) << edge;
    }
}

// --- gateway events ---------------------------------------------------------------------------

TEST(GatewayEvent, CallOfferedWithAllFields) {
    const auto ev = event(R"({"type":"call.offered","seq":3,"call_id":"abc","caller":"+35244112221",
        "dialed":"+35244112221","specialty":"cardiology","class":"urgent","extra":1})");
    EXPECT_EQ(ev.gateway, "gw1");
    EXPECT_EQ(ev.seq, 3U);
    EXPECT_EQ(std::get<input::CallOffered>(ev.body),
              (input::CallOffered{"abc", "+35244112221", "+35244112221", "cardiology",
                                  CallClass::urgent}));
}

TEST(GatewayEvent, EachTypeRoundTrips) {
    const input::GatewayEvent events[] = {
        {"gw1", 1, input::CallOffered{"c", "anonymous", "+1", std::nullopt, std::nullopt}},
        {"gw1", 2, input::CallAnswered{"c", "a1"}},
        {"gw1", 3, input::CallAnswered{"c", std::nullopt}},
        {"gw1", 4, input::CallNoAnswer{"c", "a1"}},
        {"gw1", 5, input::CallEnded{"c", "normal_clearing"}},
        {"gw1", 6, input::AgentReport{"a1", AgentState::paused, "meeting"}},
    };
    for (const auto& ev : events) {
        const auto back = parse_gateway_event(to_json(ev), "gw1");
        ASSERT_TRUE(back.ok()) << to_json(ev).dump();
        EXPECT_EQ(*back, ev) << to_json(ev).dump();
    }
}

TEST(GatewayEvent, ANonObjectIsBadJsonWithNullSeq) {
    const DecodeError e = decode_error("[1,2]");
    EXPECT_EQ(e.code, ErrorCode::bad_json);
    EXPECT_FALSE(e.seq);
}

TEST(GatewayEvent, AMissingOrInvalidSeqIsABadRequestWithNullSeq) {
    for (const char* text : {R"({"type":"call.ended","call_id":"c"})",
                             R"({"type":"call.ended","call_id":"c","seq":0})",
                             R"({"type":"call.ended","call_id":"c","seq":-4})",
                             R"({"type":"call.ended","call_id":"c","seq":"5"})",
                             R"({"type":"call.ended","call_id":"c","seq":1.5})"}) {
        const DecodeError e = decode_error(text);
        EXPECT_EQ(e.code, ErrorCode::bad_request) << text;
        EXPECT_EQ(e.message, "field 'seq' must be an integer of 1 or more");
        EXPECT_FALSE(e.seq);
    }
}

TEST(GatewayEvent, HelloAfterTheHandshakeIsAProtocolError) {
    EXPECT_EQ(decode_error(R"({"type":"hello","gateway":"gw1","protocol":1})").code,
              ErrorCode::protocol);
}

TEST(GatewayEvent, BadFieldsAreRefusedButKeepTheirSeq) {
    EXPECT_EQ(rejection(R"({"seq":1})"), "field 'type' must be a string");
    EXPECT_EQ(rejection(R"({"type":"call.parked","seq":1,"call_id":"c"})"),
              "unknown event type 'call.parked'");
    EXPECT_EQ(rejection(R"({"type":"call.ended","seq":1})"), "missing field 'call_id'");
    EXPECT_EQ(rejection(R"({"type":"call.ended","seq":1,"call_id":7})"),
              "field 'call_id' must be a string");
    EXPECT_EQ(rejection(R"({"type":"call.ended","seq":1,"call_id":""})"),
              "field 'call_id' must be 1 to 128 bytes");
    EXPECT_EQ(rejection(R"({"type":"call.offered","seq":1,"call_id":"c","dialed":"+1"})"),
              "missing field 'caller'");
    EXPECT_EQ(rejection(R"({"type":"call.offered","seq":1,"call_id":"c","caller":"+1"})"),
              "missing field 'dialed'");
    EXPECT_EQ(rejection(R"({"type":"call.offered","seq":1,"call_id":"c","caller":"+1",
                            "dialed":"+1","class":"vip"})"),
              "field 'class': unknown class 'vip' (expected urgent, appointment or admin)");
    EXPECT_EQ(rejection(R"({"type":"call.answered","seq":1,"call_id":"c","agent":5})"),
              "field 'agent' must be a string");
    EXPECT_EQ(rejection(R"({"type":"agent.state","seq":1,"agent":"a1","state":"busy"})"),
              "field 'state' must be ready, paused or logged_out, not 'busy'");
    EXPECT_EQ(rejection(R"({"type":"agent.state","seq":1,"state":"ready"})"),
              "missing field 'agent'");
    const auto ev = event(R"({"type":"call.ended","seq":9})");
    EXPECT_EQ(ev.seq, 9U);
    EXPECT_EQ(std::get<input::Rejected>(ev.body).code, ErrorCode::bad_request);
}

TEST(GatewayEvent, CallIdOfOneHundredTwentyEightBytesIsTaken) {
    const std::string id(128, 'x');
    EXPECT_EQ(rejection(R"({"type":"call.ended","seq":1,"call_id":")" + id + "\"}"), "");
    EXPECT_NE(rejection(R"({"type":"call.ended","seq":1,"call_id":")" + id + "y\"}"), "");
}

// --- commands ---------------------------------------------------------------------------------

TEST(GatewayCommand, WireForms) {
    EXPECT_EQ(to_json(Command{"gw1", "c1",
                              CallQueuedCommand{"cardiology", CallClass::urgent, 2, std::nullopt}}),
              Json::parse(R"({"type":"call.queued","call_id":"c1","specialty":"cardiology",
                  "class":"urgent","position":2,"expected_wait_s":null})"));
    EXPECT_EQ(to_json(Command{"gw1", "c1", CallRouteCommand{"sip:a1@pbx", 20, "a1", ""}}),
              Json::parse(R"({"type":"call.route","call_id":"c1","to":"sip:a1@pbx",
                  "ring_timeout_s":20,"agent":"a1"})"));
    EXPECT_EQ(to_json(Command{"gw1", "c1", CallRouteCommand{"sip:x@y", 20, "", "ext"}}),
              Json::parse(R"({"type":"call.route","call_id":"c1","to":"sip:x@y",
                  "ring_timeout_s":20,"team":"ext"})"));
    EXPECT_EQ(to_json(Command{"gw1", "c1", CallRouteCommand{"sip:a1@pbx", 20, "a1", "", true}}),
              Json::parse(R"({"type":"call.route","call_id":"c1","to":"sip:a1@pbx",
                  "ring_timeout_s":20,"agent":"a1","record":true})"));
    EXPECT_EQ(to_json(Command{"gw1", "c1", CallRejectCommand{"closed"}}),
              Json::parse(R"({"type":"call.reject","call_id":"c1","reason":"closed"})"));
    EXPECT_EQ(to_json(Command{"gw1", "c1", CallRejectCommand{"no_route"}}),
              Json::parse(R"({"type":"call.reject","call_id":"c1","reason":"no_route"})"));
    EXPECT_EQ(error_json(ErrorCode::unknown_call, "no live call 'abc' from gateway gw1", 12),
              Json::parse(R"({"type":"error","seq":12,"code":"unknown_call",
                  "message":"no live call 'abc' from gateway gw1"})"));
}

// --- admin engine commands --------------------------------------------------------------------

std::string command_error(std::string_view command, std::string_view args) {
    const auto r = parse_engine_command(command, Json::parse(args));
    return r ? "" : r.error().message;
}

TEST(EngineCommand, EachCommandRoundTrips) {
    const Input inputs[] = {
        input::AgentLogin{"a1", true},
        input::AgentLogout{"a1"},
        input::AgentPause{"a1", "break"},
        input::AgentReady{"a1"},
        input::CallReclassify{{"c1", "gw1"}, CallClass::urgent},
        input::CallTransfer{{"c1", std::nullopt}, "neurology"},
        input::OverflowSet{"cardiology", 2, false},
        input::OverflowSet{"cardiology", std::nullopt, true},
        input::CallEnd{{"c1", "gw1"}, "gateway gone"},
        input::GatewayDisconnected{"gw1"},
        input::GatewayConnected{"gw1"},
    };
    for (const Input& in : inputs) {
        const Json j = to_json_command(in);
        const std::string command = j["command"];
        ASSERT_TRUE(is_engine_command(command));
        const auto back = parse_engine_command(command, j["arguments"]);
        ASSERT_TRUE(back.ok()) << j.dump();
        EXPECT_EQ(*back, in) << j.dump();
    }
}

TEST(EngineCommand, RefusalsNameTheArgument) {
    EXPECT_EQ(command_error("agent-pause", R"({"agent":"a1"})"), "missing argument 'reason'");
    EXPECT_EQ(command_error("agent-pause", R"({"agent":"a1","reason":""})"),
              "argument 'reason' must be 1 to 200 bytes");
    EXPECT_EQ(command_error("agent-login", R"({"agent":"a1","paused":"yes"})"),
              "argument 'paused' must be true or false");
    EXPECT_EQ(command_error("agent-ready", R"({"agnet":"a1"})"), "unknown argument 'agnet'");
    EXPECT_EQ(command_error("agent-ready", R"([1])"), "arguments must be an object");
    EXPECT_EQ(command_error("call-reclassify", R"({"call_id":"c1","class":"vip"})"),
              "argument 'class': unknown class 'vip' (expected urgent, appointment or admin)");
    EXPECT_EQ(command_error("overflow-set", R"({"specialty":"x","threshold":-1})"),
              "argument 'threshold' must be an integer of 0 or more");
    EXPECT_EQ(command_error("overflow-set", R"({"specialty":"x"})"),
              "give 'threshold', 'enabled' or both");
    EXPECT_FALSE(is_engine_command("status-get"));
}

// --- changes and configuration ----------------------------------------------------------------

TEST(Changes, CallChangeCarriesTheSnapshotAndItsCause) {
    CallSnapshot c;
    c.gateway = "gw1";
    c.call_id = "c1";
    c.caller = "p";
    c.specialty = "cardiology";
    c.enqueued_at = t0;
    c.deadline = t0 + seconds(120);
    c.agent = "a1";
    c.state = CallState::offering;
    const Change change = CallChange{t0, Cause::routed, c};
    EXPECT_EQ(change_type(change), "call.routed");
    const Json j = to_json(change);
    EXPECT_EQ(j["cause"], "routed");
    EXPECT_EQ(j["state"], "offering");
    EXPECT_EQ(j["agent"], "a1");
    EXPECT_TRUE(j["team"].is_null());
    EXPECT_EQ(j["at"], format_time(t0));
    EXPECT_EQ(change_type(AgentChange{}), "agent.state");
}

TEST(Changes, AlertChangeCarriesTheAlert) {
    const Alert late{AlertKind::call_late, "cardiology", "gw1", "c1", t0};
    const Change raised = AlertChange{t0 + seconds(1), true, late};
    EXPECT_EQ(change_type(raised), "alert.raised");
    EXPECT_EQ(change_type(AlertChange{t0, false, late}), "alert.cleared");
    EXPECT_EQ(to_json(raised), Json::parse(R"({"alert":"call_late","specialty":"cardiology",
        "gateway":"gw1","call_id":"c1","raised_at":"2024-10-04T00:00:00.000Z","raised":true,
        "at":"2024-10-04T00:00:01.000Z"})"));
    const Json unstaffed =
        to_json(AlertChange{t0, true, Alert{AlertKind::queue_unstaffed, "cardiology", "", "", t0}});
    EXPECT_TRUE(unstaffed["call_id"].is_null());
}

TEST(GatewayEvent, TheQualitySampleChoiceRoundTrips) {
    input::CallOffered offered{"c1", "p", "+1", std::nullopt, std::nullopt};
    offered.quality_sample = true;
    const input::GatewayEvent ev{"gw1", 3, offered};
    EXPECT_EQ(to_json(ev)["quality_sample"], true);
    EXPECT_EQ(event(to_json(ev).dump()), ev);
    offered.quality_sample = false;
    EXPECT_FALSE(to_json(input::GatewayEvent{"gw1", 3, offered}).contains("quality_sample"));
}

}  // namespace
}  // namespace acd
