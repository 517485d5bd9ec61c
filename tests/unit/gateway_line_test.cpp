// The gateway line parser (include/acd/gateway_line.hpp) against its reference, the line read by
// nlohmann-json and parse_gateway_event(): on valid lines of every event type and on every
// refusal of docs/spec/gateway-protocol.md, both give the same event or the same error (code,
// message, seq), and that answer is the one the protocol asks for. The differential fuzz target
// (tests/fuzz/gateway_line_fuzz.cpp) does the same on generated lines.
#include "acd/gateway_line.hpp"

#include <gtest/gtest.h>

#include "gateway_line_agreement.hpp"

namespace acd {
namespace {

using test::describe;
using test::disagreement;

struct Case {
    std::string line;
    std::string expected;  // describe() of the answer
};

// Checks one table: the reference answers as expected, and the parser as the reference.
void expect_agreement(const std::vector<Case>& cases) {
    GatewayLineParser parser;
    for (const Case& c : cases) {
        const auto reference = parse_gateway_line_reference(c.line, "gw1");
        EXPECT_EQ(describe(reference), c.expected) << c.line;
        const auto parsed = parser.parse(c.line, "gw1");
        const auto differs = disagreement(parsed, reference);
        EXPECT_FALSE(differs) << c.line << "\n  " << differs.value_or("");
    }
}

std::string offered(std::string_view extra = "") {
    return R"({"type":"call.offered","seq":1,"call_id":"c1","caller":"+35244112221","dialed":"100")" +
           std::string(extra) + "}";
}

const std::string kOfferedOk =
    R"(ok gw1 {"call_id":"c1","caller":"+35244112221","dialed":"100","seq":1,"type":"call.offered"})";

// --- events taken -----------------------------------------------------------------------------

TEST(GatewayLine, EveryEventTypeIsReadAsTheReferenceReadsIt) {
    expect_agreement({
        {offered(), kOfferedOk},
        {offered(R"(,"specialty":"cardiology","class":"urgent")"),
         R"(ok gw1 {"call_id":"c1","caller":"+35244112221","class":"urgent","dialed":"100","seq":1,"specialty":"cardiology","type":"call.offered"})"},
        {offered(R"(,"class":"appointment","quality_sample":true)"),
         R"(ok gw1 {"call_id":"c1","caller":"+35244112221","class":"appointment","dialed":"100","quality_sample":true,"seq":1,"type":"call.offered"})"},
        {offered(R"(,"class":"admin","quality_sample":false,"specialty":null)"),
         R"(ok gw1 {"call_id":"c1","caller":"+35244112221","class":"admin","dialed":"100","seq":1,"type":"call.offered"})"},
        {R"({"type":"call.answered","seq":2,"call_id":"c1","agent":"a1"})",
         R"(ok gw1 {"agent":"a1","call_id":"c1","seq":2,"type":"call.answered"})"},
        {R"({"type":"call.answered","seq":2,"call_id":"c1","agent":null})",
         R"(ok gw1 {"call_id":"c1","seq":2,"type":"call.answered"})"},
        {R"({"type":"call.no_answer","seq":3,"call_id":"c1","agent":"a1"})",
         R"(ok gw1 {"agent":"a1","call_id":"c1","seq":3,"type":"call.no_answer"})"},
        {R"({"type":"call.no_answer","seq":3,"call_id":"c1"})",
         R"(ok gw1 {"call_id":"c1","seq":3,"type":"call.no_answer"})"},
        {R"({"type":"call.ended","seq":4,"call_id":"c1","cause":"normal_clearing"})",
         R"(ok gw1 {"call_id":"c1","cause":"normal_clearing","seq":4,"type":"call.ended"})"},
        {R"({"type":"call.ended","seq":4,"call_id":"c1"})",
         R"(ok gw1 {"call_id":"c1","seq":4,"type":"call.ended"})"},
        {R"({"type":"agent.state","seq":5,"agent":"a1","state":"ready"})",
         R"(ok gw1 {"agent":"a1","seq":5,"state":"ready","type":"agent.state"})"},
        {R"({"type":"agent.state","seq":5,"agent":"a1","state":"paused","reason":"meeting"})",
         R"(ok gw1 {"agent":"a1","reason":"meeting","seq":5,"state":"paused","type":"agent.state"})"},
        {R"({"type":"agent.state","seq":5,"agent":"a1","state":"logged_out","reason":null})",
         R"(ok gw1 {"agent":"a1","seq":5,"state":"logged_out","type":"agent.state"})"},
    });
}

TEST(GatewayLine, UnknownExtraFieldsAreIgnoredWhateverTheyHold) {
    expect_agreement({
        {offered(R"(,"x":1,"y":-2.5e-3,"z":true,"n":null,"s":"\u00e9\ud83d\ude00\/")"), kOfferedOk},
        {offered(R"(,"headers":{"a":[1,{"b":[]},{}],"c":"d"},"list":[[],[[null]]])"), kOfferedOk},
        {offered(R"(,"big":18446744073709551616,"neg":-9223372036854775809,"tiny":1e-400)"),
         kOfferedOk},
        {offered(R"(,"zero":-0,"frac":0.000,"exp":1E+2,"max":1.7976931348623157e308)"), kOfferedOk},
    });
}

TEST(GatewayLine, KeyOrderSpacingEscapesAndAByteOrderMarkDoNotMatter) {
    expect_agreement({
        {R"( { "dialed" : "100" , "caller":"+35244112221","call_id":"c1","seq":1,)"
         "\t\"type\":\"call.offered\"}\r ",
         kOfferedOk},
        {R"({"t\u0079pe":"call.offered","seq":1,"call_id":"\u0063\u0031","caller":"+35244112221","dialed":"100"})",
         kOfferedOk},
        {"\xEF\xBB\xBF" + offered(), kOfferedOk},
        {R"({"type":"call.ended","seq":1,"call_id":"a\u0000b\"c\\"})",
         R"(ok gw1 {"call_id":"a\u0000b\"c\\","seq":1,"type":"call.ended"})"},
    });
}

