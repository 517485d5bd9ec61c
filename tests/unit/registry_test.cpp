// The control registry (include/acd/control.hpp): the one entry point every transport uses.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <stdexcept>

#include "acd/control.hpp"

namespace acd::control {
namespace {

struct Fixture : testing::Test {
    Registry registry;
    std::vector<std::pair<std::string, Answer>> audited;

    void SetUp() override {
        registry.set_audit(
            [this](const Request& r, const Answer& a) { audited.emplace_back(r.command, a); });
        registry.add({"echo", Access::reads,
                      [](Request& r, Done done) { done(Answer::success("echo", r.arguments)); }});
        registry.add({"change", Access::changes,
                      [](Request&, Done done) { done(Answer::success("changed")); }});
        registry.add({"throws", Access::changes,
                      [](Request&, Done) -> void { throw std::runtime_error("a bug"); }});
    }

    Json call(const Json& envelope) {
        Json response;
        registry.execute(envelope, Caller{}, nullptr, [&](Json r) { response = std::move(r); });
        return response;
    }
};

TEST_F(Fixture, AResponseEchoesTheRequestsId) {
    const Json r = call({{"command", "echo"}, {"arguments", {{"x", 1}}}, {"id", 7}});
    EXPECT_EQ(r["result"], 0);
    EXPECT_EQ(r["id"], 7);
    EXPECT_EQ(r["arguments"]["x"], 1);
}

TEST_F(Fixture, AnUnknownCommandIsUnsupportedWithResultTwo) {
    const Json r = call({{"command", "fly"}});
    EXPECT_EQ(r["result"], 2);
    EXPECT_EQ(r["arguments"]["code"], "unsupported");
    EXPECT_EQ(r["text"], "unsupported command 'fly'");
}

TEST_F(Fixture, AnEnvelopeWithoutACommandOrWithArgumentsNotAnObjectIsABadRequest) {
    EXPECT_EQ(call({{"arguments", {}}})["arguments"]["code"], "bad_request");
    EXPECT_EQ(call(Json::array())["arguments"]["code"], "bad_request");
    EXPECT_EQ(call({{"command", "echo"}, {"arguments", 3}})["text"],
              "'arguments' must be an object");
}

TEST_F(Fixture, AnExceptionInACommandIsAnswered1WithCodeInternalAndNothingEscapes) {
    Json r;
    EXPECT_NO_THROW(r = call({{"command", "throws"}}));
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(r["arguments"]["code"], "internal");
    EXPECT_NE(r["text"].get<std::string>().find("a bug"), std::string::npos);
    // The registry still serves.
    EXPECT_EQ(call({{"command", "echo"}})["result"], 0);
}

TEST_F(Fixture, CommandsThatChangeSomethingAreAuditedAndReadsAreNot) {
    call({{"command", "echo"}});
    call({{"command", "change"}});
    ASSERT_EQ(audited.size(), 1U);
    EXPECT_EQ(audited[0].first, "change");
    EXPECT_EQ(audited[0].second.text, "changed");
}

TEST_F(Fixture, ThePermissionHookRefusesBeforeTheCommandRunsAndTheRefusalIsAudited) {
    bool ran = false;
    registry.add({"guarded", Access::reads, [&](Request&, Done done) {
                      ran = true;
                      done(Answer::success("ran"));
                  }});
    registry.set_permission([](const Request& r, const Command&) -> std::optional<Answer> {
        if (r.caller.role == Role::admin) return std::nullopt;
        return Answer::failure(ErrorCode::forbidden, "not for this role");
    });
    Json response;
    Caller agent;
    agent.channel = Caller::Channel::web;
    agent.role = Role::agent;
    agent.user = "alice";
    registry.execute({{"command", "guarded"}}, agent, nullptr, [&](Json r) { response = r; });
    EXPECT_FALSE(ran);
    EXPECT_EQ(response["arguments"]["code"], "forbidden");
    ASSERT_EQ(audited.size(), 1U);
    EXPECT_EQ(audited[0].first, "guarded");
    EXPECT_EQ(call({{"command", "guarded"}})["result"], 0);  // as admin
    EXPECT_TRUE(ran);
}

// Admin protocol v1.1: commands that only read are logged at debug level, changes at info.
TEST_F(Fixture, CommandsThatOnlyReadAreLoggedAtDebugAndChangesAtInfo) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%l %v");
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("registry_test", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    call({{"command", "echo"}});
    call({{"command", "change"}});
    spdlog::set_default_logger(previous);
    EXPECT_EQ(out.str(),
              "debug admin.command echo by uid -1 gid -1: result 0: echo\n"
              "info admin.command change by uid -1 gid -1: result 0: changed\n");
}

TEST_F(Fixture, ListCommandsNamesEveryRegisteredCommand) {
    const Json r = call({{"command", "list-commands"}});
    const auto names = r["arguments"]["commands"].get<std::vector<std::string>>();
    EXPECT_EQ(names, (std::vector<std::string>{"change", "echo", "list-commands", "throws"}));
}

// A subscriber that falls behind is dropped; publishing never waits for it.
TEST(Hub, ASubscriberThatFallsBehindIsDroppedAndOthersStillReceive) {
    struct Sink : Stream {
        bool accept = true;
        std::vector<Json> got;
        bool started = false;
        void start_stream() override { started = true; }
        bool send(const Json& m) override {
            if (!accept) return false;
            got.push_back(m);
            return true;
        }
    };
    Hub hub({"calls", "agents"});
    auto slow = std::make_shared<Sink>();
    auto fine = std::make_shared<Sink>();
    hub.subscribe(slow, {"calls"});
    hub.subscribe(fine, {"calls", "agents"});
    EXPECT_TRUE(slow->started);
    slow->accept = false;
    hub.publish("calls", {{"n", 1}});
    slow->accept = true;
    hub.publish("calls", {{"n", 2}});
    hub.publish("agents", {{"n", 3}});
    EXPECT_TRUE(slow->got.empty());
    EXPECT_EQ(fine->got.size(), 3U);
    EXPECT_FALSE(hub.watched("queues"));
}

}  // namespace
}  // namespace acd::control
