// The journal: how engine inputs and outputs become audit records, and how logged inputs become
// engine inputs again on recovery. docs/storage.md lists the record types.
#pragma once

#include <optional>
#include <vector>

#include "acd/codec.hpp"
#include "acd/control.hpp"
#include "acd/engine.hpp"
#include "acd/store.hpp"

namespace acd {

// The record of an engine input: a gateway event (type = the event type, or "rejected"), an
// admin command (type = the command, with its caller's uid and gid), "tick", or "config".
AuditRecord input_record(const Input& input, Time at, const control::Caller* caller = nullptr);

// Puts an output's changes into the record of its input: `changes`, a JSON array of
// {"change": <the change's body>, "type": <its type>} (with "at" when its time is not the
// input's), and the calls and agents they mention, for the store's side indexes.
void add_changes(const Output& output, AuditRecord& record);

// Applies `input` at `at` as the daemon does: timers due by then fire first as their own tick
// (so that their effects are journaled whatever happens to the input), then the input.
// `each(input, output)` is called for the tick, if one ran, and for the input.
template <typename Each>
void apply_with_timers(Engine& engine, const Input& input, Time at, Each&& each) {
    const auto due = engine.next_timer();
    if (due && *due <= at && !std::holds_alternative<input::Tick>(input)) {
        const Input tick = input::Tick{};
        each(tick, engine.handle(tick, at));
    }
    each(input, engine.handle(input, at));
}

// Whether an input and its output go to the journal: a duplicate changes nothing, nor does a
// tick without changes; replay without them gives the same state.
bool journaled(const Input& input, const Output& output);

// The batch that journals one input: its record, its changes in it, the calls it finished.
WriteBatch journal_batch(const Input& input, const Output& output, Time at,
                         const control::Caller* caller = nullptr);

// The input a logged input record stands for; nullopt when the record is not an engine input or
// cannot be read (a damaged log: recovery stops there).
std::optional<Input> input_from_record(const AuditRecord& record);

}  // namespace acd