TEST(GatewayLine, OfSeveralMembersWithOneKeyTheLastCounts) {
    expect_agreement({
        {R"({"type":"call.ended","seq":1,"call_id":"a","call_id":"b","seq":2})",
         R"(ok gw1 {"call_id":"b","seq":2,"type":"call.ended"})"},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","call_id":7})",
         "rejected bad_request: field 'call_id' must be a string (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":7,"call_id":"c1"})",
         R"(ok gw1 {"call_id":"c1","seq":1,"type":"call.ended"})"},
        {R"({"type":"call.ended","seq":"x","call_id":"c1","seq":3})",
         R"(ok gw1 {"call_id":"c1","seq":3,"type":"call.ended"})"},
    });
}

TEST(GatewayLine, SeqIsAnIntegerOfOneOrMore) {
    expect_agreement({
        {R"({"type":"call.ended","seq":18446744073709551615,"call_id":"c1"})",
         R"(ok gw1 {"call_id":"c1","seq":18446744073709551615,"type":"call.ended"})"},
    });
}

// --- refusals ---------------------------------------------------------------------------------

TEST(GatewayLine, ALineThatIsNotJsonIsBadJsonWithNullSeq) {
    const std::string bad = "bad_json: the line is not valid JSON";
    expect_agreement({
        {"", bad},
        {"   ", bad},
        {"garbage", bad},
        {"{", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1",})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1"}})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1"} {})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1"}x)", bad},
        {R"({"type":"call.ended" "seq":1})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":tru})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":nul})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":truex})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":nullx})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":falsey})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":-})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":1.5e+})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":0x10})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":[1true]})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":01})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":1.})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":.5})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":+1})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":1e})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":NaN})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":1e400})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":-1e309})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":)" + std::string(400, '9') + "}", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":[1 2]})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":[1,]})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":{"a"}})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":"\x"})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":"\ud800"})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","x":"\udc00\ud800"})", bad},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","\u12":1})", bad},
        {"{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c\x01\"}", bad},
        {"{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c\xff\"}", bad},
        {"{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c\xed\xa0\x80\"}", bad},
        {"{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c\xc0\xaf\"}", bad},
        {"\xEF\xBB{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c1\"}", bad},
        {" \xEF\xBB\xBF{\"type\":\"call.ended\",\"seq\":1,\"call_id\":\"c1\"}", bad},
    });
}

