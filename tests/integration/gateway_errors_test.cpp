// docs/spec/gateway-protocol.md, v1.1 additions, against a started acdd: a seq reused for another
// event is refused with `seq_reused`, and every protocol error is logged at warning level with
// the gateway id, the seq and the code, at most 10 lines a second per gateway.
#include <gtest/gtest.h>

#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

struct GatewayErrorsTest : DaemonTest {};

Json offered(std::uint64_t seq, const std::string& call_id) {
    return {{"type", "call.offered"},
            {"seq", seq},
            {"call_id", call_id},
            {"caller", "+352621000000"},
            {"dialed", "+1001"}};
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

TEST_F(GatewayErrorsTest, ASeqReusedForAnotherEventGetsSeqReusedIsAcknowledgedAndNotApplied) {
    auto g = gateway();
    ASSERT_TRUE(g->send_acked(offered(1, "c1")));
    g->send(offered(1, "c2"));  // a new call under a used seq: a gateway bug
    const auto error = g->receive_type("error");
    ASSERT_TRUE(error) << daemon->log();
    EXPECT_EQ((*error)["code"], "seq_reused");
    EXPECT_EQ((*error)["seq"], 1);
    EXPECT_EQ(g->receive_type("ack").value()["seq"], 1);
    // c2 was not applied: ending it is an unknown call.
    g->send({{"type", "call.ended"}, {"seq", 2}, {"call_id", "c2"}});
    EXPECT_EQ(g->receive_type("error").value()["code"], "unknown_call");
}

TEST_F(GatewayErrorsTest, AResentEventWithTheSameContentIsAPlainDuplicate) {
    auto g = gateway();
    ASSERT_TRUE(g->send_acked(offered(1, "c1")));
    g->send(offered(1, "c1"));
    g->send({{"type", "call.ended"}, {"seq", 2}, {"call_id", "c1"}});
    while (true) {
        const auto line = g->receive();
        ASSERT_TRUE(line) << daemon->log();
        if ((*line)["type"] == "error") ADD_FAILURE() << line->dump();
        if ((*line)["type"] == "ack" && (*line)["seq"] == 2) break;
    }
}

// The content compared is the event as acdd reads and records it: members the protocol ignores
// ("Unknown extra fields are ignored") do not make it another event.
TEST_F(GatewayErrorsTest, AResentEventThatDiffersOnlyInIgnoredFieldsIsAPlainDuplicate) {
    auto g = gateway();
    ASSERT_TRUE(g->send_acked(offered(1, "c1")));
    Json again = offered(1, "c1");
    again["x_resent"] = true;
    g->send(again);
    g->send({{"type", "call.ended"}, {"seq", 2}, {"call_id", "c1"}});
    while (true) {
        const auto line = g->receive();
        ASSERT_TRUE(line) << daemon->log();
        if ((*line)["type"] == "error") ADD_FAILURE() << line->dump();
        if ((*line)["type"] == "ack" && (*line)["seq"] == 2) break;
    }
}

TEST_F(GatewayErrorsTest, ProtocolErrorsAreLoggedAtWarningWithGatewaySeqAndCode) {
    auto g = gateway();
    g->send_raw("this is not json\n");
    g->send({{"type", "call.ended"}, {"seq", 7}, {"call_id", "nope"}});
    EXPECT_TRUE(daemon->process().wait_for_stderr(
        "warning gateway.error gateway gw1 seq null code bad_json", 10s))
        << daemon->log();
    EXPECT_TRUE(daemon->process().wait_for_stderr(
        "warning gateway.error gateway gw1 seq 7 code unknown_call: no live call 'nope'", 10s))
        << daemon->log();
}

TEST_F(GatewayErrorsTest, ErrorLinesAreLimitedToTenASecondPerGatewayThenCounted) {
    auto g = gateway();
    std::string garbage;
    for (int k = 0; k < 200; ++k)
        garbage += "garbage\n";
    g->send_raw(garbage);
    for (int k = 0; k < 200; ++k)
        ASSERT_TRUE(g->receive_type("error")) << k;
    g.reset();  // the count of the lines left out is logged when the connection closes
    ASSERT_TRUE(daemon->process().wait_for_stderr("more error line(s) left out", 10s))
        << daemon->log();
    const std::string log = daemon->log();
    const std::size_t logged = count(log, "code bad_json");
    // 200 lines take far less than 20 s: at most 10 a second were logged, the rest counted.
    EXPECT_GE(logged, 10U);
    EXPECT_LT(logged, 200U);
    std::uint64_t left_out = 0;
    for (auto at = log.find("gateway gw1: "); at != std::string::npos;
         at = log.find("gateway gw1: ", at + 1)) {
        left_out += std::stoull(log.substr(at + 13));
    }
    EXPECT_EQ(logged + left_out, 200U) << log;
}

}  // namespace
}  // namespace acd::test
