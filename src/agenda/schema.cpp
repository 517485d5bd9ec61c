// The agenda's tables (docs/storage.md): created and migrated by the store when it opens
// (StoreOptions::modules). Patients are pseudonyms; their personal data stays in the store's own
// table. Times in ms since the epoch, UTC.
#include "acd/agenda.hpp"

namespace acd::agenda {

SchemaModule schema() {
    return {"agenda",
            {// 1: acdd 0.1.0 created these in the store's migration 2: IF NOT EXISTS finds them.
             R"sql(
CREATE TABLE IF NOT EXISTS slots (
  id           INTEGER PRIMARY KEY,
  specialty    TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  starts_at    INTEGER NOT NULL,
  duration_min INTEGER NOT NULL CHECK (duration_min > 0),
  opened_at    INTEGER NOT NULL,
  opened_by    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS slots_by_specialty ON slots (specialty, starts_at);
CREATE INDEX IF NOT EXISTS slots_by_practitioner ON slots (practitioner, starts_at);
CREATE INDEX IF NOT EXISTS slots_by_start ON slots (starts_at);
CREATE TABLE IF NOT EXISTS appointments (
  id               INTEGER PRIMARY KEY,
  slot_id          INTEGER NOT NULL REFERENCES slots (id),
  patient          TEXT NOT NULL,
  reason           TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
  booked_at        INTEGER NOT NULL,
  booked_by        TEXT NOT NULL,
  call_id          TEXT,
  cancelled_at     INTEGER,
  cancelled_by     TEXT,
  cancel_reason    TEXT,
  reminder_sent_at INTEGER
);
-- Two appointments never hold one slot: the second line of defence behind the writer's check.
CREATE UNIQUE INDEX IF NOT EXISTS appointments_one_per_slot ON appointments (slot_id) WHERE status = 'booked';
CREATE INDEX IF NOT EXISTS appointments_by_patient ON appointments (patient);
CREATE TABLE IF NOT EXISTS waitlist (
  id             INTEGER PRIMARY KEY,
  specialty      TEXT NOT NULL,
  patient        TEXT NOT NULL,
  reason         TEXT NOT NULL,
  wanted_before  INTEGER,
  added_at       INTEGER NOT NULL,
  added_by       TEXT NOT NULL,
  call_id        TEXT,
  status         TEXT NOT NULL CHECK (status IN ('waiting', 'booked')),
  appointment_id INTEGER
);
CREATE INDEX IF NOT EXISTS waitlist_waiting ON waitlist (specialty, id) WHERE status = 'waiting';
CREATE INDEX IF NOT EXISTS waitlist_by_patient ON waitlist (patient);
CREATE TABLE IF NOT EXISTS messages (
  id              INTEGER PRIMARY KEY,
  specialty       TEXT NOT NULL,
  practitioner    TEXT,
  patient         TEXT NOT NULL,
  urgency         TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal')),
  action_asked    TEXT NOT NULL CHECK (action_asked IN ('call_back', 'book', 'info')),
  reason          TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  call_id         TEXT,
  acknowledged_at INTEGER,
  acknowledged_by TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_specialty ON messages (specialty, created_at);
CREATE INDEX IF NOT EXISTS messages_by_patient ON messages (patient);
CREATE INDEX IF NOT EXISTS messages_open_urgent ON messages (created_at)
  WHERE acknowledged_at IS NULL AND urgency = 'urgent';
CREATE TABLE IF NOT EXISTS agenda_changes (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  patient        TEXT NOT NULL,
  change         TEXT NOT NULL,
  appointment_id INTEGER,
  message_id     INTEGER,
  entry_id       INTEGER,
  call_id        TEXT,
  gateway        TEXT,
  made_by        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agenda_changes_by_patient ON agenda_changes (patient, id);
)sql"}};
}

}  // namespace acd::agenda
