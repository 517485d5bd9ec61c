#include "net/error_log.hpp"

#include "acd/log.hpp"

namespace acd::net {
namespace {

std::string_view or_unnamed(std::string_view gateway) {
    return gateway.empty() ? std::string_view("(before hello)") : gateway;
}

}  // namespace

void ErrorLog::sent(std::string_view gateway, const Json& error, Clock::time_point now) {
    if (now - window_start_ >= std::chrono::seconds(1)) {
        flush(gateway);
        window_start_ = now;
        in_window_ = 0;
    }
    if (in_window_ >= kErrorLinesPerSecond) {
        ++left_out_;
        return;
    }
    ++in_window_;
    const Json seq = error.value("seq", Json());
    log_warning("gateway.error", "gateway {} seq {} code {}: {}", or_unnamed(gateway),
                seq.is_number_unsigned() ? seq.dump() : "null", error.value("code", ""),
                error.value("message", ""));
}

void ErrorLog::flush(std::string_view gateway) {
    if (left_out_ == 0) return;
    log_warning("gateway.error", "gateway {}: {} more error line(s) left out", or_unnamed(gateway),
                left_out_);
    left_out_ = 0;
}

}  // namespace acd::net
