// libFuzzer target for acd-kamailio's evapi side (docs/fuzzing.md): the bytes are what Kamailio
// sends on one evapi connection. They go through the netstring decoder in pieces whose sizes the
// input's first bytes choose (as reads would cut them), and every payload through
// from_kamailio(), what the bridge does with it. Properties that must hold for any bytes are
// checked; a violated one traps, so that libFuzzer keeps the input that broke it.
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "netstring.hpp"
#include "translate.hpp"

namespace {

using namespace acd::kamailio;

[[noreturn]] void violated(const char* property, const std::string& detail) {
    std::fprintf(stderr, "\nacd fuzz: property violated: %s\n  %s\n", property, detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

#define ACD_CHECK(property, detail)                     \
    do {                                                \
        if (!(property)) violated(#property, (detail)); \
    } while (false)

struct Decoded {
    std::vector<std::string> payloads;
    bool failed = false;
};

// Feeds `stream` in pieces of the sizes in `cuts` (cycled; 0 means 1), draining after each.
Decoded decode(std::string_view stream, std::string_view cuts) {
    NetstringDecoder d;
    Decoded out;
    std::size_t at = 0;
    std::size_t i = 0;
    while (at < stream.size()) {
        std::size_t n =
            cuts.empty() ? stream.size() : static_cast<unsigned char>(cuts[i++ % cuts.size()]);
        n = std::max<std::size_t>(n, 1);
        n = std::min(n, stream.size() - at);
        d.feed(stream.substr(at, n));
        at += n;
        while (auto p = d.next()) {
            ACD_CHECK(!out.failed, "a payload came after the stream failed");
            ACD_CHECK(p->size() <= kMaxNetstring, std::to_string(p->size()));
            out.payloads.push_back(std::move(*p));
        }
        if (!d.error().empty()) out.failed = true;
    }
    return out;
}

void check_translation(const std::string& payload) {
    const FromKamailio r = from_kamailio(payload);
    if (r.event) {
        ACD_CHECK(r.event->is_object(), payload);
        const auto line = event_line(*r.event, 7);
        ACD_CHECK(!line.empty() && line.back() == '\n', line);
        ACD_CHECK(line.find('\n') == line.size() - 1, "an event line holds a newline: " + line);
        const auto back = nlohmann::json::parse(line, nullptr, false);
        ACD_CHECK(back.is_object() && back["seq"] == 7, line);
        const std::string type = back.value("type", "");
        if (type != "agent.state") {
            const std::string id = back.value("call_id", "");
            ACD_CHECK(!id.empty() && id.size() <= kMaxCallId, line);
        }
        if (type == "call.offered" && back.contains("class")) {
            const std::string c = back.value("class", "");
            ACD_CHECK(c == "urgent" || c == "appointment" || c == "admin", line);
        }
    }
    if (r.reply) {
        const auto j = nlohmann::json::parse(*r.reply, nullptr, false);
        ACD_CHECK(j.is_object() && j.value("type", "") == "call.reject", *r.reply);
    }
    ACD_CHECK(r.event || !r.problem.empty(), "a refused message without a reason: " + payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // The first byte says how many of the next bytes are read sizes; the rest is the stream.
    const std::size_t ncuts = input.empty() ? 0 : static_cast<unsigned char>(input[0]) % 8;
    const std::string_view cuts =
        input.substr(std::min<std::size_t>(1, input.size()),
                     std::min(ncuts, input.size() > 0 ? input.size() - 1 : 0));
    const std::string_view stream = input.substr(std::min(input.size(), 1 + cuts.size()));

    const Decoded pieces = decode(stream, cuts);
    const Decoded whole = decode(stream, {});
    // How reads cut the stream changes nothing.
    ACD_CHECK(pieces.payloads == whole.payloads, "payloads depend on how the stream is cut");
    ACD_CHECK(pieces.failed == whole.failed, "failure depends on how the stream is cut");
    // The payloads, encoded again, are the start of the stream.
    std::string again;
    for (const auto& p : whole.payloads)
        again += encode_netstring(p);
    ACD_CHECK(stream.substr(0, again.size()) == again,
              "re-encoded payloads differ from the stream");
    for (const auto& p : whole.payloads)
        check_translation(p);
    return 0;
}
