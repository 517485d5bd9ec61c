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

}  // namespace acd
