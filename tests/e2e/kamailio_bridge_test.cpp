// acd-kamailio's pieces without the network: netstring framing, the configuration and its
// refusals, the state file's sequence numbers, and what goes between Kamailio and acdd.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config.hpp"
#include "netstring.hpp"
#include "seq_file.hpp"
#include "translate.hpp"

namespace acd::kamailio {
namespace {

using json = nlohmann::json;

std::vector<std::string> drain(NetstringDecoder& d) {
    std::vector<std::string> out;
    while (auto p = d.next())
        out.push_back(*p);
    return out;
}

TEST(Netstring, SeveralFramesInOneRead) {
    NetstringDecoder d;
    d.feed("3:abc,0:,5:hello,");
    EXPECT_EQ(drain(d), (std::vector<std::string>{"abc", "", "hello"}));
    EXPECT_TRUE(d.error().empty());
}

TEST(Netstring, OneFrameAcrossManyReads) {
    NetstringDecoder d;
    const std::string frame = encode_netstring(R"({"type":"call.offered"})");
    std::vector<std::string> got;
    for (char c : frame) {
        d.feed(std::string_view(&c, 1));
        for (auto& p : drain(d))
            got.push_back(p);
    }
    EXPECT_EQ(got, (std::vector<std::string>{R"({"type":"call.offered"})"}));
    EXPECT_EQ(d.pending(), 0u);
}

TEST(Netstring, EncodeIsLengthColonPayloadComma) {
    EXPECT_EQ(encode_netstring("abc"), "3:abc,");
    EXPECT_EQ(encode_netstring(""), "0:,");
}

TEST(Netstring, NonDigitLengthIsRefused) {
    NetstringDecoder d;
    d.feed("3x:abc,");
    EXPECT_FALSE(d.next());
    EXPECT_NE(d.error().find("non-digit"), std::string::npos) << d.error();
}

TEST(Netstring, LengthWithALeadingZeroIsRefused) {
    NetstringDecoder d;
    d.feed("03:abc,");
    EXPECT_FALSE(d.next());
    EXPECT_NE(d.error().find("leading zero"), std::string::npos) << d.error();
}

TEST(Netstring, MissingCommaIsRefused) {
    NetstringDecoder d;
    d.feed("3:abcd");
    EXPECT_FALSE(d.next());
    EXPECT_NE(d.error().find("not followed by ','"), std::string::npos) << d.error();
}

TEST(Netstring, EmptyLengthIsRefused) {
    NetstringDecoder d;
    d.feed(":abc,");
    EXPECT_FALSE(d.next());
    EXPECT_NE(d.error().find("empty length"), std::string::npos) << d.error();
}

TEST(Netstring, OversizedFrameIsRefusedBeforeItsPayloadArrives) {
    NetstringDecoder d;
    d.feed("65537:");
    EXPECT_FALSE(d.next());
    EXPECT_NE(d.error().find("longer than 65536"), std::string::npos) << d.error();
    NetstringDecoder e;
    e.feed("123456");
    EXPECT_FALSE(e.next());
    EXPECT_NE(e.error().find("too many digits"), std::string::npos) << e.error();
}

TEST(Netstring, AFailedStreamStaysFailed) {
    NetstringDecoder d;
    d.feed("x:,");
    EXPECT_FALSE(d.next());
    d.feed("3:abc,");
    EXPECT_FALSE(d.next());
    EXPECT_FALSE(d.error().empty());
}

// --- configuration -----------------------------------------------------------------------

std::vector<std::string> errors_of(const std::string& text) {
    std::vector<std::string> out;
    const auto r = parse_config(text, "/etc/acdd");
    if (r) return out;
    for (const auto& e : r.error())
        out.push_back(e.to_string());
    return out;
}

TEST(BridgeConfig, TheSpecExampleIsTaken) {
    const auto r = parse_config(R"({
      "acdd": {"connect": "127.0.0.1:7400", "gateway_id": "kamailio", "token": "secret"},
      "kamailio": {"evapi": "127.0.0.1:8448"},
      "state_file": "/var/lib/acdd/acd-kamailio.state"
    })",
                                "/etc/acdd");
    ASSERT_TRUE(r) << r.error().front().to_string();
    EXPECT_EQ(r->acdd.port, 7400);
    EXPECT_EQ(r->evapi.port, 8448);
    EXPECT_EQ(r->token, "secret");
    EXPECT_FALSE(r->tls);
}

TEST(BridgeConfig, EmptyObjectGivesTheDefaults) {
    const auto r = parse_config("{}", "/etc/acdd");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->acdd.host, "127.0.0.1");
    EXPECT_EQ(r->gateway_id, "kamailio");
    EXPECT_EQ(r->state_file, "/var/lib/acdd/acd-kamailio.state");
}

