// The agenda tables (src/agenda) on a real store: schema migration, conflict-free
// booking and its second line of defence, atomic moves, the waiting list, messages, reminders,
// the caller history and summary, personal data kept sealed and merged, retention counting
// agenda activity, and erasure.
#include "acd/agenda.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agenda/summaries.hpp"
#include "store/module.hpp"
#include "store/sqlite.hpp"
#include "temp_dir.hpp"

namespace acd::agenda {
namespace {

using test::TempDir;
using namespace std::chrono_literals;

PiiKey test_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(3);
    return PiiKey::from_bytes(bytes);
}

// 2030-01-01T08:00Z: "now" for every write below.
const Time t0 = Time(std::chrono::sys_days(std::chrono::year(2030) / 1 / 1)) + 8h;

PatientData patient(std::string phone, std::string name = "Jeanne Martin",
                    std::string birth_date = "") {
    return {normalize_phone(phone), std::move(name), std::move(birth_date)};
}

Actor by(std::string who, Time at = t0, std::string call_id = "") {
    return {at, std::move(who), std::move(call_id), call_id.empty() ? "" : "gw1"};
}

// A finished call of `caller`, as the journal writes it.
CallSnapshot finished(const std::string& call_id, const std::string& caller, Time at) {
    CallSnapshot c;
    c.gateway = "gw1";
    c.call_id = call_id;
    c.caller = caller;
    c.specialty = "cardiology";
    c.enqueued_at = at;
    c.answered_at = at + 12s;
    c.ended_at = at + 5min;
    c.outcome = Outcome::completed;
    c.agent = "a1";
    return c;
}

template <typename T>
const T& decided(const Result<T>& r) {
    static const T empty{};
    if (!r) {
        ADD_FAILURE() << (is_refusal(r.error()) ? "refused: " : "error: ")
                      << to_string(r.error().code) << ": " << r.error().message;
        return empty;
    }
    return *r;
}

template <typename T>
std::string refusal(const Result<T>& r) {
    if (!r) {
        return is_refusal(r.error()) ? std::string(to_string(r.error().code))
                                     : "error: " + r.error().message;
    }
    return "accepted";
}

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct AgendaStore : testing::Test {
    TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Reader> reader;

    void SetUp() override { open(); }
    // The caller summary as acdd starts with it: the summaries loaded from the store.
    std::optional<CallerSummary> summary(const std::string& pseudonym, Time now) {
        auto loaded = Summaries::load(*reader, now);
        EXPECT_TRUE(loaded) << loaded.error().message;
        return loaded->get(pseudonym, now);
    }
    void open() {
        reader.reset();
        store.reset();
        StoreOptions o;
        o.path = dir / "acdd.db";
        o.synchronous = Synchronous::normal;
        o.modules = {schema()};
        auto s = Store::open(std::move(o), test_key());
        ASSERT_TRUE(s) << s.error().message;
        store = std::move(*s);
        reader = std::make_unique<Reader>(dir / "acdd.db", test_key());
    }

    // Runs `f` in a writer job, commits, and returns what it returned.
    template <typename F>
    auto in_job(F&& f) {
        std::optional<std::invoke_result_t<F, WriteContext&>> out;
        WriteBatch batch;
        batch.job = [&](WriteContext& ctx) -> Status {
            out.emplace(f(ctx));
            return {};
        };
        store->append(std::move(batch));
        store->flush();
        return std::move(*out);
    }

    // Slots of 20 minutes for dr-a in cardiology, starting `from` (default: a day after t0).
    std::vector<std::int64_t> open_slots(int count, Time from = t0 + 24h,
                                         std::string practitioner = "dr-a",
                                         std::string specialty = "cardiology") {
        return decided(in_job([&](WriteContext& ctx) {
            return agenda::open_slots(ctx, {specialty, practitioner, from, 20, count}, by("sec"));
        }));
    }
    Result<Appointment> book(std::int64_t slot, const PatientData& p,
                             const Actor& actor = by("a1")) {
        return in_job(
            [&](WriteContext& ctx) { return agenda::book(ctx, slot, p, "control", actor); });
    }
    std::int64_t sql_count(const std::string& query) {
        sqlite3* db = nullptr;
        sqlite3_open((dir / "acdd.db").c_str(), &db);
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr);
        const std::int64_t n =
            sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return n;
    }
    std::string pseudonym(const std::string& phone) {
        return test_key().pseudonym(normalize_phone(phone));
    }
};

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, ASchemaOneDatabaseIsMigratedToTheAgendaTables) {
    reader.reset();
    store.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "acdd.db").c_str(), &db), SQLITE_OK);
    // Back to what schema 1 had: none of migrations 2 to 4, no agenda.
    ASSERT_EQ(sqlite3_exec(db,
                           "DELETE FROM meta WHERE key IN ('schema.agenda', "
                           "'audit.format2_from'); "
                           "ALTER TABLE audit DROP COLUMN changes; DROP TABLE audit_calls; "
                           "DROP TABLE audit_agents; CREATE INDEX audit_by_call ON audit "
                           "(call_id, gateway) WHERE call_id IS NOT NULL; "
                           "DROP TABLE slots; DROP TABLE appointments; DROP TABLE waitlist; "
                           "DROP TABLE messages; DROP TABLE agenda_changes; "
                           "DROP INDEX calls_by_call_id; DROP INDEX audit_by_at; "
                           "CREATE INDEX audit_by_agent ON audit (agent) WHERE agent IS NOT NULL; "
                           "PRAGMA user_version = 1",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    open();
    EXPECT_EQ(sql_count("PRAGMA user_version"), 4);
    EXPECT_EQ(open_slots(1).size(), 1U);
}

// A database written by acdd 0.1.0, where the store's own migration had made the agenda's
// tables: the agenda finds them, records its version, and everything reads as before.
TEST_F(AgendaStore, ADatabaseWrittenBy010KeepsItsAgendaAndItsChain) {
    reader.reset();
    store.reset();
    std::filesystem::remove(dir / "acdd.db");
    // Another database in its place: without its side file, or the store refuses it as behind.
    std::filesystem::remove(dir / "acdd.db.head");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "acdd.db").c_str(), &db), SQLITE_OK);
    std::ifstream dump(std::string(ACD_FIXTURES) + "/acdd-0.1.0.sql");
    std::stringstream text;
    text << dump.rdbuf();
    ASSERT_EQ(sqlite3_exec(db, text.str().c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
    std::ifstream key_file(std::string(ACD_FIXTURES) + "/acdd-0.1.0.key");
    std::string hex;
    key_file >> hex;
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    const PiiKey key = PiiKey::from_bytes(bytes);

    StoreOptions o;
    o.path = dir / "acdd.db";
    o.modules = {schema()};
    auto opened = Store::open(std::move(o), key);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(sql_count("SELECT value FROM meta WHERE key = 'schema.agenda'"), 1);
    const auto verified = (*opened)->verify();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok);
    EXPECT_EQ(verified->records, 55);
    Reader old(dir / "acdd.db", key);
    const auto booked = old.appointments_of(key.pseudonym("+33612345678"), false);
    ASSERT_TRUE(booked);
    ASSERT_EQ(booked->size(), 1U);
    EXPECT_EQ((*booked)[0].status, AppointmentStatus::booked);
    EXPECT_EQ((*booked)[0].patient.name, "Jeanne Martin");
    const auto history = old.history(key.pseudonym("+33612345678"), t0 - 24h * 365 * 4);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->calls_total, 1);
    EXPECT_EQ(history->open_messages.size(), 1U);
    EXPECT_EQ(history->open_messages[0].urgency, Urgency::urgent);
}

