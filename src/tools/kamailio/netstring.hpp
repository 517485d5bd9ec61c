// Netstrings ("LEN:payload,"), the framing of Kamailio's evapi socket (netstring_format=1).
//
// NetstringDecoder takes the bytes of a stream as they come, in pieces of any size, and yields
// each complete payload in order; several may arrive in one read, and one may span many reads.
// A malformed stream (a length that is not digits, has a leading zero or is longer than
// kMaxNetstring, or a payload not followed by ',') cannot be resynchronized: the decoder reports
// the error and stays failed; the caller closes the connection. Not thread-safe; no allocation
// beyond the pending bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace acd::kamailio {

// The largest payload taken: a Kamailio event or an acdd command is far smaller.
inline constexpr std::size_t kMaxNetstring = 65536;

class NetstringDecoder {
  public:
    // Appends bytes read from the stream.
    void feed(std::string_view bytes);
    // The next complete payload, or nullopt when more bytes are needed or the stream failed.
    std::optional<std::string> next();
    // Why the stream failed; empty while it is good.
    const std::string& error() const { return error_; }
    std::size_t pending() const { return buffer_.size() - start_; }

  private:
    bool fail(std::string why);

    std::string buffer_;
    std::size_t start_ = 0;  // bytes before it are consumed
    std::string error_;
};

// "LEN:payload,".
std::string encode_netstring(std::string_view payload);

}  // namespace acd::kamailio
