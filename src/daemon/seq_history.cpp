#include "seq_history.hpp"

#include <algorithm>
#include <functional>
#include <string>

namespace acd {

std::uint64_t SeqHistory::digest(const Json& event) {
    return std::hash<std::string>{}(event.dump());
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