TEST(BridgeConfig, BadHostPortNamesItsPath) {
    EXPECT_EQ(errors_of(R"({"acdd": {"connect": "acdd"}})"),
              (std::vector<std::string>{"acdd.connect: expected HOST:PORT (an IP address or a host "
                                        "name, and a port from 1 to 65535), got 'acdd'"}));
    EXPECT_EQ(errors_of(R"({"kamailio": {"evapi": "127.0.0.1:0"}})").size(), 1u);
    EXPECT_EQ(errors_of(R"({"kamailio": {"evapi": "127.0.0.1:65536"}})").size(), 1u);
}

TEST(BridgeConfig, UnknownKeyIsRefused) {
    EXPECT_EQ(errors_of(R"({"acdd": {"conect": "127.0.0.1:7400"}})"),
              (std::vector<std::string>{"acdd.conect: unknown key"}));
}

TEST(BridgeConfig, DuplicateKeyIsRefused) {
    EXPECT_EQ(errors_of(R"({"acdd": {"token": "a", "token": "b"}})"),
              (std::vector<std::string>{"acdd.token: duplicate key"}));
}

TEST(BridgeConfig, WrongTypeIsRefused) {
    EXPECT_EQ(errors_of(R"({"acdd": {"gateway_id": 7}})"),
              (std::vector<std::string>{"acdd.gateway_id: expected a string, got 7"}));
    EXPECT_EQ(errors_of(R"({"kamailio": []})"),
              (std::vector<std::string>{"kamailio: expected an object, got []"}));
}

TEST(BridgeConfig, SyntaxErrorGivesItsPlace) {
    const auto errors = errors_of("{\"acdd\": }");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("line 1, column 10"), std::string::npos) << errors[0];
}

TEST(BridgeConfig, EveryErrorIsReported) {
    EXPECT_EQ(errors_of(R"({"acdd": {"gateway_id": "", "token": ""}, "state_file": ""})").size(),
              3u);
}

TEST(BridgeConfig, TlsCertWithoutKeyAndUnreadableFilesAreRefused) {
    const auto errors = errors_of(R"({"acdd": {"tls": {"cert": "/nonexistent/c.pem"}}})");
    EXPECT_EQ(errors, (std::vector<std::string>{
                          "acdd.tls.cert: cannot read '/nonexistent/c.pem'",
                          "acdd.tls.key: cert and key go together (a client certificate and its "
                          "private key)"}));
}

TEST(BridgeConfig, RelativePathsAreTakenFromTheFilesFolder) {
    const auto r = parse_config(R"({"state_file": "state/bridge.state"})", "/etc/acdd");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->state_file, "/etc/acdd/state/bridge.state");
}

TEST(BridgeConfig, HostPortForms) {
    EXPECT_EQ(parse_host_port("[::1]:7400")->host, "::1");
    EXPECT_EQ(parse_host_port("acdd.hospital.example:7400")->port, 7400);
    EXPECT_FALSE(parse_host_port("::1:7400"));
    EXPECT_FALSE(parse_host_port("host:port"));
}

// --- state file ---------------------------------------------------------------------------

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "acd-bridge-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(SeqFile, SeqStaysStrictlyIncreasingAcrossRestarts) {
    TempDir dir;
    const std::string path = (dir.path / "bridge.state").string();
    std::uint64_t last = 0;
    {
        SeqFile seqs(path);
        ASSERT_EQ(seqs.load(), "");
        std::string error;
        for (int i = 0; i < 5; ++i)
            last = seqs.next(error);
        EXPECT_EQ(last, 5u);
    }
    SeqFile again(path);  // a restart, or a crash: the block written before seq 1 holds
    ASSERT_EQ(again.load(), "");
    std::string error;
    EXPECT_GT(again.next(error), last);
}

TEST(SeqFile, TheBoundIsWrittenBeforeTheSeqIsHandedOut) {
    TempDir dir;
    const std::string path = (dir.path / "bridge.state").string();
    SeqFile seqs(path);
    ASSERT_EQ(seqs.load(), "");
    std::string error;
    ASSERT_EQ(seqs.next(error), 1u);
    std::ifstream in(path);
    std::uint64_t bound = 0;
    in >> bound;
    EXPECT_GE(bound, 1u);
}

TEST(SeqFile, AFileThatIsNotANumberIsRefused) {
    TempDir dir;
    const std::string path = (dir.path / "bridge.state").string();
    std::ofstream(path) << "forty-two\n";
    SeqFile seqs(path);
    EXPECT_NE(seqs.load().find("does not hold a sequence number"), std::string::npos);
}

