// Slots and appointments: open, book, cancel, move, and the reminder sent (agenda.hpp).
#include "rows.hpp"

namespace acd::agenda {

// ---------------------------------------------------------------------------------------------

Result<std::vector<std::int64_t>> open_slots(WriteContext& ctx, const SlotRequest& req,
                                             const Actor& actor) {
    using Ids = std::vector<std::int64_t>;
    sql::Db& db = store::connection(ctx);
    return atomically<Ids>(db, [&]() -> Result<Ids> {
        // Bounded below by the longest slot allowed, so that the index range stays short.
        auto overlap = db.prepare(
            "SELECT id FROM slots WHERE practitioner = ?1 AND starts_at < ?2 AND "
            "starts_at > ?3 - 1440 * 60000 AND starts_at + duration_min * 60000 > ?3 LIMIT 1");
        auto insert = db.prepare(
            "INSERT INTO slots (specialty, practitioner, starts_at, duration_min, opened_at, "
            "opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!overlap) return overlap.error();
        if (!insert) return insert.error();
        const Duration length = std::chrono::minutes(req.duration_min);
        Ids ids;
        for (std::int64_t i = 0; i < req.count; ++i) {
            const Time start = req.start + length * i;
            overlap->bind(1, req.practitioner).bind(2, ms(start + length)).bind(3, ms(start));
            const bool clash = overlap->step();
            const std::int64_t other = clash ? overlap->int64(0) : 0;
            if (overlap->failed()) return overlap->error();
            overlap->reset();
            if (clash) {
                return Error{ErrorCode::slot_overlap,
                             fmt::format("a slot at {} would overlap slot {} of {}",
                                         format_utc(start), other, req.practitioner)};
            }
            insert->bind(1, req.specialty)
                .bind(2, req.practitioner)
                .bind(3, ms(start))
                .bind(4, req.duration_min)
                .bind(5, ms(actor.at))
                .bind(6, actor.by);
            if (Status s = insert->run(); !s) return s.error();
            ids.push_back(sqlite3_last_insert_rowid(db.handle()));
        }
        return ids;
    });
}

Result<Appointment> book(WriteContext& ctx, std::int64_t slot_id, const PatientData& patient,
                         const std::string& reason, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Appointment>(db, [&]() -> Result<Appointment> {
        auto slot = load_slot(db, slot_id);
        if (!slot) return slot.error();
        if (!*slot) return Error{ErrorCode::unknown_slot, fmt::format("no slot {}", slot_id)};
        const Slot& s = **slot;
        if (s.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("slot {} has already started", slot_id)};
        }
        // The check that makes booking conflict-free: it runs on the writer thread, inside the
        // transaction that inserts, so no other booking can come between the two.
        if (s.appointment_id) {
            return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken by appointment {}",
                                                            slot_id, *s.appointment_id)};
        }
        auto pseudonym = remember(ctx, patient, std::max(actor.at, s.start));
        if (!pseudonym) return pseudonym.error();
        auto insert = db.prepare(
            "INSERT INTO appointments (slot_id, patient, reason, status, booked_at, booked_by, "
            "call_id) VALUES (?1, ?2, ?3, 'booked', ?4, ?5, ?6)");
        if (!insert) return insert.error();
        insert->bind(1, slot_id)
            .bind(2, *pseudonym)
            .bind(3, reason)
            .bind(4, ms(actor.at))
            .bind(5, actor.by)
            .bind(6, null_if_empty(actor.call_id));
        if (Status st = insert->run(); !st) {
            // The unique index is the second line of defence: should the check above ever be
            // bypassed, the database itself refuses a second booking of the slot.
            if (unique_violation(db)) {
                return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken", slot_id)};
            }
            return st.error();
        }
        const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
        auto served = db.prepare(
            "UPDATE waitlist SET status = 'booked', appointment_id = ?1 "
            "WHERE patient = ?2 AND specialty = ?3 AND status = 'waiting'");
        if (!served) return served.error();
        if (Status st = served->bind(1, id).bind(2, *pseudonym).bind(3, s.specialty).run(); !st) {
            return st.error();
        }
        if (Status st = log_change(db, actor, *pseudonym, "appointment-book", {id, {}, {}}); !st) {
            return st.error();
        }
        auto loaded = load_appointment(db, ctx.key(), id);
        if (!loaded) return loaded.error();
        return (*loaded)->appointment;
    });
}

