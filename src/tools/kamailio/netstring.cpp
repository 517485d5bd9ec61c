#include "netstring.hpp"

#include <fmt/format.h>

namespace acd::kamailio {

namespace {
// Digits of kMaxNetstring, the longest length prefix taken.
constexpr std::size_t kMaxLengthDigits = 5;
}  // namespace

void NetstringDecoder::feed(std::string_view bytes) {
    if (!error_.empty()) return;
    // Drop what was consumed before growing, so that the buffer stays one frame long.
    if (start_ > 0 && start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ > 4096 && start_ * 2 > buffer_.size()) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

bool NetstringDecoder::fail(std::string why) {
    error_ = std::move(why);
    buffer_.clear();
    start_ = 0;
    return false;
}

std::optional<std::string> NetstringDecoder::next() {
    if (!error_.empty()) return std::nullopt;
    const std::string_view rest = std::string_view(buffer_).substr(start_);
    std::size_t length = 0;
    std::size_t i = 0;
    for (; i < rest.size() && rest[i] != ':'; ++i) {
        const char c = rest[i];
        if (c < '0' || c > '9') {
            fail(fmt::format("netstring length has a non-digit byte 0x{:02x}",
                             static_cast<unsigned char>(c)));
            return std::nullopt;
        }
        if (i >= kMaxLengthDigits) {
            fail("netstring length has too many digits");
            return std::nullopt;
        }
        length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (i == rest.size()) return std::nullopt;  // the length is not complete yet
    if (i == 0) {
        fail("netstring has an empty length");
        return std::nullopt;
    }
    if (i > 1 && rest[0] == '0') {
        // "0101:" would read as 101; a netstring's length has no leading zero.
        fail("netstring length has a leading zero");
        return std::nullopt;
    }
    if (length > kMaxNetstring) {
        fail(fmt::format("netstring of {} bytes is longer than {}", length, kMaxNetstring));
        return std::nullopt;
    }
    const std::size_t frame = i + 1 + length + 1;  // "LEN" ":" payload ","
    if (rest.size() < frame) return std::nullopt;
    if (rest[frame - 1] != ',') {
        fail("netstring payload is not followed by ','");
        return std::nullopt;
    }
    std::string payload(rest.substr(i + 1, length));
    start_ += frame;
    return payload;
}

std::string encode_netstring(std::string_view payload) {
    std::string out = fmt::format("{}:", payload.size());
    out.append(payload);
    out.push_back(',');
    return out;
}

}  // namespace acd::kamailio