// nlohmann-json takes a zero byte outside strings as the end of its input: what follows is not
// read. The parser keeps that (such lines go to the reference).
TEST(GatewayLine, AZeroByteAfterTheObjectEndsTheLineAsForTheReference) {
    const std::string line = R"({"type":"call.ended","seq":1,"call_id":"c1"})";
    expect_agreement({
        {line + std::string(1, '\0'), R"(ok gw1 {"call_id":"c1","seq":1,"type":"call.ended"})"},
        {line + std::string(1, '\0') + "garbage",
         R"(ok gw1 {"call_id":"c1","seq":1,"type":"call.ended"})"},
        {std::string(1, '\0') + line, "bad_json: the line is not valid JSON"},
    });
}

TEST(GatewayLine, AJsonValueThatIsNotAnObjectIsBadJsonWithNullSeq) {
    const std::string bad = "bad_json: expected a JSON object";
    expect_agreement({{"[1,2]", bad}, {"\"call.ended\"", bad}, {"42", bad}, {"null", bad}});
}

TEST(GatewayLine, HelloAfterTheHandshakeIsAProtocolErrorWithItsSeq) {
    expect_agreement({
        {R"({"type":"hello","gateway":"gw1","protocol":1})",
         "protocol: hello is only the first line of a connection"},
        {R"({"type":"hello","seq":4})",
         "protocol: hello is only the first line of a connection (seq 4)"},
    });
}

TEST(GatewayLine, AMissingOrInvalidSeqIsABadRequestWithNullSeq) {
    const std::string bad = "bad_request: field 'seq' must be an integer of 1 or more";
    for (const char* seq :
         {"", R"(,"seq":0)", R"(,"seq":-4)", R"(,"seq":"5")", R"(,"seq":1.5)", R"(,"seq":1.0)",
          R"(,"seq":1e0)", R"(,"seq":-0)", R"(,"seq":null)", R"(,"seq":true)", R"(,"seq":[1])",
          R"(,"seq":{"n":1})", R"(,"seq":18446744073709551616)"}) {
        expect_agreement(
            {{R"({"type":"call.ended","call_id":"c1")" + std::string(seq) + "}", bad}});
    }
}

TEST(GatewayLine, BadFieldsAreRefusedWithTheirSeqAndTheFirstProblem) {
    expect_agreement({
        {R"({"seq":1})", "rejected bad_request: field 'type' must be a string (seq 1)"},
        {R"({"seq":1,"type":null})", "rejected bad_request: field 'type' must be a string (seq 1)"},
        {R"({"seq":1,"type":7})", "rejected bad_request: field 'type' must be a string (seq 1)"},
        {R"({"type":"call.parked","seq":1,"call_id":7})",
         "rejected bad_request: unknown event type 'call.parked' (seq 1)"},
        {R"({"type":"call.ended","seq":1})",
         "rejected bad_request: missing field 'call_id' (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":null})",
         "rejected bad_request: missing field 'call_id' (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":7})",
         "rejected bad_request: field 'call_id' must be a string (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":""})",
         "rejected bad_request: field 'call_id' must be 1 to 128 bytes (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":")" + std::string(129, 'x') + "\"}",
         "rejected bad_request: field 'call_id' must be 1 to 128 bytes (seq 1)"},
        {R"({"type":"call.ended","seq":1,"call_id":")" + std::string(128, 'x') + "\"}",
         R"(ok gw1 {"call_id":")" + std::string(128, 'x') + R"(","seq":1,"type":"call.ended"})"},
        {R"({"type":"call.ended","seq":1,"call_id":"c1","cause":5})",
         "rejected bad_request: field 'cause' must be a string (seq 1)"},
        {R"({"type":"call.offered","seq":1,"call_id":"c","dialed":"+1"})",
         "rejected bad_request: missing field 'caller' (seq 1)"},
        {R"({"type":"call.offered","seq":1,"call_id":"c","caller":"+1"})",
         "rejected bad_request: missing field 'dialed' (seq 1)"},
        {R"({"type":"call.offered","seq":1,"caller":5})",
         "rejected bad_request: missing field 'call_id' (seq 1)"},
        {offered(R"(,"caller":5)"),
         "rejected bad_request: field 'caller' must be a string (seq 1)"},
        {offered(R"(,"specialty":["cardiology"])"),
         "rejected bad_request: field 'specialty' must be a string (seq 1)"},
        {offered(R"(,"class":"vip")"),
         "rejected bad_request: field 'class': unknown class 'vip' (expected urgent, "
         "appointment or admin) (seq 1)"},
        {offered(R"(,"class":1)"), "rejected bad_request: field 'class' must be a string (seq 1)"},
        {offered(R"(,"quality_sample":"yes")"),
         "rejected bad_request: field 'quality_sample' must be true or false (seq 1)"},
        {offered(R"(,"class":"vip","quality_sample":1)"),
         "rejected bad_request: field 'class': unknown class 'vip' (expected urgent, "
         "appointment or admin) (seq 1)"},
        {R"({"type":"call.answered","seq":1,"call_id":"c","agent":5})",
         "rejected bad_request: field 'agent' must be a string (seq 1)"},
        {R"({"type":"call.no_answer","seq":1,"call_id":"c","agent":""})",
         "rejected bad_request: field 'agent' must be 1 to 64 bytes (seq 1)"},
        {R"({"type":"call.no_answer","seq":1,"call_id":"c","agent":")" + std::string(65, 'a') +
             "\"}",
         "rejected bad_request: field 'agent' must be 1 to 64 bytes (seq 1)"},
        {R"({"type":"agent.state","seq":1,"agent":"a1","state":"busy"})",
         "rejected bad_request: field 'state' must be ready, paused or logged_out, not 'busy' "
         "(seq 1)"},
        {R"({"type":"agent.state","seq":1,"agent":"a1","state":1})",
         "rejected bad_request: field 'state' must be a string (seq 1)"},
        {R"({"type":"agent.state","seq":1,"agent":"a1"})",
         "rejected bad_request: missing field 'state' (seq 1)"},
        {R"({"type":"agent.state","seq":1,"state":"ready"})",
         "rejected bad_request: missing field 'agent' (seq 1)"},
        {R"({"type":"agent.state","seq":1,"state":"busy"})",
         "rejected bad_request: missing field 'agent' (seq 1)"},
        {R"({"type":"agent.state","seq":1,"agent":"a1","state":"busy","reason":3})",
         "rejected bad_request: field 'reason' must be a string (seq 1)"},
        {R"({"type":"agent.state","seq":1,"agent":"a1","state":"ready","reason":{}})",
         "rejected bad_request: field 'reason' must be a string (seq 1)"},
    });
}

