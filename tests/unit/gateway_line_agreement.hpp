// Whether the gateway line parser and its reference (include/acd/gateway_line.hpp) agree on a
// line: the same event, or the same refusal (code, message, seq). Shared by the unit test and the
// differential fuzz target.
#pragma once

#include <optional>
#include <string>

#include "acd/gateway_line.hpp"

namespace acd::test {

using LineResult = Result<input::GatewayEvent, DecodeError>;

// "ok seq 3 {...}" for an event (its wire form, or its refusal), "bad_json: ..." for an error.
inline std::string describe(const LineResult& r) {
    if (!r) {
        const DecodeError& e = r.error();
        std::string s = std::string(to_string(e.code)) + ": " + e.message;
        if (e.seq) s += " (seq " + std::to_string(*e.seq) + ")";
        return s;
    }
    if (const auto* rejected = std::get_if<input::Rejected>(&r->body)) {
        return "rejected " + std::string(to_string(rejected->code)) + ": " + rejected->message +
               " (seq " + std::to_string(r->seq) + ")";
    }
    return "ok " + r->gateway + " " +
           to_json(*r).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// nullopt when both say the same; else what each said.
inline std::optional<std::string> disagreement(const LineResult& parsed,
                                               const LineResult& reference) {
    bool same = parsed.ok() == reference.ok();
    if (same && parsed.ok()) {
        same = *parsed == *reference;
    } else if (same) {
        const DecodeError &a = parsed.error(), &b = reference.error();
        same = a.code == b.code && a.message == b.message && a.seq == b.seq;
    }
    if (same) return std::nullopt;
    return "parser: " + describe(parsed) + "\n  reference: " + describe(reference);
}

}  // namespace acd::test
