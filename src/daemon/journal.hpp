// The journal: how engine inputs and outputs become audit records, and how logged inputs become
// engine inputs again on recovery. docs/storage.md lists the record types.
#pragma once

#include <optional>
#include <vector>

#include "acd/codec.hpp"
#include "acd/engine.hpp"
#include "acd/store.hpp"

namespace acd {

// Who issued an admin command: the peer's credentials (SO_PEERCRED).
struct Peer {
    std::int64_t uid = -1;
    std::int64_t gid = -1;
};

// The record of an engine input: a gateway event (type = the event type, or "rejected"), an
// admin command (type = the command, with the peer's uid and gid), "tick", or "config".
AuditRecord input_record(const Input& input, Time at, const std::optional<Peer>& peer = {});

// The records of an output's changes (kind output), appended to `out`.
void append_change_records(const Output& output, std::vector<AuditRecord>& out);

// The input a logged input record stands for; nullopt when the record is not an engine input or
// cannot be read (a damaged log: recovery stops there).
std::optional<Input> input_from_record(const AuditRecord& record);

}  // namespace acd