// The summary an agent's route carries is served from memory: once loaded, it needs no database
// (the engine's thread never waits for SQLite), and it follows the changes it is told of.
TEST_F(AgendaStore, TheCallerSummaryIsServedWithoutTheDatabase) {
    const std::string p = pseudonym("+33612345678");
    WriteBatch call;
    call.finished_calls = {finished("c1", p, t0 - 1h)};
    store->append(std::move(call));
    const auto slots = open_slots(2);
    const Appointment first = decided(book(slots[1], patient("+33612345678")));
    auto loaded = Summaries::load(*reader, t0);
    ASSERT_TRUE(loaded);
    Summaries summaries = std::move(*loaded);
    reader.reset();
    store.reset();
    std::filesystem::remove_all(dir.path());  // no database left to read

    const auto s = summaries.get(p, t0);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->past_calls, 1);
    ASSERT_TRUE(s->next);
    EXPECT_EQ(s->next->id, first.id);
    summaries.call_finished(p);
    Appointment earlier = first;
    earlier.id = first.id + 1;
    earlier.slot.start = first.slot.start - 20min;
    summaries.booked(earlier, p);
    EXPECT_EQ(summaries.get(p, t0)->past_calls, 2);
    EXPECT_EQ(summaries.get(p, t0)->next->id, earlier.id);
    summaries.cancelled(earlier.id);
    EXPECT_EQ(summaries.get(p, t0)->next->id, first.id);
    EXPECT_FALSE(summaries.get(p, first.slot.start)->next);  // started: no longer upcoming
    summaries.erased(p);
    EXPECT_EQ(summaries.get(p, t0)->past_calls, 0);
    EXPECT_FALSE(summaries.get("anonymous", t0));
}

