// Line framing and the hello line (include/acd/framing.hpp, docs/spec/gateway-protocol.md "Framing"
// and "Handshake"): the cap, "\r\n", and every refusal of a first line.
#include "acd/framing.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

namespace acd::net {
namespace {

// The lines a session takes from `bytes`, and whether it stopped on a line over the cap.
struct Cut {
    std::vector<std::string> lines;
    bool too_long = false;
};

Cut cut(std::string_view bytes) {
    Cut c;
    for (;;) {
        const LineCut next = next_line(bytes);
        if (next.status == LineCut::too_long) c.too_long = true;
        if (next.status != LineCut::line) return c;
        c.lines.emplace_back(next.content);
        bytes.remove_prefix(next.consumed);
    }
}

TEST(Framing, CutsAtNewlinesAndDropsOneCarriageReturn) {
    const Cut c = cut("a\nb\r\n\n\r\r\nc");
    EXPECT_EQ(c.lines, (std::vector<std::string>{"a", "b", "", "\r"}));
    EXPECT_FALSE(c.too_long);  // "c" waits for its '\n'
}

TEST(Framing, ALineAtTheCapIsTakenWithOrWithoutCarriageReturn) {
    const std::string at_cap(kMaxLineBytes, 'x');
    EXPECT_EQ(cut(at_cap + "\n").lines, std::vector<std::string>{at_cap});
    EXPECT_EQ(cut(at_cap + "\r\n").lines, std::vector<std::string>{at_cap});
}

TEST(Framing, ALineOverTheCapStopsTheConnection) {
    const std::string over(kMaxLineBytes + 1, 'x');
    EXPECT_TRUE(cut(over + "\n").too_long);
    EXPECT_TRUE(cut(over + "\r\n").too_long);
    // No '\n' in the first kMaxReadBytes bytes: refused before the rest arrives.
    EXPECT_TRUE(cut(std::string(kMaxReadBytes, 'x')).too_long);
    EXPECT_FALSE(cut(std::string(kMaxReadBytes - 1, 'x')).too_long);
    // The lines before the long one are still taken.
    const Cut c = cut("a\n" + over + "\nb\n");
    EXPECT_EQ(c.lines, std::vector<std::string>{"a"});
    EXPECT_TRUE(c.too_long);
}

TEST(Framing, LineContentChecksTheCapAfterStripping) {
    EXPECT_EQ(line_content("abc\r\n"), "abc");
    EXPECT_EQ(line_content("abc\n"), "abc");
    EXPECT_EQ(line_content(std::string(kMaxLineBytes, 'x') + "\r\n")->size(), kMaxLineBytes);
    EXPECT_FALSE(line_content(std::string(kMaxLineBytes + 1, 'x') + "\n"));
}

Hello hello(std::string_view line) {
    auto r = parse_hello(line);
    if (auto* refusal = std::get_if<HelloRefusal>(&r)) ADD_FAILURE() << refusal->message;
    return std::get<Hello>(r);
}

HelloRefusal refusal(std::string_view line) {
    auto r = parse_hello(line);
    if (!std::holds_alternative<HelloRefusal>(r)) ADD_FAILURE() << "accepted: " << line;
    return std::get<HelloRefusal>(r);
}

TEST(Hello, TakesTheGatewayAndTheOptionalToken) {
    EXPECT_EQ(hello(R"({"type":"hello","gateway":"gw1","protocol":1})"), (Hello{"gw1", {}}));
    EXPECT_EQ(hello(R"({"type":"hello","gateway":"gw1","protocol":1,"token":"s3cret","x":[]})"),
              (Hello{"gw1", "s3cret"}));
    EXPECT_EQ(hello(R"({"type":"hello","gateway":"gw1","protocol":1,"token":5})"),
              (Hello{"gw1", {}}));
    EXPECT_EQ(hello(R"({"type":"hello","gateway":")" + std::string(64, 'g') + R"(","protocol":1})")
                  .gateway.size(),
              64U);
}

TEST(Hello, AnythingButAHelloIsAProtocolError) {
    for (const char* line : {"", "not json", "[]", "{}", R"({"type":"call.offered","seq":1})",
                             R"({"type":["hello"],"gateway":"gw1","protocol":1})"}) {
        EXPECT_EQ(refusal(line).code, ErrorCode::protocol) << line;
    }
}

// Runs `f` on a thread with a 256 KiB stack: enough for any line, unless the stack used grows
// with what the line holds.
template <typename F>
void on_small_stack(F f) {
    pthread_attr_t attr;
    ASSERT_EQ(pthread_attr_init(&attr), 0);
    ASSERT_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
    pthread_t thread;
    ASSERT_EQ(pthread_create(
                  &thread, &attr,
                  [](void* arg) -> void* {
                      (*static_cast<F*>(arg))();
                      return nullptr;
                  },
                  &f),
              0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

// Seen while writing tests/fuzz (seed regress-hello-deep-type): the hello parser copied the
// type, and the copy recursed once per level of nesting (a stack overflow under AddressSanitizer
// with 16,000 levels; 32,000 fit in one line).
TEST(Hello, ADeeplyNestedTypeIsRefusedInBoundedStack) {
    const std::size_t depth = (kMaxLineBytes - 100) / 2;
    const std::string line = R"({"type":)" + std::string(depth, '[') + std::string(depth, ']') +
                             R"(,"gateway":"gw1","protocol":1})";
    ASSERT_LE(line.size(), kMaxLineBytes);
    ErrorCode code = ErrorCode::none;
    on_small_stack([&] {
        const auto r = parse_hello(line);
        if (const auto* refusal = std::get_if<HelloRefusal>(&r)) code = refusal->code;
    });
    EXPECT_EQ(code, ErrorCode::protocol);
}

TEST(Hello, TheGatewayIdIsAStringOfOneTo64Bytes) {
    for (const std::string& gateway : {std::string(R"("")"), std::string("5"), std::string("null"),
                                       '"' + std::string(65, 'g') + '"'}) {
        const auto r = refusal(R"({"type":"hello","protocol":1,"gateway":)" + gateway + "}");
        EXPECT_EQ(r.code, ErrorCode::protocol) << gateway;
        EXPECT_EQ(r.message, "hello needs 'gateway': a string of 1 to 64 bytes");
    }
    EXPECT_EQ(refusal(R"({"type":"hello","protocol":1})").code, ErrorCode::protocol);
}

TEST(Hello, OnlyProtocolOneIsSpoken) {
    for (const char* protocol : {"2", "0", R"("1")", "null", "[1]"}) {
        const std::string line =
            std::string(R"({"type":"hello","gateway":"gw1","protocol":)") + protocol + "}";
        EXPECT_EQ(refusal(line).code, ErrorCode::unsupported_protocol) << protocol;
    }
    EXPECT_EQ(refusal(R"({"type":"hello","gateway":"gw1"})").code, ErrorCode::unsupported_protocol);
}

}  // namespace
}  // namespace acd::net
