// `acdctl watch`: the live wallboard (docs/acdctl.md "watch").
//
// Two connections to acdd: one subscribed to calls, agents, queues and alerts, one for requests
// (the initial lists, status-get's alerts, and queue-get for deadlines). Active alerts show
// under the title. The picture is redrawn at most four times a
// second on changes, and once a second for the clocks. When the subscription ends (acdd drops a
// subscriber that falls behind, or restarts) the wallboard subscribes again and takes
// fresh lists; while acdd cannot be reached it says so and retries.
//
// On a terminal it draws in the alternate screen with ANSI escapes and restores the terminal on
// Ctrl-C, SIGTERM or SIGHUP; it follows the terminal's size. Otherwise (a pipe, a log) it prints
// a whole frame after each change, and its notices also go to stderr.
#pragma once

#include <chrono>
#include <string>

#include "commands.hpp"

namespace acd::ctl {

// Returns the exit status: 0 after Ctrl-C or, with --once, after the frame; 3 when acdd
// cannot be reached for --once; 1 when acdd refuses a request of --once.
int run_watch(const std::string& socket, const WatchOptions& options,
              std::chrono::milliseconds timeout);

}  // namespace acd::ctl