// --- what goes to the reference ---------------------------------------------------------------

// The parser settles every line of the events it takes and of their field refusals itself; only
// lines that are not JSON, are not objects, hold numbers at the edge of double's range or values
// nested deeper than 64 go to the reference (which answers them, as the tables above check).
TEST(GatewayLine, LinesOfEventsAndFieldRefusalsAreReadWithoutTheReference) {
    GatewayLineParser parser;
    for (const std::string& line : {offered(), offered(R"(,"x":{"a":[1,2.5,"s",null,true]})"),
                                    std::string(R"({"type":"agent.state","seq":1,"state":"busy"})"),
                                    std::string(R"({"type":"call.ended","seq":0,"call_id":"c1"})"),
                                    std::string(R"({"type":"hello","seq":4})")}) {
        (void)parser.parse(line, "gw1");
        EXPECT_EQ(parser.referred(), 0U) << line;
    }
}

TEST(GatewayLine, LinesTheParserDoesNotSettleGoToTheReference) {
    GatewayLineParser parser;
    const std::string deep = std::string(65, '[') + std::string(65, ']');
    const std::vector<std::string> lines = {"garbage", "[1,2]", offered(R"(,"x":1e400)"),
                                            offered(R"(,"x":9e308)"), offered(R"(,"x":)" + deep)};
    for (const std::string& line : lines) {
        const auto parsed = parser.parse(line, "gw1");
        EXPECT_FALSE(disagreement(parsed, parse_gateway_line_reference(line, "gw1"))) << line;
    }
    EXPECT_EQ(parser.referred(), lines.size());
}

// The parser keeps its buffers between lines: a long line, then a short one, reads right.
TEST(GatewayLine, ALongLineThenAShortOneAreBothReadWhole) {
    const std::string padding(65000, ' ');
    expect_agreement({
        {R"({"type":"call.ended","seq":1,"call_id":"c1")" + padding + "}",
         R"(ok gw1 {"call_id":"c1","seq":1,"type":"call.ended"})"},
        {R"({"type":"call.ended","seq":2,"call_id":"c2"})",
         R"(ok gw1 {"call_id":"c2","seq":2,"type":"call.ended"})"},
        {R"({"seq":3})", "rejected bad_request: field 'type' must be a string (seq 3)"},
    });
}

}  // namespace
}  // namespace acd
