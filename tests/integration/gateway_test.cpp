// docs/spec/gateway-protocol.md over real sockets against a started acdd: the handshake, every
// message type, every error code, acknowledgements, duplicates and resume, replacement of a
// connection, framing (oversized and garbage lines, CRLF), a slow reader, and TLS with mutual
// authentication (certificates made by the test with the openssl tool).
#include <gtest/gtest.h>

#include <fstream>

#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

struct GatewayTest : testing::Test {
    std::unique_ptr<Daemon> daemon = std::make_unique<Daemon>();

    // Tests that need another config change it here before the daemon starts.
    virtual void adjust(Json&) {}

    void SetUp() override {
        Json config = test_config(daemon->dir());
        adjust(config);
        daemon->configure(config);
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
    std::unique_ptr<GatewayClient> connect(const std::string& gateway = "gw1") {
        auto c = std::make_unique<GatewayClient>(daemon->port());
        EXPECT_TRUE(c->hello(gateway)) << daemon->log();
        return c;
    }
};

Json event(std::string type, std::uint64_t seq, Json fields = Json::object()) {
    fields["type"] = std::move(type);
    fields["seq"] = seq;
    return fields;
}
Json offered(std::uint64_t seq, const std::string& call_id, const std::string& dialed = "+1001") {
    return event("call.offered", seq,
                 {{"call_id", call_id}, {"caller", "+352621000000"}, {"dialed", dialed}});
}

// The next error, skipping acks and commands.
std::optional<Json> next_error(GatewayClient& c) {
    return c.receive_type("error");
}

// ---------------------------------------------------------------------------------------------
// Handshake
// ---------------------------------------------------------------------------------------------

TEST_F(GatewayTest, HelloGetsAWelcomeWithLastSeqZeroForANewGateway) {
    GatewayClient c(daemon->port());
    const auto welcome = c.hello("gw1");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["protocol"], 1);
    EXPECT_EQ((*welcome)["last_seq"], 0);
    EXPECT_EQ((*welcome)["server"], "acdd/0.1.0");
}

TEST_F(GatewayTest, AnythingButHelloFirstIsAProtocolErrorAndClosesTheConnection) {
    GatewayClient c(daemon->port());
    c.send(offered(1, "c1"));
    const auto error = c.receive();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "protocol");
    EXPECT_TRUE((*error)["seq"].is_null());
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(GatewayTest, AnUnknownProtocolVersionIsRefusedAndClosesTheConnection) {
    GatewayClient c(daemon->port());
    c.send({{"type", "hello"}, {"gateway", "gw1"}, {"protocol", 2}});
    const auto error = c.receive();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "unsupported_protocol");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(GatewayTest, AHandshakeNotDoneWithinTenSecondsIsClosed) {
    GatewayClient c(daemon->port());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_peer(15s));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 9s);
}

// ---------------------------------------------------------------------------------------------
// Events and commands
// ---------------------------------------------------------------------------------------------

TEST_F(GatewayTest, ACallWithAReadyAgentIsRoutedAndEventsAreAcknowledged) {
    auto c = connect();
    c->send(event("agent.state", 1, {{"agent", "a1"}, {"state", "ready"}}));
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 1);
    c->send(offered(2, "c1"));
    const auto route = c->receive_type("call.route");
    ASSERT_TRUE(route);
    // An agent's route carries the caller's summary (docs/agenda.md): a first call here.
    EXPECT_EQ(*route, Json::parse(R"({"type":"call.route","call_id":"c1","to":"sip:a1@pbx.test",
                                     "ring_timeout_s":20,"agent":"a1",
                                     "caller":{"past_calls":0,"next_appointment":null}})"));
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 2);
    c->send(event("call.answered", 3, {{"call_id", "c1"}, {"agent", "a1"}}));
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 3);
    c->send(event("call.ended", 4, {{"call_id", "c1"}, {"cause", "normal"}}));
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 4);
}

TEST_F(GatewayTest, ACallWithoutAnAgentIsQueuedWithPositionAndExpectedWait) {
    auto c = connect();
    c->send(offered(1, "c1"));
    const auto queued = c->receive_type("call.queued");
    ASSERT_TRUE(queued);
    EXPECT_EQ(*queued, Json::parse(R"({"type":"call.queued","call_id":"c1","specialty":"cardiology",
                                      "class":"appointment","position":1,"expected_wait_s":null})"));
}

TEST_F(GatewayTest, NoAnswerPutsTheCallBackInTheQueue) {
    auto c = connect();
    c->send(event("agent.state", 1, {{"agent", "a1"}, {"state", "ready"}}));
    c->send(offered(2, "c1"));
    ASSERT_TRUE(c->receive_type("call.route"));
    c->send(event("call.no_answer", 3, {{"call_id", "c1"}, {"agent", "a1"}}));
    const auto queued = c->receive_type("call.queued");
    ASSERT_TRUE(queued);
    EXPECT_EQ((*queued)["position"], 1);
}