Result<Cancelled> cancel(WriteContext& ctx, std::int64_t appointment_id, const std::string& reason,
                         const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Cancelled>(db, [&]() -> Result<Cancelled> {
        auto loaded =
            upcoming_appointment(db, ctx.key(), appointment_id, actor.at, "is cancelled already");
        if (!loaded) return loaded.error();
        const Appointment& a = loaded->appointment;
        auto update = db.prepare(
            "UPDATE appointments SET status = 'cancelled', cancelled_at = ?2, cancelled_by = ?3, "
            "cancel_reason = ?4 WHERE id = ?1");
        if (!update) return update.error();
        if (Status st =
                update->bind(1, a.id).bind(2, ms(actor.at)).bind(3, actor.by).bind(4, reason).run();
            !st) {
            return st.error();
        }
        const std::string& pseudonym = loaded->pseudonym;
        if (Status st = touch(ctx, pseudonym, actor.at); !st) return st.error();
        if (Status st = log_change(db, actor, pseudonym, "appointment-cancel", {a.id, {}, {}});
            !st) {
            return st.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        auto freed = freed_slot(db, ctx.key(), a.slot.id);
        if (!freed) return freed.error();
        return Cancelled{(*after)->appointment, std::move(*freed)};
    });
}

Result<Moved> move(WriteContext& ctx, std::int64_t appointment_id, std::int64_t slot_id,
                   const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Moved>(db, [&]() -> Result<Moved> {
        auto loaded = upcoming_appointment(db, ctx.key(), appointment_id, actor.at, "is cancelled");
        if (!loaded) return loaded.error();
        const Appointment& a = loaded->appointment;
        auto target = load_slot(db, slot_id);
        if (!target) return target.error();
        if (!*target) return Error{ErrorCode::unknown_slot, fmt::format("no slot {}", slot_id)};
        const Slot& s = **target;
        if (s.id == a.slot.id) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is in slot {} already", a.id, s.id)};
        }
        if (s.specialty != a.slot.specialty) {
            return Error{ErrorCode::bad_request,
                         fmt::format("slot {} is in {}, appointment {} in {}", s.id, s.specialty,
                                     a.id, a.slot.specialty)};
        }
        if (s.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("slot {} has already started", s.id)};
        }
        if (s.appointment_id) {
            return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken by appointment {}",
                                                            s.id, *s.appointment_id)};
        }
        auto update = db.prepare(
            "UPDATE appointments SET slot_id = ?2, reminder_sent_at = NULL WHERE id = ?1");
        if (!update) return update.error();
        if (Status st = update->bind(1, a.id).bind(2, s.id).run(); !st) {
            if (unique_violation(db)) {
                return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken", s.id)};
            }
            return st.error();
        }
        const std::string& pseudonym = loaded->pseudonym;
        if (Status st = touch(ctx, pseudonym, std::max(actor.at, s.start)); !st) {
            return st.error();
        }
        if (Status st = log_change(db, actor, pseudonym, "appointment-move", {a.id, {}, {}}); !st) {
            return st.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        auto freed = freed_slot(db, ctx.key(), a.slot.id);
        if (!freed) return freed.error();
        return Moved{(*after)->appointment, std::move(*freed)};
    });
}

Result<Appointment> mark_reminder_sent(WriteContext& ctx, std::int64_t appointment_id,
                                       const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Appointment>(db, [&]() -> Result<Appointment> {
        auto loaded = load_appointment(db, ctx.key(), appointment_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_appointment,
                         fmt::format("no appointment {}", appointment_id)};
        }
        const Appointment& a = (*loaded)->appointment;
        if (a.status != AppointmentStatus::booked) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is cancelled", a.id)};
        }
        if (a.reminder_sent_at) return a;  // a retry of the sender
        auto update = db.prepare("UPDATE appointments SET reminder_sent_at = ?2 WHERE id = ?1");
        if (!update) return update.error();
        if (Status s = update->bind(1, a.id).bind(2, ms(actor.at)).run(); !s) {
            return s.error();
        }
        if (Status s = log_change(db, actor, (*loaded)->pseudonym, "reminder-sent", {a.id, {}, {}});
            !s) {
            return s.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        return (*after)->appointment;
    });
}

}  // namespace acd::agenda