// ---------------------------------------------------------------------------------------------
// Slots and booking
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, SlotsOpenConsecutivelyAndAreListedByStart) {
    const auto ids = open_slots(3);
    ASSERT_EQ(ids.size(), 3U);
    auto slots = reader->slots("cardiology", t0, t0 + 48h, false);
    ASSERT_TRUE(slots);
    ASSERT_EQ(slots->size(), 3U);
    EXPECT_EQ((*slots)[0].start, t0 + 24h);
    EXPECT_EQ((*slots)[2].start, t0 + 24h + 40min);
    EXPECT_EQ((*slots)[1].duration_min, 20);
    EXPECT_FALSE((*slots)[0].appointment_id);
    EXPECT_TRUE(reader->slots("neurology", t0, t0 + 48h, false)->empty());
}

TEST_F(AgendaStore, ASlotOverlappingOneOfTheSamePractitionerIsRefusedAndNoneIsOpened) {
    open_slots(2);  // 09:00-09:20, 09:20-09:40 the next day
    const auto r = in_job([&](WriteContext& ctx) {
        // 08:50 to 09:10 in two slots: the second overlaps.
        return agenda::open_slots(ctx, {"cardiology", "dr-a", t0 + 24h - 10min, 10, 2}, by("s"));
    });
    EXPECT_EQ(refusal(r), "slot_overlap");
    EXPECT_EQ(reader->slots("cardiology", t0, t0 + 48h, false)->size(), 2U);  // not 08:50 either
    EXPECT_EQ(open_slots(1, t0 + 24h, "dr-b").size(), 1U);  // another practitioner may
    EXPECT_EQ(open_slots(1, t0 + 24h + 40min).size(), 1U);  // right after: no overlap
}

TEST_F(AgendaStore, ABookedSlotIsRefusedWithSlotTaken) {
    const auto slot = open_slots(1)[0];
    const Appointment a = decided(book(slot, patient("+33612345678")));
    EXPECT_EQ(a.slot.id, slot);
    EXPECT_EQ(a.status, AppointmentStatus::booked);
    EXPECT_EQ(a.patient.name, "Jeanne Martin");
    EXPECT_EQ(refusal(book(slot, patient("+33700000000", "Other"))), "slot_taken");
    EXPECT_EQ(sql_count("SELECT count(*) FROM appointments"), 1);
    // The refused patient left no trace either (the savepoint rolled back).
    EXPECT_EQ(sql_count("SELECT count(*) FROM pii"), 1);
}