TEST_F(GatewayTest, AnUnknownSpecialtyGetsAnErrorAndACallReject) {
    auto c = connect();
    c->send(offered(1, "c1", "+9999"));
    const auto error = c->receive();
    const auto reject = c->receive_type("call.reject");
    ASSERT_TRUE(error && reject);
    EXPECT_EQ((*error)["code"], "unknown_specialty");
    EXPECT_EQ((*error)["seq"], 1);
    EXPECT_EQ(*reject, Json::parse(R"({"type":"call.reject","call_id":"c1","reason":"no_route"})"));
}

TEST_F(GatewayTest, ErrorsOnEventsCarryTheirSeqAndTheEventIsStillAcknowledged) {
    auto c = connect();
    c->send(offered(1, "c1"));
    c->send(offered(2, "c1"));
    EXPECT_EQ(next_error(*c).value()["code"], "duplicate_call");
    c->send(event("call.ended", 3, {{"call_id", "nope"}}));
    const auto unknown_call = next_error(*c);
    EXPECT_EQ((*unknown_call)["code"], "unknown_call");
    EXPECT_EQ((*unknown_call)["seq"], 3);
    EXPECT_EQ((*unknown_call)["message"], "no live call 'nope' from gateway gw1");
    c->send(event("agent.state", 4, {{"agent", "ghost"}, {"state", "ready"}}));
    EXPECT_EQ(next_error(*c).value()["code"], "unknown_agent");
    c->send(event("call.answered", 5, {{"call_id", "c1"}}));
    EXPECT_EQ(next_error(*c).value()["code"], "invalid_state");
    c->send(event("call.ended", 6));
    const auto bad = next_error(*c);
    EXPECT_EQ((*bad)["code"], "bad_request");
    EXPECT_EQ((*bad)["seq"], 6);
    EXPECT_EQ((*bad)["message"], "missing field 'call_id'");
    std::uint64_t acked = 0;
    while (acked < 6) {
        const auto ack = c->receive_type("ack");
        ASSERT_TRUE(ack);
        acked = (*ack)["seq"];
    }
}

TEST_F(GatewayTest, AnEventWithoutAValidSeqIsABadRequestWithNullSeq) {
    auto c = connect();
    c->send({{"type", "call.ended"}, {"call_id", "c1"}});
    const auto error = c->receive();
    EXPECT_EQ((*error)["code"], "bad_request");
    EXPECT_TRUE((*error)["seq"].is_null());
}

TEST_F(GatewayTest, ADuplicateSeqIsAcknowledgedAgainAndNotAppliedTwice) {
    auto c = connect();
    c->send(offered(1, "c1"));
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 1);
    c->send(event("call.ended", 1, {{"call_id", "c1"}}));  // same seq: a duplicate
    EXPECT_EQ(c->receive_type("ack").value()["seq"], 1);
    c->send(offered(2, "c1"));  // c1 is still live, so this is a duplicate call
    EXPECT_EQ(next_error(*c).value()["code"], "duplicate_call");
}

TEST_F(GatewayTest, CommandsGoToTheGatewayThatOfferedTheCall) {
    auto gw1 = connect("gw1");
    auto gw2 = connect("gw2");
    gw2->send(event("agent.state", 1, {{"agent", "a2"}, {"state", "ready"}}));
    ASSERT_TRUE(gw2->receive_type("ack"));
    gw1->send(offered(1, "c1", "+1002"));
    EXPECT_TRUE(gw1->receive_type("call.route"));
    gw2->send(event("call.ended", 2, {{"call_id", "c1"}}));  // not gw2's call
    EXPECT_EQ(next_error(*gw2).value()["code"], "unknown_call");
}

// ---------------------------------------------------------------------------------------------
// Resume and replacement
// ---------------------------------------------------------------------------------------------

TEST_F(GatewayTest, WelcomeGivesTheLastDurableSeqAndOfferingRoutesAreResent) {
    {
        auto c = connect();
        c->send(event("agent.state", 1, {{"agent", "a1"}, {"state", "ready"}}));
        c->send(offered(2, "c1"));
        ASSERT_TRUE(c->receive_type("call.route"));
        while (c->receive_type("ack").value_or(Json{{"seq", 0}})["seq"] != 2) {
        }
    }
    GatewayClient again(daemon->port());
    const auto welcome = again.hello("gw1");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["last_seq"], 2);
    const auto route = again.receive();
    ASSERT_TRUE(route);
    EXPECT_EQ((*route)["type"], "call.route");
    EXPECT_EQ((*route)["call_id"], "c1");
}

