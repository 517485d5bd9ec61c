// Internal to the agenda's commands (commands.cpp): the shape every change and every read takes,
// so that the skeleton around them (arguments, call, specialty, job, audit, answer) is written
// once. changes.cpp and reads.cpp hold one parser per command.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "acd/store.hpp"
#include "arguments.hpp"
#include "summaries.hpp"

namespace acd::agenda {

// What the parsers may look at, on the engine's thread.
struct ParseEnv {
    Time now{};
    const PiiKey& key;
    // The live call with this id (of `gateway` when not empty).
    std::function<std::optional<CallSnapshot>(const std::string& call_id,
                                              const std::string& gateway)>
        live_call;
    // Context::erasing.
    std::function<std::vector<LiveCallId>(const std::string& pseudonym,
                                          const std::string& unlinked)>
        erasing;
    // The site's zone: the times answers show are in it (config.md v1.1 `site.timezone`).
    ZoneRules zone;
};

// What a change produced, on the writer thread: the answer, what its audit record adds, what
// the subscribers and the summaries learn once it is durable.
struct Written {
    control::Answer answer;
    Json facts = Json::object();
    std::vector<Json> events;
    bool messages_changed = false;
    bool truncate_wal = false;  // an erasure: empty the log before answering
    std::function<void(Summaries&)> remember;
};
// The change itself, in a writer job; `actor` has its call resolved.
using Work = std::function<Result<Written>(WriteContext& ctx, const Actor& actor)>;

struct Change {
    bool by_required = true;
    bool during_call = true;  // `call_id` names the call it is made during: it must exist
    std::optional<std::string> specialty;  // must be configured
    Work work;
};
using ChangeParser = Change (*)(Arguments& args, const ParseEnv& env);

// A read, on the reader thread.
using ReadWork = std::function<Result<control::Answer>(Reader& reader)>;
struct Read {
    std::optional<std::string> specialty;  // must be configured
    ReadWork work;
};
using ReadParser = Read (*)(Arguments& args, const ParseEnv& env);

struct NamedChange {
    const char* name;
    ChangeParser parse;
};
struct NamedRead {
    const char* name;
    ReadParser parse;
};
extern const std::vector<NamedChange> kChanges;
extern const std::vector<NamedRead> kReads;

// A refusal decided by the agenda (slot_taken, unknown_slot, ...): answered, and recorded with
// its code like any change.
Written refused(const Error& refusal);
// A refusal as above, or a failure of the database, which fails the job.
Result<Written> refused_or_failed(const Error& error);

}  // namespace acd::agenda
