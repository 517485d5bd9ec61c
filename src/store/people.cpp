// Personal data (the `pii` table, docs/storage.md "Personal data"): one sealed row per person,
// written here only, with one rule for every writer (the journal's callers, the agenda's
// patients), erased on request or after the retention period.
#include "module.hpp"
#include "store_impl.hpp"

namespace acd {
namespace {

// A person's last activity moves when it is an hour old or more: a caller who calls back within
// the hour writes nothing. Retention may then erase up to an hour early, never late.
constexpr std::int64_t kMoveSeenAfterMs = 60 * 60 * 1000;

// Fields that say more than the pseudonym already does (it is made of the phone number).
bool adds_to_pseudonym(const Json& fields) {
    return std::any_of(fields.items().begin(), fields.items().end(),
                       [](const auto& item) { return item.key() != "phone"; });
}

}  // namespace

Status Store::Impl::remember(std::string_view pseudonym, const Json& fields, Time active_until,
                             bool create) {
    find_person.bind(1, pseudonym);
    const bool known = find_person.step();
    std::string sealed;
    std::int64_t seen = 0;
    if (known) {
        sealed = std::string(find_person.blob(0));
        seen = find_person.int64(1);
    }
    find_person.reset();
    if (find_person.failed()) return find_person.error();
    if (!known) {
        if (!create) return {};  // activity of nobody we know
        return insert_person.bind(1, pseudonym)
            .bind_blob(2, key.seal(fields.dump(), pseudonym))
            .bind(3, ms(active_until))
            .run();
    }
    const std::int64_t next_seen = std::max(seen, ms(active_until));
    if (adds_to_pseudonym(fields)) {
        // A value that does not open (damage) is replaced by what is given now, rather than
        // blocking every booking of this person.
        const auto clear = key.open(sealed, pseudonym);
        Json before = clear ? Json::parse(*clear, nullptr, false) : Json();
        if (!before.is_object()) before = Json::object();
        Json merged = before;
        merged.update(fields);
        if (merged != before) {
            return reseal_person.bind_blob(1, key.seal(merged.dump(), pseudonym))
                .bind(2, next_seen)
                .bind(3, pseudonym)
                .run();
        }
    }
    if (next_seen - seen < kMoveSeenAfterMs) return {};
    return touch_person.bind(1, next_seen).bind(2, pseudonym).run();
}

Result<std::optional<std::string>> Store::personal_data(std::string_view pseudonym) {
    auto stmt = impl_->reader_db.prepare("SELECT sealed FROM pii WHERE pseudonym = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, pseudonym);
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return std::optional<std::string>{};
    }
    auto clear = impl_->key.open(stmt->blob(0), pseudonym);
    if (!clear) {
        return Error{ErrorCode::store,
                     "personal data of a pseudonym does not decrypt: wrong key or damage"};
    }
    return clear;
}

Result<bool> erase_personal_data(WriteContext& ctx, std::string_view pseudonym) {
    sql::Db& db = store::connection(ctx);
    auto stmt = db.prepare("DELETE FROM pii WHERE pseudonym = ?1");
    if (!stmt) return stmt.error();
    if (Status s = stmt->bind(1, pseudonym).run(); !s) return s.error();
    return sqlite3_changes(db.handle()) > 0;
}

Result<std::int64_t> erase_inactive_personal_data(WriteContext& ctx, Time before) {
    sql::Db& db = store::connection(ctx);
    auto stmt = db.prepare("DELETE FROM pii WHERE last_seen < ?1");
    if (!stmt) return stmt.error();
    if (Status s = stmt->bind(1, ms(before)).run(); !s) return s.error();
    return std::int64_t(sqlite3_changes(db.handle()));
}

namespace store {

Status remember_person(WriteContext& ctx, std::string_view pseudonym, const Json& fields,
                       Time active_until) {
    return ctx.impl().remember(pseudonym, fields, active_until, /*create=*/true);
}

Status touch_person(WriteContext& ctx, std::string_view pseudonym, Time at) {
    return ctx.impl().remember(pseudonym, Json::object(), at, /*create=*/false);
}

std::optional<Json> read_person(sql::Db& db, const PiiKey& key, std::string_view pseudonym) {
    auto stmt = db.prepare("SELECT sealed FROM pii WHERE pseudonym = ?1");
    if (!stmt || !stmt->bind(1, pseudonym).step()) return std::nullopt;
    const auto clear = key.open(stmt->blob(0), pseudonym);
    if (!clear) return std::nullopt;
    Json j = Json::parse(*clear, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return j;
}

}  // namespace store
}  // namespace acd
