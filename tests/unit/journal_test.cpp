// The journal (src/daemon/journal.hpp): every kind of input becomes a record and reads back as
// the same input, carrying the changes it caused and the calls and agents they are about.
#include "daemon/journal.hpp"

#include <gtest/gtest.h>

#include "acd/record_json.hpp"

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

TEST(Journal, OneRecordPerInputCarriesItsChangesAndTheCallsAndAgentsTheyMention) {
    Output out;
    CallSnapshot call;
    call.gateway = "gw1";
    call.call_id = "c1";
    call.agent = "a1";
    out.changes.push_back(CallChange{t0, Cause::routed, call});
    out.changes.push_back(
        AgentChange{t0, Cause::routed, "a1", AgentState::reserved, "", "gw1", "c1"});
    const Input in = input::GatewayEvent{"gw1", 3, input::AgentReport{"a2", AgentState::ready, ""}};
    const WriteBatch batch = journal_batch(in, out, t0);
    ASSERT_EQ(batch.records.size(), 1U);
    const AuditRecord& r = batch.records[0];
    EXPECT_EQ(r.kind, RecordKind::input);
    EXPECT_EQ(r.agent, "a2");
    const Json changes = Json::parse(r.changes);
    ASSERT_EQ(changes.size(), 2U);
    EXPECT_EQ(changes[0]["type"], "call.routed");
    EXPECT_EQ(changes[0]["change"], Json::parse(change_body(out.changes[0])));
    EXPECT_FALSE(changes[0].contains("at"));  // the input's time
    EXPECT_EQ(changes[1]["type"], "agent.state");
    EXPECT_EQ(changes[1]["change"]["state"], "reserved");
    EXPECT_EQ(r.calls, (std::vector<CallRef>{{"gw1", "c1"}, {"gw1", "c1"}}));
    EXPECT_EQ(r.agents, (std::vector<std::string>{"a1", "a1"}));
    // Still the input it stands for.
    EXPECT_EQ(input_from_record(r), std::optional<Input>(in));
}

TEST(Journal, AChangeAtAnotherTimeThanItsInputKeepsItsTime) {
    Output out;
    // A named change, not one built in push_back's argument: GCC 12 at -O3 then warns
    // (maybe-uninitialized) about the variant's other alternatives.
    const Change change =
        AgentChange{t0 + seconds(1), Cause::wrap_up_end, "a1", AgentState::ready, "", "", ""};
    out.changes.push_back(change);
    const WriteBatch batch = journal_batch(input::Tick{}, out, t0);
    const Json changes = Json::parse(batch.records[0].changes);
    EXPECT_EQ(changes[0]["at"], format_time(t0 + seconds(1)));
}

TEST(Journal, AnInputWithoutChangesHasNone) {
    const WriteBatch batch = journal_batch(input::AgentReady{"a1"}, Output{}, t0);
    ASSERT_EQ(batch.records.size(), 1U);
    EXPECT_TRUE(batch.records[0].changes.empty());
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
