// The journal (src/daemon/journal.hpp): every kind of input becomes a record and reads back as
// the same input; change records carry the call and agent they are about.
#include "daemon/journal.hpp"

#include <gtest/gtest.h>

namespace acd {
namespace {

const Time t0 = Time{} + std::chrono::hours(24 * 20000);

RoutingConfig small_config() {
    RoutingConfig c;
    c.specialties = {SpecialtyConfig{"cardiology", "Cardiology", {"+1"}}};
    c.agents = {AgentConfig{"a1", "A 1", "sip:a1@pbx", {"cardiology"}, seconds(15)}};
    return c;
}

TEST(Journal, EveryInputKindReadsBackAsTheSameInput) {
    const Input inputs[] = {
        input::GatewayEvent{"gw1", 1,
                            input::CallOffered{"c1", "p", "+1", "cardiology", CallClass::urgent}},
        input::GatewayEvent{"gw1", 2, input::CallAnswered{"c1", "a1"}},
        input::GatewayEvent{"gw1", 3, input::CallNoAnswer{"c1", std::nullopt}},
        input::GatewayEvent{"gw1", 4, input::CallEnded{"c1", "bye"}},
        input::GatewayEvent{"gw1", 5, input::AgentReport{"a1", AgentState::paused, "lunch"}},
        input::GatewayEvent{"gw1", 6,
                            input::Rejected{ErrorCode::bad_request, "missing field 'call_id'"}},
        input::AgentLogin{"a1", true},
        input::AgentLogout{"a1"},
        input::AgentPause{"a1", "break"},
        input::AgentReady{"a1"},
        input::CallReclassify{{"c1", "gw1"}, CallClass::admin},
        input::CallTransfer{{"c1", std::nullopt}, "cardiology"},
        input::OverflowSet{"cardiology", 1, std::nullopt},
        input::Reconfigure{small_config()},
        input::Tick{},
    };
    for (const Input& in : inputs) {
        const AuditRecord r = input_record(in, t0);
        EXPECT_EQ(r.kind, RecordKind::input);
        EXPECT_EQ(r.at, t0);
        const auto back = input_from_record(r);
        ASSERT_TRUE(back) << r.type << " " << r.body;
        EXPECT_EQ(*back, in) << r.type << " " << r.body;
    }
}

TEST(Journal, GatewayEventRecordsCarryGatewaySeqCallAndAgent) {
    const AuditRecord r =
        input_record(input::GatewayEvent{"gw1", 7, input::CallAnswered{"c9", "a1"}}, t0);
    EXPECT_EQ(r.type, "call.answered");
    EXPECT_EQ(r.gateway, "gw1");
    EXPECT_EQ(r.seq, 7U);
    EXPECT_EQ(r.call_id, "c9");
    EXPECT_EQ(r.agent, "a1");
}

TEST(Journal, AdminCommandRecordsCarryThePeerCredentials) {
    control::Caller admin;
    admin.channel = control::Caller::Channel::socket;
    admin.uid = 1000;
    admin.gid = 100;
    const AuditRecord r = input_record(input::AgentPause{"a1", "break"}, t0, &admin);
    EXPECT_EQ(r.type, "agent-pause");
    EXPECT_EQ(r.agent, "a1");
    EXPECT_EQ(r.uid, 1000);
    EXPECT_EQ(r.gid, 100);
    EXPECT_EQ(Json::parse(r.body)["arguments"]["reason"], "break");
}

TEST(Journal, ChangeRecordsNameTheirCallAndAgent) {
    Output out;
    CallSnapshot call;
    call.gateway = "gw1";
    call.call_id = "c1";
    call.agent = "a1";
    out.changes.push_back(CallChange{t0, Cause::routed, call});
    out.changes.push_back(
        AgentChange{t0, Cause::routed, "a1", AgentState::reserved, "", "gw1", "c1"});
    std::vector<AuditRecord> records;
    append_change_records(out, records);
    ASSERT_EQ(records.size(), 2U);
    EXPECT_EQ(records[0].type, "call.routed");
    EXPECT_EQ(records[0].kind, RecordKind::output);
    EXPECT_EQ(records[0].call_id, "c1");
    EXPECT_EQ(records[1].type, "agent.state");
    EXPECT_EQ(records[1].agent, "a1");
    EXPECT_EQ(records[1].call_id, "c1");
}

TEST(Journal, OutputAndDamagedRecordsAreNotInputs) {
    AuditRecord r = input_record(input::AgentReady{"a1"}, t0);
    r.kind = RecordKind::output;
    EXPECT_FALSE(input_from_record(r));
    r.kind = RecordKind::input;
    r.body = "{not json";
    EXPECT_FALSE(input_from_record(r));
}

}  // namespace
}  // namespace acd
