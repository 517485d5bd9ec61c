#include "seq_history.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace acd {

std::uint64_t SeqHistory::digest(const input::GatewayEvent& event) {
    // Each string with its length, so that no two different events write the same bytes.
    std::string bytes = std::to_string(event.body.index());
    const auto add = [&](std::string_view s) {
        bytes += std::to_string(s.size());
        bytes += ':';
        bytes += s;
    };
    const auto add_optional = [&](const std::optional<std::string>& s) {
        if (s) {
            add(*s);
        } else {
            bytes += '-';
        }
    };
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, input::CallOffered>) {
                add(b.call_id);
                add(b.caller);
                add(b.dialed);
                add_optional(b.specialty);
                bytes += b.call_class ? std::to_string(int(*b.call_class)) : "-";
                bytes += b.quality_sample ? 'q' : '-';
            } else if constexpr (std::is_same_v<T, input::CallAnswered> ||
                                 std::is_same_v<T, input::CallNoAnswer>) {
                add(b.call_id);
                add_optional(b.agent);
            } else if constexpr (std::is_same_v<T, input::CallEnded>) {
                add(b.call_id);
                add_optional(b.cause);
            } else if constexpr (std::is_same_v<T, input::AgentReport>) {
                add(b.agent);
                bytes += std::to_string(int(b.state));
                add(b.reason);
            } else {
                bytes += std::to_string(int(b.code));
                add(b.message);
            }
        },
        event.body);
    return std::hash<std::string>{}(bytes);
}

void SeqHistory::remember(std::uint64_t seq, std::uint64_t digest) {
    if (!events_.empty() && events_.back().first >= seq) return;
    events_.emplace_back(seq, digest);
    if (events_.size() > kSeqHistory) events_.pop_front();
}

bool SeqHistory::reused(std::uint64_t seq, std::uint64_t digest) const {
    const auto it = std::lower_bound(events_.begin(), events_.end(), seq,
                                     [](const std::pair<std::uint64_t, std::uint64_t>& e,
                                        std::uint64_t s) { return e.first < s; });
    return it != events_.end() && it->first == seq && it->second != digest;
}

}  // namespace acd
