// What callers ask for besides an appointment: a place on the waiting list, a message for a
// practitioner, and its acknowledgement (agenda.hpp).
#include "rows.hpp"

namespace acd::agenda {

Result<std::int64_t> add_to_waitlist(WriteContext& ctx, const std::string& specialty,
                                     const PatientData& patient, const std::string& reason,
                                     std::optional<Time> before, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    auto pseudonym = remember(ctx, patient, actor.at);
    if (!pseudonym) return pseudonym.error();
    auto insert = db.prepare(
        "INSERT INTO waitlist (specialty, patient, reason, wanted_before, added_at, added_by, "
        "call_id, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting')");
    if (!insert) return insert.error();
    insert->bind(1, specialty)
        .bind(2, *pseudonym)
        .bind(3, reason)
        .bind(4, before ? std::optional<std::int64_t>(ms(*before)) : std::nullopt)
        .bind(5, ms(actor.at))
        .bind(6, actor.by)
        .bind(7, null_if_empty(actor.call_id));
    if (Status s = insert->run(); !s) return s.error();
    const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
    if (Status s = log_change(db, actor, *pseudonym, "waitlist-add", {{}, {}, id}); !s) {
        return s.error();
    }
    return id;
}

Result<std::int64_t> create_message(WriteContext& ctx, const MessageRequest& req,
                                    const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    auto pseudonym = remember(ctx, req.patient, actor.at);
    if (!pseudonym) return pseudonym.error();
    auto insert = db.prepare(
        "INSERT INTO messages (specialty, practitioner, patient, urgency, action_asked, reason, "
        "body, created_at, created_by, call_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert) return insert.error();
    insert->bind(1, req.specialty)
        .bind(2, null_if_empty(req.practitioner))
        .bind(3, *pseudonym)
        .bind(4, to_string(req.urgency))
        .bind(5, to_string(req.action))
        .bind(6, req.reason)
        .bind(7, req.body)
        .bind(8, ms(actor.at))
        .bind(9, actor.by)
        .bind(10, null_if_empty(actor.call_id));
    if (Status s = insert->run(); !s) return s.error();
    const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
    if (Status s = log_change(db, actor, *pseudonym, "message-create", {{}, id, {}}); !s) {
        return s.error();
    }
    return id;
}

Result<Message> acknowledge(WriteContext& ctx, std::int64_t message_id, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Message>(db, [&]() -> Result<Message> {
        auto loaded = load_message(db, ctx.key(), message_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_message, fmt::format("no message {}", message_id)};
        }
        const Message& m = (*loaded)->first;
        if (m.acknowledged_at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("message {} is acknowledged already", m.id)};
        }
        auto update = db.prepare(
            "UPDATE messages SET acknowledged_at = ?2, acknowledged_by = ?3 WHERE id = ?1");
        if (!update) return update.error();
        if (Status s = update->bind(1, m.id).bind(2, ms(actor.at)).bind(3, actor.by).run(); !s) {
            return s.error();
        }
        const std::string& pseudonym = (*loaded)->second;
        if (Status s = touch(ctx, pseudonym, actor.at); !s) return s.error();
        if (Status s = log_change(db, actor, pseudonym, "message-ack", {{}, m.id, {}}); !s) {
            return s.error();
        }
        auto after = load_message(db, ctx.key(), m.id);
        if (!after) return after.error();
        return (*after)->first;
    });
}

}  // namespace acd::agenda
