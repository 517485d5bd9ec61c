// Differential libFuzzer target (docs/fuzzing.md): the gateway line parser the sessions run
// (include/acd/gateway_line.hpp, simdjson On-Demand) against its reference (nlohmann-json and
// parse_gateway_event()). The bytes are cut into lines as a session cuts them
// (include/acd/framing.hpp); every line goes to both, and any difference in the event or in the
// refusal (code, message, seq) traps, so that libFuzzer keeps the line.
//
// One parser serves every input, as one serves every line of a gateway server: what it keeps
// between lines (its buffers) is fuzzed too.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "../unit/gateway_line_agreement.hpp"
#include "acd/framing.hpp"
#include "acd/gateway_line.hpp"

namespace {

using namespace acd;

[[noreturn]] void violated(const char* property, const std::string& detail) {
    std::fprintf(stderr, "\nacd fuzz: property violated: %s\n  %s\n", property, detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

void check_line(GatewayLineParser& parser, std::string_view line) {
    const auto parsed = parser.parse(line, "gw1");
    const auto reference = parse_gateway_line_reference(line, "gw1");
    if (const auto differs = test::disagreement(parsed, reference)) {
        violated("the parser and its reference agree on every line", *differs);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static GatewayLineParser parser;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        // The whole input is a line too: inputs without a '\n' are the ones mutated most.
        if (bytes.size() <= kMaxLineBytes) check_line(parser, bytes);
        for (;;) {
            const LineCut cut = next_line(bytes);
            if (cut.status != LineCut::line) break;
            bytes.remove_prefix(cut.consumed);
            check_line(parser, cut.content);
        }
    } catch (const std::exception& e) {
        violated("nothing throws", e.what());
    }
    return 0;
}