TEST_F(AgendaStore, AnUnknownSlotAndAStartedSlotAreRefused) {
    EXPECT_EQ(refusal(book(42, patient("+33612345678"))), "unknown_slot");
    const auto slot = open_slots(1)[0];
    EXPECT_EQ(refusal(book(slot, patient("+33612345678"), by("a1", t0 + 24h))), "invalid_state");
}

TEST_F(AgendaStore, TheDatabaseItselfRefusesASecondBookedAppointmentOnASlot) {
    const auto slot = open_slots(1)[0];
    decided(book(slot, patient("+33612345678")));
    const auto status = in_job([&](WriteContext& ctx) -> Result<bool> {
        auto st = store::connection(ctx).exec(
            "INSERT INTO appointments (slot_id, patient, reason, status, booked_at, booked_by) "
            "VALUES (" +
            std::to_string(slot) + ", 'p', '', 'booked', 0, 'x')");
        return bool(st);
    });
    ASSERT_TRUE(status);
    EXPECT_FALSE(*status);
    // A cancelled appointment does not hold its slot.
    const auto cancelled = in_job([&](WriteContext& ctx) -> Result<bool> {
        return bool(store::connection(ctx).exec(
            "INSERT INTO appointments (slot_id, patient, reason, status, booked_at, booked_by) "
            "VALUES (" +
            std::to_string(slot) + ", 'p', '', 'cancelled', 0, 'x')"));
    });
    EXPECT_TRUE(*cancelled);
}

// ---------------------------------------------------------------------------------------------
// Move and cancel
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, AMoveToATakenSlotChangesNothing) {
    const auto slots = open_slots(2);
    const Appointment a = decided(book(slots[0], patient("+33612345678")));
    const Appointment b = decided(book(slots[1], patient("+33700000000", "B")));
    const std::int64_t changes = sql_count("SELECT count(*) FROM agenda_changes");
    const std::int64_t last_seen = sql_count("SELECT sum(last_seen) FROM pii");
    const auto r =
        in_job([&](WriteContext& ctx) { return agenda::move(ctx, a.id, slots[1], by("a1")); });
    EXPECT_EQ(refusal(r), "slot_taken");
    const auto of_a = reader->appointments_of(pseudonym("+33612345678"), true);
    ASSERT_EQ(of_a->size(), 1U);
    EXPECT_EQ((*of_a)[0].slot.id, slots[0]);
    EXPECT_EQ(reader->appointments_of(pseudonym("+33700000000"), true)->at(0).id, b.id);
    EXPECT_EQ(sql_count("SELECT count(*) FROM agenda_changes"), changes);
    EXPECT_EQ(sql_count("SELECT sum(last_seen) FROM pii"), last_seen);
}

TEST_F(AgendaStore, AMoveFreesTheOldSlotAndMakesTheReminderDueAgain) {
    const auto slots = open_slots(3);
    const Appointment a = decided(book(slots[0], patient("+33612345678")));
    decided(in_job([&](WriteContext& ctx) { return mark_reminder_sent(ctx, a.id, by("sms")); }));
    const Moved m = decided(
        in_job([&](WriteContext& ctx) { return agenda::move(ctx, a.id, slots[2], by("a1")); }));
    EXPECT_EQ(m.appointment.slot.id, slots[2]);
    EXPECT_FALSE(m.appointment.reminder_sent_at);
    EXPECT_EQ(m.freed.slot.id, slots[0]);
    EXPECT_FALSE(m.freed.slot.appointment_id);
    const auto free = reader->slots("cardiology", t0, t0 + 48h, true);
    ASSERT_EQ(free->size(), 2U);
    EXPECT_EQ((*free)[0].id, slots[0]);
    EXPECT_EQ(refusal(in_job(
                  [&](WriteContext& ctx) { return agenda::move(ctx, a.id, slots[2], by("a1")); })),
              "invalid_state");  // the same slot
    EXPECT_EQ(
        refusal(in_job([&](WriteContext& ctx) { return agenda::move(ctx, a.id, 99, by("a1")); })),
        "unknown_slot");
    EXPECT_EQ(refusal(in_job(
                  [&](WriteContext& ctx) { return agenda::move(ctx, 99, slots[1], by("a1")); })),
              "unknown_appointment");
    const auto neuro = open_slots(1, t0 + 24h, "dr-n", "neurology")[0];
    EXPECT_EQ(refusal(in_job(
                  [&](WriteContext& ctx) { return agenda::move(ctx, a.id, neuro, by("a1")); })),
              "bad_request");
}