TEST_F(GatewayTest, LastSeqAndStateSurviveARestartOfTheDaemon) {
    {
        auto c = connect();
        c->send(offered(1, "c1"));
        c->send(offered(2, "c2"));
        while (c->receive_type("ack").value_or(Json{{"seq", 0}})["seq"] != 2) {
        }
    }
    EXPECT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    auto c = std::make_unique<GatewayClient>(daemon->port());
    const auto welcome = c->hello("gw1");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["last_seq"], 2);
    c->send(offered(3, "c1"));  // still live after the restart
    EXPECT_EQ(next_error(*c).value()["code"], "duplicate_call");
}

TEST_F(GatewayTest, ASecondConnectionWithTheSameGatewayIdReplacesTheFirst) {
    auto first = connect("gw1");
    auto second = connect("gw1");
    EXPECT_TRUE(first->closed_by_peer());
    second->send(offered(1, "c1"));
    EXPECT_TRUE(second->receive_type("ack"));
}

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

TEST_F(GatewayTest, ALineThatIsNotJsonGetsBadJsonAndTheNextGoodLineIsTaken) {
    auto c = connect();
    c->send_raw("this is not json\n");
    const auto error = c->receive();
    EXPECT_EQ((*error)["code"], "bad_json");
    EXPECT_TRUE((*error)["seq"].is_null());
    c->send(offered(1, "c1"));
    EXPECT_TRUE(c->receive_type("call.queued"));
}

TEST_F(GatewayTest, AJsonValueThatIsNotAnObjectGetsBadJson) {
    auto c = connect();
    c->send_raw("[1,2,3]\n");
    EXPECT_EQ(c->receive().value()["code"], "bad_json");
}

TEST_F(GatewayTest, CrLfLineEndingsAreAccepted) {
    auto c = connect();
    c->send_raw(offered(1, "c1").dump() + "\r\n");
    EXPECT_TRUE(c->receive_type("call.queued"));
}

TEST_F(GatewayTest, ALineOf65536BytesIsTaken) {
    auto c = connect();
    Json e = offered(1, "c1");
    e["padding"] = "";
    e["padding"] = std::string(65536 - e.dump().size(), 'x');
    ASSERT_EQ(e.dump().size(), 65536U);
    c->send(e);
    EXPECT_TRUE(c->receive_type("call.queued"));
}

TEST_F(GatewayTest, ALineLongerThan65536BytesGetsLineTooLongAndClosesTheConnection) {
    auto c = connect();
    c->send_raw(std::string(65537, 'x') + "\n");
    const auto error = c->receive();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "line_too_long");
    EXPECT_TRUE(c->closed_by_peer());
}

TEST_F(GatewayTest, APeerThatDoesNotReadIsDisconnectedAndOthersAreServed) {
    auto slow = connect("slow");
    slow->set_receive_buffer(4096);
    // Each garbage line earns an error line; never reading them piles them up at the daemon.
    const std::string garbage(1000, '\n');
    for (int i = 0; i < 2000 && slow->connected(); ++i)
        slow->send_raw(std::string(200, 'x') + garbage);
    EXPECT_TRUE(slow->closed_by_peer(30s));
    auto other = connect("gw2");
    other->send(offered(1, "c1"));
    EXPECT_TRUE(other->receive_type("ack"));
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

// SHA-256 of "s3cret".
constexpr const char* kTokenHash =
    "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";

struct TokenTest : GatewayTest {
    void adjust(Json& config) override { config["gateway"]["tokens"] = {{"gw1", kTokenHash}}; }
};

TEST_F(TokenTest, TheRightTokenIsWelcome) {
    GatewayClient c(daemon->port());
    EXPECT_TRUE(c.hello("gw1", "s3cret"));
}

TEST_F(TokenTest, AWrongOrMissingTokenIsUnauthorizedAndClosesTheConnection) {
    for (const std::optional<std::string>& token :
         {std::optional<std::string>("guess"), std::optional<std::string>()}) {
        GatewayClient c(daemon->port());
        Json hello = {{"type", "hello"}, {"gateway", "gw1"}, {"protocol", 1}};
        if (token) hello["token"] = *token;
        c.send(hello);
        const auto error = c.receive();
        ASSERT_TRUE(error);
        EXPECT_EQ((*error)["code"], "unauthorized");
        EXPECT_TRUE(c.closed_by_peer());
    }
}

TEST_F(TokenTest, AGatewayWithoutAConfiguredTokenIsUnauthorized) {
    GatewayClient c(daemon->port());
    c.send({{"type", "hello"}, {"gateway", "gw9"}, {"protocol", 1}, {"token", "s3cret"}});
    EXPECT_EQ(c.receive().value()["code"], "unauthorized");
}

}  // namespace
}  // namespace acd::test
