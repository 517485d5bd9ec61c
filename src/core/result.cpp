#include "acd/result.hpp"

#include <array>

namespace acd {
namespace {

constexpr std::array<std::string_view, 25> kErrorWords = {"none",
                                                          "bad_request",
                                                          "unknown_call",
                                                          "unknown_agent",
                                                          "unknown_specialty",
                                                          "duplicate_call",
                                                          "invalid_state",
                                                          "seq_reused",
                                                          "bad_json",
                                                          "line_too_long",
                                                          "protocol",
                                                          "unsupported_protocol",
                                                          "unauthorized",
                                                          "unsupported",
                                                          "forbidden",
                                                          "invalid_config",
                                                          "too_slow",
                                                          "unknown_slot",
                                                          "unknown_appointment",
                                                          "unknown_message",
                                                          "slot_taken",
                                                          "slot_overlap",
                                                          "store",
                                                          "io_error",
                                                          "internal"};
static_assert(kErrorWords.size() == std::size_t(ErrorCode::internal) + 1);

}  // namespace

std::string_view to_string(ErrorCode code) {
    return kErrorWords[static_cast<std::size_t>(code)];
}

std::optional<ErrorCode> parse_error_code(std::string_view word) {
    for (std::size_t i = 0; i < kErrorWords.size(); ++i) {
        if (kErrorWords[i] == word) return static_cast<ErrorCode>(i);
    }
    return std::nullopt;
}

}  // namespace acd