TEST_F(AgendaStore, ACancellationFreesTheSlotAndReturnsTheWaitingEntriesItSuitsInOrder) {
    const auto slot = open_slots(1)[0];  // t0 + 24h
    const Appointment a = decided(book(slot, patient("+33612345678")));
    const auto wait = [&](const std::string& phone, const std::string& specialty,
                          std::optional<Time> before) {
        return *in_job([&](WriteContext& ctx) {
            return add_to_waitlist(ctx, specialty, patient(phone, "W"), "asap", before, by("a2"));
        });
    };
    const auto w1 = wait("+33700000001", "cardiology", std::nullopt);
    wait("+33700000002", "neurology", std::nullopt);               // another specialty
    wait("+33700000003", "cardiology", t0 + 12h);                  // wants one earlier
    const auto w4 = wait("+33700000004", "cardiology", t0 + 48h);  // the slot suits
    const Cancelled c = decided(
        in_job([&](WriteContext& ctx) { return agenda::cancel(ctx, a.id, "sick", by("a1")); }));
    EXPECT_EQ(c.appointment.status, AppointmentStatus::cancelled);
    EXPECT_EQ(c.appointment.cancel_reason, "sick");
    EXPECT_EQ(c.freed.slot.id, slot);
    ASSERT_EQ(c.freed.waitlist.size(), 2U);
    EXPECT_EQ(c.freed.waitlist[0].id, w1);
    EXPECT_EQ(c.freed.waitlist[1].id, w4);
    EXPECT_EQ(c.freed.waitlist[1].patient.phone, "+33700000004");
    EXPECT_EQ(
        refusal(in_job([&](WriteContext& ctx) { return agenda::cancel(ctx, a.id, "", by("a1")); })),
        "invalid_state");
    EXPECT_EQ(
        refusal(in_job([&](WriteContext& ctx) { return agenda::cancel(ctx, 77, "", by("a1")); })),
        "unknown_appointment");
    decided(book(slot, patient("+33700000001", "W")));  // free again: w1 takes it
}

TEST_F(AgendaStore, TheWaitingListKeepsTheOrderOfAdditionAndABookingServesThePatient) {
    for (const char* phone : {"+33700000001", "+33700000002", "+33700000003"}) {
        ASSERT_TRUE(in_job([&](WriteContext& ctx) {
            return add_to_waitlist(ctx, "cardiology", patient(phone, "W"), "asap", {}, by("a2"));
        }));
    }
    auto entries = reader->waitlist("cardiology");
    ASSERT_EQ(entries->size(), 3U);
    EXPECT_EQ((*entries)[0].patient.phone, "+33700000001");
    EXPECT_EQ((*entries)[2].patient.phone, "+33700000003");
    decided(book(open_slots(1)[0], patient("+33700000002", "W")));
    entries = reader->waitlist("cardiology");
    ASSERT_EQ(entries->size(), 2U);
    EXPECT_EQ((*entries)[1].patient.phone, "+33700000003");
}

