// What a gateway sent under its last sequence numbers, to tell a resent event (the same content)
// from a new event that reuses a seq (gateway-protocol.md v1.1, `seq_reused`): a gateway bug that
// would otherwise lose a call without a word.
//
// Holds a 64-bit digest of each event (never its content: the caller's number stays out of
// memory) for the last kSeqHistory events of one gateway. Not thread-safe (the io thread's).
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "acd/engine.hpp"

namespace acd {

inline constexpr std::size_t kSeqHistory = 1000;

class SeqHistory {
  public:
    // The digest of an event as acdd reads it and records it: its type and fields (the key order,
    // the spacing and the extra fields the protocol ignores do not count; for a refused event,
    // its refusal).
    static std::uint64_t digest(const input::GatewayEvent& event);

    // Remembers the event applied under `seq` (seqs come in increasing order).
    void remember(std::uint64_t seq, std::uint64_t digest);
    // True when `seq` is held and was applied with another content.
    bool reused(std::uint64_t seq, std::uint64_t digest) const;

  private:
    std::deque<std::pair<std::uint64_t, std::uint64_t>> events_;  // (seq, digest), by seq
};

}  // namespace acd
