// How acdctl shows a response (docs/acdctl.md): tables and short texts for people, the line as
// received for --json, and the exit status, all decided here in one place:
//
//   result 0 or 3 -> 0; result 1 -> 1; result 2 (unsupported) -> 2; a response that is not the
//   protocol's envelope -> 3. audit verify of a chain that does not verify -> 1.
#pragma once

#include <string>

#include "commands.hpp"

namespace acd::ctl {

// Exit statuses (documented in docs/acdctl.md and acdctl(8)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // acdd refused or failed the command
inline constexpr int kExitUsage = 2;        // usage error, or a command acdd does not support
inline constexpr int kExitUnreachable = 3;  // acdd could not be reached or did not answer

struct Shown {
    std::string out;  // for stdout
    std::string err;  // for stderr, each line starting "acdctl: " or indented
    int exit_code = kExitOk;
};

// `line` is the response as received; `json` is --json.
Shown show(const Invocation& invocation, const std::string& line, bool json);

}  // namespace acd::ctl