TEST(SeqFile, AnUnwritableFileGivesNoSeq) {
    SeqFile seqs("/nonexistent-dir/bridge.state");
    ASSERT_EQ(seqs.load(), "");
    std::string error;
    EXPECT_EQ(seqs.next(error), 0u);
    EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
}

// --- translation --------------------------------------------------------------------------

TEST(FromKamailio, OfferedPassesThroughAndGetsItsSeq) {
    const auto r = from_kamailio(
        R"({"type":"call.offered","call_id":"a@b","caller":"+352621","dialed":"+35244112221","class":"urgent"})");
    ASSERT_TRUE(r.event);
    EXPECT_TRUE(r.problem.empty());
    const auto line = event_line(*r.event, 42);
    EXPECT_EQ(line.back(), '\n');
    const auto j = json::parse(line);
    EXPECT_EQ(j["seq"], 42);
    EXPECT_EQ(j["class"], "urgent");
}

TEST(FromKamailio, UnknownClassIsDroppedSoTheDefaultApplies) {
    const auto r = from_kamailio(
        R"({"type":"call.offered","call_id":"a@b","caller":"1","dialed":"2","class":"vip"})");
    ASSERT_TRUE(r.event);
    EXPECT_FALSE(r.event->contains("class"));
    EXPECT_FALSE(r.problem.empty());
}

TEST(FromKamailio, MissingCallerIsAnonymous) {
    const auto r = from_kamailio(R"({"type":"call.offered","call_id":"a@b","dialed":"2"})");
    ASSERT_TRUE(r.event);
    EXPECT_EQ((*r.event)["caller"], "anonymous");
}

TEST(FromKamailio, CallIdLongerThanTheProtocolTakesIsRejectedInKamailio) {
    const std::string id(129, 'x');
    const auto r = from_kamailio(
        json{{"type", "call.offered"}, {"call_id", id}, {"caller", "1"}, {"dialed", "2"}}.dump());
    EXPECT_FALSE(r.event);
    ASSERT_TRUE(r.reply);
    EXPECT_EQ(json::parse(*r.reply),
              (json{{"type", "call.reject"}, {"call_id", id}, {"reason", "no_route"}}));
}

TEST(FromKamailio, BadMessagesAreRefused) {
    EXPECT_FALSE(from_kamailio("not json").event);
    EXPECT_FALSE(from_kamailio("[1]").event);
    EXPECT_FALSE(from_kamailio(R"({"type":"call.weird","call_id":"a"})").event);
    EXPECT_FALSE(from_kamailio(R"({"type":"call.ended"})").event);
    EXPECT_FALSE(from_kamailio(R"({"type":"agent.state","agent":"a01"})").event);
    EXPECT_FALSE(from_kamailio(R"({"type":"call.offered","call_id":"a"})").event);
}

TEST(FromAcdd, LinesAreClassified) {
    EXPECT_EQ(from_acdd(R"({"type":"welcome","protocol":1,"last_seq":41})").seq, 41u);
    EXPECT_EQ(from_acdd(R"({"type":"ack","seq":57})").kind, FromAcdd::Kind::ack);
    const auto e = from_acdd(R"({"type":"error","seq":null,"code":"bad_json","message":"x"})");
    EXPECT_EQ(e.kind, FromAcdd::Kind::error);
    EXPECT_EQ(e.seq, 0u);
    const auto c = from_acdd(R"({"type":"call.route","call_id":"a@b","to":"sip:a01@pbx"})");
    EXPECT_EQ(c.kind, FromAcdd::Kind::command);
    EXPECT_EQ(c.call_id, "a@b");
    EXPECT_EQ(from_acdd(R"({"type":"call.route"})").kind, FromAcdd::Kind::unknown);
    EXPECT_EQ(from_acdd("garbage").kind, FromAcdd::Kind::unknown);
}

TEST(RouteMemo, AnIdenticalRouteIsANoOp) {
    RouteMemo memo;
    const std::string r1 = R"({"type":"call.route","call_id":"a","to":"sip:a01@x"})";
    const std::string r2 = R"({"type":"call.route","call_id":"a","to":"sip:a02@x"})";
    EXPECT_FALSE(memo.repeat("a", r1));
    EXPECT_TRUE(memo.repeat("a", r1));
    EXPECT_FALSE(memo.repeat("a", r2));  // ring this instead
    memo.forget("a");
    EXPECT_FALSE(memo.repeat("a", r2));
}

TEST(RouteMemo, StaysBounded) {
    RouteMemo memo(2);
    memo.repeat("a", "1");
    memo.repeat("b", "1");
    memo.repeat("c", "1");
    EXPECT_LE(memo.size(), 2u);
}

}  // namespace
}  // namespace acd::kamailio
