#include "recovery.hpp"

#include <fmt/format.h>

#include "acd/snapshot.hpp"
#include "journal.hpp"

namespace acd {

Result<Recovered> recover(Store& store) {
    Recovered r;
    auto snapshot = store.latest_snapshot();
    if (!snapshot) return snapshot.error();
    if (*snapshot) {
        auto engine = restore_engine((*snapshot)->state);
        // A snapshot that does not restore is not fatal: the whole log is replayed instead.
        if (engine) {
            r.engine = std::move(*engine);
            r.snapshot_id = (*snapshot)->audit_id;
        }
    }
    std::string failure;
    Status s = store.read_records(r.snapshot_id, RecordKind::input, [&](const AuditRecord& rec) {
        auto input = input_from_record(rec);
        if (!input) {
            failure = fmt::format("audit record {} ({}) cannot be replayed", rec.id, rec.type);
            return false;
        }
        if (auto* config = std::get_if<input::Reconfigure>(&*input); config && !r.engine) {
            r.engine = std::make_unique<Engine>(config->config);
        } else if (!r.engine) {
            failure = fmt::format("audit record {} comes before any configuration record", rec.id);
            return false;
        } else {
            r.engine->handle(*input, rec.at);
        }
        ++r.replayed;
        return true;
    });
    if (!s) return s.error();
    if (!failure.empty()) return Error{ErrorCode::store, failure};
    return r;
}

Result<std::vector<std::pair<agenda::LiveCallId, std::string>>> unlinked_live_calls(
    Store& store, const Engine& engine) {
    std::vector<std::pair<agenda::LiveCallId, std::string>> out;
    for (const CallSnapshot& c : engine.calls()) {
        auto records = store.records_for_call(c.gateway, c.call_id);
        if (!records) return records.error();
        std::optional<std::string> unlinked;
        for (const AuditRecord& r : *records) {
            if (r.type == "call.offered") unlinked.reset();  // a call of the same id before
            if (r.kind != RecordKind::action || r.type != agenda::kCallUnlinkRecord) continue;
            const Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
            if (body.is_object() && body.contains("unlinked") && body["unlinked"].is_string()) {
                unlinked = body["unlinked"].get<std::string>();
            }
        }
        if (unlinked) out.push_back({{c.gateway, c.call_id}, *unlinked});
    }
    return out;
}

}  // namespace acd