// ---------------------------------------------------------------------------------------------
// Personal data and retention
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, PersonalDataIsSealedAndMergedUnderThePseudonym) {
    decided(book(open_slots(1)[0], patient("+33 6 12 34 56 78", "Jeanne Martin", "1950-02-03")));
    ASSERT_TRUE(in_job([&](WriteContext& ctx) {
        return add_to_waitlist(ctx, "cardiology", patient("+33612345678", "Jeanne Dupont"), "", {},
                               by("a1"));
    }));
    auto data = store->personal_data(pseudonym("+33612345678"));
    ASSERT_TRUE(data && *data);
    const auto j = nlohmann::json::parse(**data);
    EXPECT_EQ(j["phone"], "+33612345678");
    EXPECT_EQ(j["name"], "Jeanne Dupont");     // the latest given
    EXPECT_EQ(j["birth_date"], "1950-02-03");  // kept: not given again
    EXPECT_EQ(sql_count("SELECT count(*) FROM pii"), 1);
    EXPECT_EQ(sql_count("SELECT count(*) FROM appointments WHERE patient = '" +
                        pseudonym("+33612345678") + "'"),
              1);
    store->flush();
    const std::string bytes = file_bytes(dir / "acdd.db") + file_bytes(dir / "acdd.db-wal");
    EXPECT_EQ(bytes.find("612345678"), std::string::npos);
    EXPECT_EQ(bytes.find("Jeanne"), std::string::npos);
}

TEST_F(AgendaStore, RetentionCountsABookingAsActivityUntilTheAppointment) {
    const auto slot = open_slots(1, t0 + 24h * 60)[0];
    decided(book(slot, patient("+33612345678")));
    EXPECT_EQ(sql_count("SELECT last_seen FROM pii"), (t0 + 24h * 60).time_since_epoch().count());
    const auto erased = [&](Time before) {
        return *in_job(
            [&](WriteContext& ctx) { return erase_inactive_personal_data(ctx, before); });
    };
    EXPECT_EQ(erased(t0 + 24h * 30), 0);  // inactive for 30 days, but expected in 60
    EXPECT_EQ(erased(t0 + 24h * 61), 1);  // retention still erases after that
    EXPECT_FALSE(reader->appointments_of(pseudonym("+33612345678"), false)->at(0).patient.known());
}

// ---------------------------------------------------------------------------------------------
// Messages and reminders
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, AMessageIsAcknowledgedOnceWithItsTime) {
    MessageRequest req{
        "cardiology",
        "",
        patient("+33612345678"),
        Urgency::urgent,
        MessageAction::call_back,
        "pain",
        "call her back",
    };
    const auto id = *in_job([&](WriteContext& ctx) { return create_message(ctx, req, by("a1")); });
    EXPECT_EQ(reader->messages(std::nullopt, true)->size(), 1U);
    const Message m = decided(
        in_job([&](WriteContext& ctx) { return acknowledge(ctx, id, by("dr-a", t0 + 5min)); }));
    EXPECT_EQ(m.acknowledged_at, t0 + 5min);
    EXPECT_EQ(m.acknowledged_by, "dr-a");
    EXPECT_TRUE(reader->messages(std::nullopt, true)->empty());
    EXPECT_EQ(reader->messages(std::string("cardiology"), false)->size(), 1U);
    EXPECT_TRUE(reader->messages(std::string("neurology"), std::nullopt)->empty());
    EXPECT_EQ(refusal(in_job([&](WriteContext& ctx) { return acknowledge(ctx, id, by("dr-a")); })),
              "invalid_state");
    EXPECT_EQ(refusal(in_job([&](WriteContext& ctx) { return acknowledge(ctx, 9, by("dr-a")); })),
              "unknown_message");
}

TEST_F(AgendaStore, UrgentMessagesOpenForMoreThanThirtyMinutesAreOverdue) {
    const auto create = [&](Urgency urgency, Time at) {
        MessageRequest req{"cardiology", "", patient("+33612345678"), urgency, MessageAction::info,
                           "",           ""};
        return *in_job([&](WriteContext& ctx) { return create_message(ctx, req, by("a1", at)); });
    };
    const auto old_urgent = create(Urgency::urgent, t0 - 31min);
    create(Urgency::normal, t0 - 40min);
    const auto acked = create(Urgency::urgent, t0 - 50min);
    decided(in_job([&](WriteContext& ctx) { return acknowledge(ctx, acked, by("dr")); }));
    create(Urgency::urgent, t0 - 10min);
    const Time cutoff = t0 - kUrgentMessageOverdue;
    const auto overdue = reader->overdue_messages(cutoff);
    ASSERT_EQ(overdue->size(), 1U);
    EXPECT_EQ((*overdue)[0].id, old_urgent);
    EXPECT_EQ(*reader->overdue_count(cutoff), 1);
    EXPECT_EQ(*reader->next_urgent_after(cutoff), t0 - 10min);  // overdue at t0 + 20 min
    EXPECT_FALSE(*reader->next_urgent_after(t0));
}

TEST_F(AgendaStore, RemindersAreDueWithinTheWindowUntilMarkedSent) {
    const Time now = t0;
    std::vector<std::int64_t> ids;
    int n = 0;
    for (const auto in : {1h, 2h, 3h, 23h, 25h}) {
        const auto slot = open_slots(1, now + in)[0];
        ids.push_back(decided(book(slot, patient("+3370000000" + std::to_string(n++)))).id);
    }
    decided(in_job([&](WriteContext& ctx) { return agenda::cancel(ctx, ids[1], "", by("a1")); }));
    const Appointment sent = decided(
        in_job([&](WriteContext& ctx) { return mark_reminder_sent(ctx, ids[2], by("sms")); }));
    auto due = reader->reminders_due(now, now + 24h);
    ASSERT_EQ(due->size(), 2U);
    EXPECT_EQ((*due)[0].id, ids[0]);
    EXPECT_EQ((*due)[1].id, ids[3]);
    EXPECT_EQ(reader->reminders_due(now, now + 26h)->size(), 3U);
    const Appointment again = decided(in_job(
        [&](WriteContext& ctx) { return mark_reminder_sent(ctx, ids[2], by("sms", now + 1min)); }));
    EXPECT_EQ(again.reminder_sent_at, sent.reminder_sent_at);  // the first time stays
    EXPECT_EQ(refusal(in_job(
                  [&](WriteContext& ctx) { return mark_reminder_sent(ctx, ids[1], by("sms")); })),
              "invalid_state");
}

// ---------------------------------------------------------------------------------------------
// History, summary and erasure
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaStore, TheHistoryHasThePastCallsUpcomingAppointmentsOpenMessagesAndChanges) {
    const std::string p = pseudonym("+33612345678");
    WriteBatch calls;
    calls.finished_calls = {finished("c1", p, t0 - 48h), finished("c2", p, t0 - 1h),
                            finished("c3", "someone-else", t0 - 2h)};
    store->append(std::move(calls));
    const auto slots = open_slots(2);
    decided(book(slots[0], patient("+33612345678"), by("a1", t0, "c2")));
    const auto past = open_slots(1, t0 + 1h)[0];
    decided(book(past, patient("+33612345678")));
    MessageRequest req{
        "cardiology", "dr-a", patient("+33612345678"), Urgency::normal, MessageAction::book,
        "",           ""};
    ASSERT_TRUE(in_job([&](WriteContext& ctx) { return create_message(ctx, req, by("a1")); }));
    const History h = *reader->history(p, t0 + 2h);  // the appointment at t0 + 1h is past
    EXPECT_EQ(h.patient.phone, "+33612345678");
    EXPECT_EQ(h.calls_total, 2);
    ASSERT_EQ(h.calls.size(), 2U);
    EXPECT_EQ(h.calls[0].call_id, "c2");  // latest first
    EXPECT_EQ(h.calls[0].answered_at, t0 - 1h + 12s);
    ASSERT_EQ(h.upcoming.size(), 1U);
    EXPECT_EQ(h.upcoming[0].call_id, "c2");  // booked during that call
    EXPECT_EQ(h.open_messages.size(), 1U);
    ASSERT_EQ(h.changes.size(), 3U);
    EXPECT_EQ(h.changes[2].change, "appointment-book");
    EXPECT_EQ(h.changes[2].call_id, "c2");

    const CallerSummary s = *summary(p, t0 + 2h);
    EXPECT_EQ(s.past_calls, 2);
    ASSERT_TRUE(s.next);
    EXPECT_EQ(s.next->slot.id, slots[0]);
    EXPECT_FALSE(s.next->patient.known());  // a summary carries no personal data
    EXPECT_EQ(summary("nobody", t0)->past_calls, 0);
    EXPECT_EQ(reader->finished_call("c2", "")->value().caller, p);
    EXPECT_FALSE(*reader->finished_call("c2", "gw9"));
}

TEST_F(AgendaStore, ErasureDeletesThePersonalDataAndUnlinksEverythingElseFromTheNumber) {
    const std::string p = pseudonym("+33612345678");
    WriteBatch call;
    call.finished_calls = {finished("c1", p, t0 - 1h)};
    call.pii = {{p, Json{{"phone", "+33612345678"}}, t0 - 1h}};
    store->append(std::move(call));
    const auto slot = open_slots(1)[0];
    const Appointment a = decided(book(slot, patient("+33612345678", "Jeanne Martin")));
    MessageRequest req{"cardiology",
                       "",
                       patient("+33612345678"),
                       Urgency::urgent,
                       MessageAction::call_back,
                       "chest pain",
                       "Mme Martin asks to be called back"};
    ASSERT_TRUE(in_job([&](WriteContext& ctx) { return create_message(ctx, req, by("a1")); }));
    ASSERT_TRUE(in_job([&](WriteContext& ctx) {
        return add_to_waitlist(ctx, "cardiology", patient("+33612345678"), "", {}, by("a1"));
    }));
    const Erasure e = *in_job([&](WriteContext& ctx) { return erase_patient(ctx, p, by("dpo")); });
    EXPECT_TRUE(e.personal_data);
    EXPECT_EQ(e.appointments, 1);
    EXPECT_EQ(e.messages, 1);
    EXPECT_EQ(e.waitlist, 1);
    EXPECT_EQ(e.calls, 1);
    EXPECT_EQ(e.changes, 3);

    EXPECT_FALSE(*store->personal_data(p));
    const History h = *reader->history(p, t0);
    EXPECT_FALSE(h.patient.known());
    EXPECT_EQ(h.calls_total, 0);
    EXPECT_TRUE(h.upcoming.empty() && h.open_messages.empty() && h.changes.empty());
    EXPECT_TRUE(reader->appointments_of(p, true)->empty());
    EXPECT_TRUE(reader->waitlist("cardiology")->empty());
    EXPECT_EQ(summary(p, t0)->past_calls, 0);
    // The appointment keeps its slot, with a pseudonym no number gives, and no free text.
    const auto kept = reader->appointments_in("cardiology", t0, t0 + 48h, false);
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].id, a.id);
    EXPECT_FALSE((*kept)[0].patient.known());
    EXPECT_EQ((*kept)[0].reason, "");
    const auto messages = reader->messages(std::nullopt, std::nullopt);
    ASSERT_EQ(messages->size(), 1U);
    EXPECT_EQ((*messages)[0].body, "");
    EXPECT_EQ(sql_count("SELECT count(DISTINCT patient) FROM appointments WHERE patient LIKE "
                        "'erased:%'"),
              1);
    auto verified = store->verify();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->ok);
    // Nothing left to erase the second time.
    EXPECT_EQ(in_job([&](WriteContext& ctx) { return erase_patient(ctx, p, by("dpo")); })->total(),
              0);
}

TEST_F(AgendaStore, AnonymousAndErasedCallersHaveNoHistory) {
    EXPECT_TRUE(is_unlinked("anonymous"));
    EXPECT_TRUE(is_unlinked("erased:00ff"));
    EXPECT_FALSE(is_unlinked(pseudonym("+33612345678")));
    WriteBatch calls;
    calls.finished_calls = {finished("c1", "anonymous", t0 - 1h)};
    store->append(std::move(calls));
    EXPECT_EQ(reader->history("anonymous", t0)->calls_total, 0);
}

}  // namespace
}  // namespace acd::agenda
