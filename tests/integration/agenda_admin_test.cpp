// docs/spec/agenda.md through a started acdd: every agenda command over the real admin socket and
// the error codes each can give, booking under concurrent clients, an atomic move, the waiting list
// and the `agenda` subscription, messages and their overdue alarm, reminders, the caller history
// across calls offered by a gateway (and the caller summary of call.route and of the `calls`
// topic), the erasure of a patient down to the bytes of the database files, and the audit trail
// of every change.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <latch>
#include <set>
#include <sstream>
#include <thread>

#include "acd/site_time.hpp"
#include "acd/zone.hpp"
#include "admin_client.hpp"
#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPhone = "+33612345678";
constexpr const char* kDigits = "612345678";  // what must not be left anywhere after erasure
constexpr const char* kName = "Jeanne Dupont-Martel";

Json args_of(const Json& response) {
    return response.value("arguments", Json::object());
}
// `args` with `key` set to `value`, or without `key` when `value` is null: one argument wrong.
Json changed(Json args, const char* key, Json value) {
    if (value.is_null()) {
        args.erase(key);
    } else {
        args[key] = std::move(value);
    }
    return args;
}

std::string code_of(const Json& response) {
    return args_of(response).value("code", std::string());
}

// A whole minute some time from now, in the daemon's format (UTC, RFC 3339).
Time minute_from_now(std::chrono::minutes offset) {
    const auto now = std::chrono::system_clock::now();
    return std::chrono::time_point_cast<Duration>(std::chrono::ceil<std::chrono::minutes>(now) +
                                                  offset);
}
std::string at(std::chrono::minutes offset) {
    return format_time(minute_from_now(offset));
}

Json patient(const std::string& phone = kPhone, const std::string& name = kName) {
    return {{"phone", phone}, {"name", name}};
}

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct AgendaAdminTest : DaemonTest {
    std::unique_ptr<AdminClient> a;
    std::vector<Json> commands;  // what the daemon sent the gateway besides acks

    void SetUp() override {
        DaemonTest::SetUp();
        a = admin();
    }
    std::filesystem::path db_path() const { return daemon->dir() / "acdd.db"; }
    std::unique_ptr<AdminClient> admin() { return std::make_unique<AdminClient>(socket()); }
    void restart() {
        a.reset();
        ASSERT_EQ(daemon->stop(), 0) << daemon->log();
        ASSERT_TRUE(daemon->start()) << daemon->log();
        a = admin();
    }

    // The refusal of `command` with `args`, as "code: text"; a command taken fails the test.
    std::string refusal(const char* command, const Json& args) {
        const Json r = a->call(command, args);
        EXPECT_EQ(r["result"], 1) << args;
        return code_of(r) + ": " + r["text"].get<std::string>();
    }

    // Sends a gateway event and waits until it is acknowledged (durable), keeping the commands.
    void event(GatewayClient& g, Json e) { DaemonTest::event(g, std::move(e), &commands); }
    // The next command of `type` the gateway got (perhaps while waiting for an ack).
    std::optional<Json> command(GatewayClient& g, const std::string& type) {
        for (auto it = commands.begin(); it != commands.end(); ++it) {
            if ((*it)["type"] == type) {
                Json found = *it;
                commands.erase(commands.begin(), it + 1);
                return found;
            }
        }
        commands.clear();
        return g.receive_type(type);
    }
    void offer(GatewayClient& g, const std::string& call_id, const std::string& caller = kPhone) {
        event(g, {{"type", "call.offered"},
                  {"call_id", call_id},
                  {"caller", caller},
                  {"dialed", "+1001"}});
    }

    // Opens `count` consecutive slots of 20 minutes.
    std::vector<std::int64_t> open(const std::string& start, int count = 1,
                                   const std::string& practitioner = "dr-a",
                                   const std::string& specialty = "cardiology") {
        const Json r = a->call("slot-open", {{"specialty", specialty},
                                             {"practitioner", practitioner},
                                             {"start", start},
                                             {"duration_min", 20},
                                             {"count", count},
                                             {"by", "planner"}});
        EXPECT_EQ(r["result"], 0) << r;
        return args_of(r).value("slots", std::vector<std::int64_t>{});
    }
    Json book(std::int64_t slot, const Json& who = patient(), const std::string& call_id = "") {
        Json args = {{"slot_id", slot}, {"patient", who}, {"reason", "control"}, {"by", "a1"}};
        if (!call_id.empty()) args["call_id"] = call_id;
        return a->call("appointment-book", args);
    }
    std::int64_t booked(std::int64_t slot, const Json& who = patient()) {
        const Json r = book(slot, who);
        EXPECT_EQ(r["result"], 0) << r;
        return args_of(r).value("appointment_id", std::int64_t(0));
    }
    Json message(const std::string& urgency, const std::string& call_id = "") {
        Json args = {{"specialty", "cardiology"},
                     {"patient", patient()},
                     {"urgency", urgency},
                     {"reason", "palpitations"},
                     {"body", "Palpitations since Tuesday evening, asks to be called back"},
                     {"action", "call_back"},
                     {"by", "a1"}};
        if (!call_id.empty()) args["call_id"] = call_id;
        return a->call("message-create", args);
    }
    // slot id -> appointment id (0 when free), over the next days.
    std::map<std::int64_t, std::int64_t> slot_map() {
        std::map<std::int64_t, std::int64_t> out;
        const Json r = a->call(
            "slot-list", {{"specialty", "cardiology"}, {"from", at(-60min)}, {"to", at(72h)}});
        const Json slots = args_of(r)["slots"];
        for (const Json& s : slots) {
            out[s["slot_id"]] = s["appointment_id"].is_null() ? 0 : s["appointment_id"].get<int>();
        }
        return out;
    }
    // Skips subscription lines until one of `event` comes, with a deadline.
    static std::optional<Json> next_event(AdminClient& sub, const std::string& event,
                                          std::chrono::milliseconds deadline = 10s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            if (left <= 0ms) return std::nullopt;
            const auto m = sub.receive(left);
            if (!m) return std::nullopt;
            if (m->value("event", std::string()) == event) return m;
        }
    }
    // Runs SQL on the database of the stopped daemon (a test's way to make time pass).
    void sql(const std::string& text) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
        char* error = nullptr;
        const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
        const std::string message = error ? error : "";
        sqlite3_free(error);
        sqlite3_close(db);
        ASSERT_EQ(rc, SQLITE_OK) << message;
    }
};

// ---------------------------------------------------------------------------------------------
// Commands and their error codes
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, EveryAgendaCommandIsListed) {
    const auto names = args_of(a->call("list-commands"))["commands"].get<std::set<std::string>>();
    for (const char* c :
         {"slot-open", "slot-list", "appointment-book", "appointment-cancel", "appointment-move",
          "appointment-list", "waitlist-add", "waitlist-list", "message-create", "message-list",
          "message-ack", "reminders-due", "reminder-sent", "caller-history", "patient-erase"}) {
        EXPECT_TRUE(names.contains(c)) << c;
    }
}

TEST_F(AgendaAdminTest, SlotOpenOpensConsecutiveSlotsAndSlotListShowsThemInUtc) {
    const auto ids = open(at(24h), 3);
    ASSERT_EQ(ids.size(), 3U);
    const Json r =
        a->call("slot-list", {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}});
    EXPECT_EQ(r["result"], 0);
    const Json slots = args_of(r)["slots"];
    ASSERT_EQ(slots.size(), 3U);
    EXPECT_EQ(slots[0]["slot_id"], ids[0]);
    EXPECT_EQ(slots[0]["start"], at(24h));
    EXPECT_EQ(slots[1]["start"], at(24h + 20min));
    EXPECT_EQ(slots[2]["start"], at(24h + 40min));
    EXPECT_EQ(slots[0]["practitioner"], "dr-a");
    EXPECT_EQ(slots[0]["duration_min"], 20);
    EXPECT_TRUE(slots[0]["appointment_id"].is_null());
    // A time given with an offset is the same instant.
    const Time t = minute_from_now(48h);
    const Json offset =
        a->call("slot-open", {{"specialty", "cardiology"},
                              {"practitioner", "dr-b"},
                              {"start", format_time(t + 1h).substr(0, 19) + "+01:00"},
                              {"duration_min", 30}});
    EXPECT_EQ(offset["result"], 0) << offset;
    const Json later =
        a->call("slot-list", {{"specialty", "cardiology"}, {"from", at(47h)}, {"to", at(49h)}});
    EXPECT_EQ(args_of(later)["slots"][0]["start"], format_time(t));
    // free_only leaves out a booked slot; an empty list is result 3.
    booked(ids[1]);
    const Json free = a->call(
        "slot-list",
        {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(25h)}, {"free_only", true}});
    ASSERT_EQ(args_of(free)["slots"].size(), 2U);
    EXPECT_EQ(args_of(free)["slots"][1]["slot_id"], ids[2]);
    EXPECT_EQ(a->call("slot-list",
                      {{"specialty", "neurology"}, {"from", at(0min)}, {"to", at(48h)}})["result"],
              3);
}

TEST_F(AgendaAdminTest, SlotOpenAndSlotListRefuseWhatIsMalformedUnknownOrOverlapping) {
    const Json good = {{"specialty", "cardiology"},
                       {"practitioner", "dr-a"},
                       {"start", at(24h)},
                       {"duration_min", 20}};
    const auto without = [&](const char* key) { return changed(good, key, nullptr); };
    const auto with = [&](const char* key, Json value) {
        return changed(good, key, std::move(value));
    };
    const auto refused = [&](const char* command, const Json& args) {
        return refusal(command, args);
    };
    EXPECT_EQ(refused("slot-open", without("specialty")),
              "bad_request: missing argument 'specialty'");
    EXPECT_EQ(refused("slot-open", without("practitioner")),
              "bad_request: missing argument 'practitioner'");
    EXPECT_EQ(refused("slot-open", with("practitioner", "")),
              "bad_request: argument 'practitioner' must be a string of 1 to 128 characters");
    EXPECT_EQ(refused("slot-open", with("start", "tomorrow 9:00")),
              "bad_request: argument 'start' must be an RFC 3339 time, e.g. "
              "2026-11-23T09:30:00+01:00");
    EXPECT_EQ(refused("slot-open", with("duration_min", 0)),
              "bad_request: argument 'duration_min' must be an integer from 1 to 1440");
    EXPECT_EQ(refused("slot-open", with("duration_min", "20")),
              "bad_request: argument 'duration_min' must be an integer from 1 to 1440");
    EXPECT_EQ(refused("slot-open", with("count", 501)),
              "bad_request: argument 'count' must be an integer from 1 to 500");
    EXPECT_EQ(refused("slot-open", with("specialty", "ortho")),
              "unknown_specialty: unknown specialty 'ortho'");
    EXPECT_EQ(refused("slot-open", with("call_id", "nope")), "unknown_call: no call 'nope'");
    EXPECT_EQ(a->call("slot-open", good)["result"], 0);
    EXPECT_EQ(code_of(a->call("slot-open", with("start", at(24h + 10min)))), "slot_overlap");
    EXPECT_EQ(a->call("slot-open", with("practitioner", "dr-b"))["result"], 0);  // another one

    EXPECT_EQ(refused("slot-list", {{"specialty", "cardiology"}, {"from", at(0min)}}),
              "bad_request: missing argument 'to'");
    EXPECT_EQ(code_of(a->call("slot-list", {{"specialty", "cardiology"},
                                            {"from", at(0min)},
                                            {"to", at(1h)},
                                            {"free_only", "yes"}})),
              "bad_request");
    EXPECT_EQ(refused("slot-list", {{"specialty", "ortho"}, {"from", at(0min)}, {"to", at(1h)}}),
              "unknown_specialty: unknown specialty 'ortho'");
}

TEST_F(AgendaAdminTest, AppointmentBookRefusesEachMalformedArgumentAndUnknownOrTakenSlots) {
    const auto slot = open(at(24h))[0];
    const Json good = {
        {"slot_id", slot}, {"patient", patient()}, {"reason", "control"}, {"by", "a1"}};
    const auto with = [&](const char* key, Json value) {
        return changed(good, key, std::move(value));
    };
    const auto refused = [&](const Json& args) { return refusal("appointment-book", args); };
    EXPECT_EQ(refused(with("slot_id", nullptr)), "bad_request: missing argument 'slot_id'");
    EXPECT_EQ(refused(with("slot_id", "7")),
              "bad_request: argument 'slot_id' must be an integer from 1 to 9223372036854775807");
    EXPECT_EQ(refused(with("slot_id", 0)),
              "bad_request: argument 'slot_id' must be an integer from 1 to 9223372036854775807");
    EXPECT_EQ(refused(with("patient", nullptr)),
              "bad_request: argument 'patient' must be an object with 'phone' and 'name'");
    EXPECT_EQ(refused(with("patient", kPhone)),
              "bad_request: argument 'patient' must be an object with 'phone' and 'name'");
    EXPECT_EQ(refused(with("patient", {{"name", kName}})),
              "bad_request: patient: missing argument 'phone'");
    EXPECT_EQ(refused(with("patient", patient("12"))),
              "bad_request: patient: argument 'phone' must be a phone number, e.g. +33612345678");
    EXPECT_EQ(refused(with("patient", {{"phone", kPhone}})),
              "bad_request: patient: missing argument 'name'");
    EXPECT_EQ(refused(with("patient",
                           {{"phone", kPhone}, {"name", kName}, {"birth_date", "1970-02-30"}})),
              "bad_request: patient: argument 'birth_date' must be a date YYYY-MM-DD");
    EXPECT_EQ(refused(with("reason", nullptr)), "bad_request: missing argument 'reason'");
    EXPECT_EQ(refused(with("reason", std::string(4001, 'x'))),
              "bad_request: argument 'reason' must be a string of at most 4000 characters");
    EXPECT_EQ(refused(with("by", nullptr)), "bad_request: missing argument 'by'");
    EXPECT_EQ(refused(with("call_id", "nope")), "unknown_call: no call 'nope'");
    EXPECT_EQ(refused(with("slot_id", slot + 100)),
              "unknown_slot: no slot " + std::to_string(slot + 100));
    // A slot that has started cannot be booked.
    const auto past = open(at(-30min), 1, "dr-past")[0];
    EXPECT_EQ(refused(with("slot_id", past)),
              "invalid_state: slot " + std::to_string(past) + " has already started");
    // The good one, with a birth date; then the slot is taken.
    const Json ok = a->call("appointment-book", with("patient", {{"phone", "+33 6 12 34 56 78"},
                                                                 {"name", kName},
                                                                 {"birth_date", "1970-02-28"}}));
    ASSERT_EQ(ok["result"], 0) << ok;
    const Json appt = args_of(ok);
    EXPECT_EQ(appt["slot_id"], slot);
    EXPECT_EQ(appt["status"], "booked");
    EXPECT_EQ(appt["start"], at(24h));
    EXPECT_EQ(appt["patient"],
              Json({{"phone", kPhone}, {"name", kName}, {"birth_date", "1970-02-28"}}));
    EXPECT_EQ(appt["booked_by"], "a1");
    EXPECT_TRUE(appt["call_id"].is_null());
    EXPECT_EQ(refused(with("patient", patient("+33600000000", "Other"))),
              "slot_taken: slot " + std::to_string(slot) + " is taken by appointment " +
                  std::to_string(appt["appointment_id"].get<int>()));
}

TEST_F(AgendaAdminTest, AppointmentListByPhoneOrBySpecialtyAndItsErrors) {
    const auto slots = open(at(24h), 3);
    const auto first = booked(slots[2]);
    const auto second = booked(slots[0]);
    booked(slots[1], patient("+33600000000", "Other"));
    const Json r = a->call("appointment-list", {{"phone", kPhone}});
    ASSERT_EQ(r["result"], 0);
    const Json list = args_of(r)["appointments"];
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0]["appointment_id"], second);  // by start
    EXPECT_EQ(list[1]["appointment_id"], first);
    EXPECT_EQ(list[0]["patient"]["name"], kName);
    const Json all = a->call("appointment-list",
                             {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}});
    EXPECT_EQ(args_of(all)["appointments"].size(), 3U);
    // A cancelled one shows only with include_cancelled.
    a->call("appointment-cancel", {{"appointment_id", first}, {"reason", "x"}, {"by", "a1"}});
    EXPECT_EQ(args_of(a->call("appointment-list", {{"phone", kPhone}}))["appointments"].size(), 1U);
    EXPECT_EQ(args_of(a->call("appointment-list",
                              {{"phone", kPhone}, {"include_cancelled", true}}))["appointments"]
                  .size(),
              2U);
    EXPECT_EQ(a->call("appointment-list", {{"phone", "+352621999999"}})["result"], 3);
    const Json neither = a->call("appointment-list");
    EXPECT_EQ(code_of(neither), "bad_request");
    EXPECT_EQ(neither["text"], "give 'phone', or 'specialty' with 'from' and 'to'");
    EXPECT_EQ(code_of(a->call("appointment-list", {{"phone", "abc"}})), "bad_request");
    EXPECT_EQ(code_of(a->call("appointment-list", {{"specialty", "cardiology"}})), "bad_request");
    EXPECT_EQ(code_of(a->call("appointment-list",
                              {{"specialty", "ortho"}, {"from", at(0min)}, {"to", at(1h)}})),
              "unknown_specialty");
}

// ---------------------------------------------------------------------------------------------
// Two appointments never hold the same slot
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, ConcurrentBookingsOfOneSlotLetExactlyOneSucceed) {
    constexpr int kClients = 8;
    constexpr int kRounds = 4;
    const auto slots = open(at(24h), kRounds);
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::unique_ptr<AdminClient>> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(admin());
            ASSERT_EQ(clients.back()->call("version-get")["result"], 0);  // connected
        }
        std::vector<Json> answers(kClients);
        std::latch go(kClients);
        std::vector<std::thread> threads;
        for (int i = 0; i < kClients; ++i) {
            threads.emplace_back([&, i] {
                const Json who =
                    patient("+3361000000" + std::to_string(i), "P" + std::to_string(i));
                go.arrive_and_wait();
                answers[i] = clients[i]->call("appointment-book", {{"slot_id", slots[round]},
                                                                   {"patient", who},
                                                                   {"reason", "race"},
                                                                   {"by", "a1"}});
            });
        }
        for (auto& t : threads)
            t.join();
        int won = 0;
        std::int64_t winner = 0;
        for (const Json& r : answers) {
            if (r["result"] == 0) {
                ++won;
                winner = args_of(r)["appointment_id"];
            } else {
                EXPECT_EQ(code_of(r), "slot_taken") << r;
            }
        }
        EXPECT_EQ(won, 1) << "round " << round;
        EXPECT_EQ(slot_map()[slots[round]], winner);
    }
    const Json all = a->call("appointment-list",
                             {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}});
    EXPECT_EQ(args_of(all)["appointments"].size(), std::size_t(kRounds));
}

TEST_F(AgendaAdminTest, AMoveToATakenSlotIsRefusedAndChangesNothing) {
    const auto slots = open(at(24h), 3);
    const auto mine = booked(slots[0]);
    const auto theirs = booked(slots[1], patient("+33600000000", "Other"));
    ASSERT_EQ(a->call("reminder-sent", {{"appointment_id", mine}})["result"], 0);
    const Json before = args_of(a->call("appointment-list", {{"phone", kPhone}}));
    ASSERT_FALSE(before["appointments"][0]["reminder_sent_at"].is_null());
    const Json r = a->call("appointment-move",
                           {{"appointment_id", mine}, {"slot_id", slots[1]}, {"by", "a1"}});
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(code_of(r), "slot_taken");
    EXPECT_EQ(r["text"], "slot " + std::to_string(slots[1]) + " is taken by appointment " +
                             std::to_string(theirs));
    const std::map<std::int64_t, std::int64_t> expected = {
        {slots[0], mine}, {slots[1], theirs}, {slots[2], 0}};
    EXPECT_EQ(slot_map(), expected);
    EXPECT_EQ(args_of(a->call("appointment-list", {{"phone", kPhone}})), before);
    // Moving to the free slot works, frees the old one, and is due a reminder again.
    const Json moved = a->call("appointment-move",
                               {{"appointment_id", mine}, {"slot_id", slots[2]}, {"by", "a1"}});
    ASSERT_EQ(moved["result"], 0) << moved;
    EXPECT_EQ(args_of(moved)["slot_id"], slots[2]);
    EXPECT_EQ(args_of(moved)["start"], at(24h + 40min));
    EXPECT_TRUE(args_of(moved)["reminder_sent_at"].is_null());
    EXPECT_EQ(args_of(moved)["freed_slot"]["slot_id"], slots[0]);
    const std::map<std::int64_t, std::int64_t> after = {
        {slots[0], 0}, {slots[1], theirs}, {slots[2], mine}};
    EXPECT_EQ(slot_map(), after);
}

TEST_F(AgendaAdminTest, AppointmentMoveRefusesUnknownMalformedAndImpossibleMoves) {
    const auto slots = open(at(24h), 2);
    const auto neuro = open(at(24h), 1, "dr-n", "neurology")[0];
    const auto mine = booked(slots[0]);
    const auto move = [&](Json args) {
        args["by"] = "a1";
        const Json r = a->call("appointment-move", args);
        EXPECT_EQ(r["result"], 1) << args;
        return code_of(r) + ": " + r["text"].get<std::string>();
    };
    EXPECT_EQ(move({{"slot_id", slots[1]}}), "bad_request: missing argument 'appointment_id'");
    EXPECT_EQ(move({{"appointment_id", mine}}), "bad_request: missing argument 'slot_id'");
    EXPECT_EQ(
        code_of(a->call("appointment-move", {{"appointment_id", mine}, {"slot_id", slots[1]}})),
        "bad_request");  // no 'by'
    EXPECT_EQ(move({{"appointment_id", 999}, {"slot_id", slots[1]}}),
              "unknown_appointment: no appointment 999");
    EXPECT_EQ(move({{"appointment_id", mine}, {"slot_id", 999}}), "unknown_slot: no slot 999");
    EXPECT_EQ(move({{"appointment_id", mine}, {"slot_id", slots[0]}}),
              "invalid_state: appointment " + std::to_string(mine) + " is in slot " +
                  std::to_string(slots[0]) + " already");
    EXPECT_EQ(move({{"appointment_id", mine}, {"slot_id", neuro}}).substr(0, 12), "bad_request:");
    const auto past = open(at(-30min), 1, "dr-past")[0];
    EXPECT_EQ(move({{"appointment_id", mine}, {"slot_id", past}}),
              "invalid_state: slot " + std::to_string(past) + " has already started");
    a->call("appointment-cancel", {{"appointment_id", mine}, {"reason", "x"}, {"by", "a1"}});
    EXPECT_EQ(move({{"appointment_id", mine}, {"slot_id", slots[1]}}),
              "invalid_state: appointment " + std::to_string(mine) + " is cancelled");
}

// ---------------------------------------------------------------------------------------------
// Waiting list, cancellation and the `agenda` topic
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, ACancellationReturnsTheMatchingWaitingListInOrderAndPublishesSlotFreed) {
    const auto slot = open(at(24h))[0];
    const auto appt = booked(slot);
    const auto wait = [&](const std::string& phone, const std::string& specialty,
                          std::optional<std::string> before = {}) {
        Json args = {{"specialty", specialty},
                     {"patient", patient(phone, "W" + phone)},
                     {"reason", "sooner please"},
                     {"by", "a2"}};
        if (before) args["before"] = *before;
        const Json r = a->call("waitlist-add", args);
        EXPECT_EQ(r["result"], 0) << r;
        return args_of(r).value("entry_id", std::int64_t(0));
    };
    const auto e1 = wait("+33600000001", "cardiology");
    const auto e2 = wait("+33600000002", "cardiology", at(-24h).substr(0, 10));  // too late
    const auto e3 = wait("+33600000003", "neurology");
    const auto e4 = wait("+33600000004", "cardiology", at(48h));
    (void)e3;
    const Json list = a->call("waitlist-list", {{"specialty", "cardiology"}});
    ASSERT_EQ(list["result"], 0);
    std::vector<std::int64_t> order;
    const Json entries = args_of(list)["entries"];
    for (const Json& e : entries)
        order.push_back(e["entry_id"]);
    EXPECT_EQ(order, (std::vector<std::int64_t>{e1, e2, e4}));
    EXPECT_EQ(args_of(list)["entries"][0]["patient"]["phone"], "+33600000001");

    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"agenda"}}})["result"], 0);
    const Json r = a->call("appointment-cancel",
                           {{"appointment_id", appt}, {"reason", "patient unwell"}, {"by", "a1"}});
    ASSERT_EQ(r["result"], 0) << r;
    EXPECT_EQ(args_of(r)["slot"]["slot_id"], slot);
    EXPECT_TRUE(args_of(r)["slot"]["appointment_id"].is_null());
    EXPECT_EQ(args_of(r)["appointment"]["status"], "cancelled");
    EXPECT_EQ(args_of(r)["appointment"]["cancel_reason"], "patient unwell");
    std::vector<std::int64_t> offered;
    const Json waitlist = args_of(r)["waitlist"];
    for (const Json& e : waitlist)
        offered.push_back(e["entry_id"]);
    EXPECT_EQ(offered, (std::vector<std::int64_t>{e1, e4}));

    const auto freed = next_event(*sub, "slot.freed");
    ASSERT_TRUE(freed) << daemon->log();
    EXPECT_EQ((*freed)["topic"], "agenda");
    EXPECT_EQ((*freed)["cause"], "appointment-cancel");
    EXPECT_EQ((*freed)["slot"]["slot_id"], slot);
    EXPECT_EQ((*freed)["waitlist"], args_of(r)["waitlist"]);

    // Booking the freed slot for a waiting patient takes them off the list.
    booked(slot, patient("+33600000001", "W+33600000001"));
    EXPECT_EQ(args_of(a->call("waitlist-list", {{"specialty", "cardiology"}}))["entries"].size(),
              2U);
}

TEST_F(AgendaAdminTest, CancelAndWaitlistRefuseUnknownMalformedAndRepeatedRequests) {
    const auto appt = booked(open(at(24h))[0]);
    EXPECT_EQ(code_of(a->call("appointment-cancel", {{"appointment_id", appt}, {"by", "a1"}})),
              "bad_request");  // no reason
    EXPECT_EQ(code_of(a->call("appointment-cancel", {{"appointment_id", appt}, {"reason", "x"}})),
              "bad_request");  // no by
    const Json unknown =
        a->call("appointment-cancel", {{"appointment_id", 404}, {"reason", "x"}, {"by", "a1"}});
    EXPECT_EQ(code_of(unknown), "unknown_appointment");
    EXPECT_EQ(unknown["text"], "no appointment 404");
    EXPECT_EQ(a->call("appointment-cancel",
                      {{"appointment_id", appt}, {"reason", "x"}, {"by", "a1"}})["result"],
              0);
    const Json again =
        a->call("appointment-cancel", {{"appointment_id", appt}, {"reason", "x"}, {"by", "a1"}});
    EXPECT_EQ(code_of(again), "invalid_state");
    EXPECT_EQ(again["text"], "appointment " + std::to_string(appt) + " is cancelled already");

    const Json good = {
        {"specialty", "cardiology"}, {"patient", patient()}, {"reason", "r"}, {"by", "a1"}};
    Json bad = good;
    bad["before"] = "next week";
    const Json r = a->call("waitlist-add", bad);
    EXPECT_EQ(code_of(r), "bad_request");
    EXPECT_EQ(r["text"], "argument 'before' must be a date (YYYY-MM-DD) or an RFC 3339 time");
    bad = good;
    bad["specialty"] = "ortho";
    EXPECT_EQ(code_of(a->call("waitlist-add", bad)), "unknown_specialty");
    bad = good;
    bad.erase("patient");
    EXPECT_EQ(code_of(a->call("waitlist-add", bad)), "bad_request");
    EXPECT_EQ(code_of(a->call("waitlist-list")), "bad_request");
    EXPECT_EQ(code_of(a->call("waitlist-list", {{"specialty", "ortho"}})), "unknown_specialty");
    EXPECT_EQ(a->call("waitlist-list", {{"specialty", "cardiology"}})["result"], 3);
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, MessagesAreListedByStatusAndAcknowledgedWithTheTime) {
    const Json normal = message("normal");
    ASSERT_EQ(normal["result"], 0) << normal;
    const Json urgent = message("urgent");
    const std::int64_t n = args_of(normal)["message_id"];
    const std::int64_t u = args_of(urgent)["message_id"];
    const Json open = a->call("message-list", {{"status", "open"}});
    ASSERT_EQ(open["result"], 0);
    const Json list = args_of(open)["messages"];
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0]["message_id"], u);  // urgent first
    EXPECT_EQ(list[1]["message_id"], n);
    EXPECT_EQ(list[0]["patient"]["name"], kName);
    EXPECT_EQ(list[0]["action"], "call_back");
    EXPECT_EQ(list[0]["reason"], "palpitations");
    EXPECT_EQ(list[0]["status"], "open");
    EXPECT_EQ(list[0]["overdue"], false);
    EXPECT_TRUE(list[0]["acknowledged_at"].is_null());
    EXPECT_EQ(a->call("message-list", {{"status", "acknowledged"}})["result"], 3);

    const auto before = std::chrono::system_clock::now();
    const Json ack = a->call("message-ack", {{"message_id", u}, {"by", "dr-a"}});
    ASSERT_EQ(ack["result"], 0) << ack;
    EXPECT_EQ(args_of(ack)["status"], "acknowledged");
    EXPECT_EQ(args_of(ack)["acknowledged_by"], "dr-a");
    const auto acknowledged_at = parse_time(args_of(ack)["acknowledged_at"].get<std::string>());
    ASSERT_TRUE(acknowledged_at);
    EXPECT_GE(*acknowledged_at + 1s, before);
    EXPECT_LE(*acknowledged_at, std::chrono::system_clock::now() + 1s);
    const Json done = args_of(a->call("message-list", {{"status", "acknowledged"}}))["messages"];
    ASSERT_EQ(done.size(), 1U);
    EXPECT_EQ(done[0]["message_id"], u);
    EXPECT_EQ(done[0]["acknowledged_at"], args_of(ack)["acknowledged_at"]);
    EXPECT_EQ(args_of(a->call("message-list", {{"status", "open"}}))["messages"].size(), 1U);
    EXPECT_EQ(args_of(a->call("message-list"))["messages"].size(), 2U);
    EXPECT_EQ(a->call("message-list", {{"specialty", "neurology"}})["result"], 3);

    // Errors
    const Json twice = a->call("message-ack", {{"message_id", u}, {"by", "dr-a"}});
    EXPECT_EQ(code_of(twice), "invalid_state");
    EXPECT_EQ(twice["text"], "message " + std::to_string(u) + " is acknowledged already");
    EXPECT_EQ(a->call("message-ack", {{"message_id", 404}, {"by", "dr-a"}})["text"],
              "no message 404");
    EXPECT_EQ(code_of(a->call("message-ack", {{"message_id", 404}, {"by", "dr-a"}})),
              "unknown_message");
    EXPECT_EQ(code_of(a->call("message-ack", {{"message_id", n}})), "bad_request");
    EXPECT_EQ(code_of(a->call("message-list", {{"status", "closed"}})), "bad_request");
    EXPECT_EQ(code_of(a->call("message-list", {{"specialty", "ortho"}})), "unknown_specialty");
    const Json good = {{"specialty", "cardiology"},
                       {"patient", patient()},
                       {"urgency", "normal"},
                       {"reason", "r"},
                       {"body", "b"},
                       {"action", "info"},
                       {"by", "a1"}};
    const auto with = [&](const char* key, Json value) {
        return a->call("message-create", changed(good, key, std::move(value)));
    };
    EXPECT_EQ(with("urgency", "asap")["text"], "argument 'urgency' must be one of: urgent, normal");
    EXPECT_EQ(with("action", "fax")["text"],
              "argument 'action' must be one of: call_back, book, info");
    EXPECT_EQ(code_of(with("body", nullptr)), "bad_request");
    EXPECT_EQ(code_of(with("reason", nullptr)), "bad_request");
    EXPECT_EQ(code_of(with("patient", nullptr)), "bad_request");
    EXPECT_EQ(code_of(with("by", nullptr)), "bad_request");
    EXPECT_EQ(code_of(with("specialty", "ortho")), "unknown_specialty");
    EXPECT_EQ(code_of(with("call_id", "nope")), "unknown_call");
    const Json to_someone = with("practitioner", "dr-a");
    EXPECT_EQ(to_someone["result"], 0);
}

// The daemon reads the wall clock (Service::now()), and nothing in it may be set back or
// forward from outside: no test hook offsets it, and the spec gives message-create no creation
// time. So the test makes the time pass in the only place the daemon learns it from: the
// message's created_at in the database, moved back while the daemon is stopped. The daemon reads
// it again on start (the overdue timer, status-get, a new subscriber) exactly as it would after
// 30 real minutes. No production code is changed for the test.
// A change whose writer job fails for a reason of its own (here a trigger the test adds, as a
// constraint would) fails alone: result 1 with code `store`, logged; acdd keeps serving, other
// changes and gateway events are made durable and acknowledged.
TEST_F(AgendaAdminTest, AChangeWhoseJobFailsFailsAloneAndAcddKeepsServing) {
    a.reset();
    ASSERT_EQ(daemon->stop(), 0);
    sql("CREATE TRIGGER refuse_messages BEFORE INSERT ON messages "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    ASSERT_TRUE(daemon->start()) << daemon->log();
    a = admin();
    const Json failed = message("normal");
    EXPECT_EQ(failed["result"], 1) << failed;
    EXPECT_EQ(code_of(failed), "store");
    EXPECT_NE(failed["text"].get<std::string>().find("refused by the test"), std::string::npos);
    EXPECT_TRUE(daemon->process().wait_for_stderr("store.job", 10s)) << daemon->log();

    EXPECT_EQ(a->call("status-get")["result"], 0);
    EXPECT_FALSE(open(at(24h)).empty());  // another change is made
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");  // acknowledged: durable
    EXPECT_TRUE(command(*g, "call.route"));
    EXPECT_EQ(args_of(a->call("audit-verify"))["ok"], true);
}

TEST_F(AgendaAdminTest, AnUrgentMessageOpenForMoreThan30MinutesIsCountedAndSentToANewSubscriber) {
    const std::int64_t u = args_of(message("urgent"))["message_id"];
    const std::int64_t n = args_of(message("normal"))["message_id"];
    EXPECT_EQ(args_of(a->call("status-get"))["urgent_messages_overdue"], 0);
    a.reset();
    ASSERT_EQ(daemon->stop(), 0);
    sql("UPDATE messages SET created_at = created_at - 31 * 60000");  // both: only urgent counts
    ASSERT_TRUE(daemon->start()) << daemon->log();
    a = admin();
    EXPECT_EQ(args_of(a->call("status-get"))["urgent_messages_overdue"], 1);
    const Json listed = args_of(a->call("message-list", {{"status", "open"}}))["messages"];
    ASSERT_EQ(listed.size(), 2U);
    EXPECT_EQ(listed[0]["overdue"], true);
    EXPECT_EQ(listed[1]["overdue"], false);  // normal: never overdue

    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"agenda"}}})["result"], 0);
    const auto overdue = next_event(*sub, "message.overdue");
    ASSERT_TRUE(overdue) << daemon->log();
    EXPECT_EQ((*overdue)["topic"], "agenda");
    EXPECT_EQ((*overdue)["message"]["message_id"], u);
    EXPECT_EQ((*overdue)["message"]["urgency"], "urgent");

    a->call("message-ack", {{"message_id", u}, {"by", "dr-a"}});
    a->call("message-ack", {{"message_id", n}, {"by", "dr-a"}});
    EXPECT_EQ(args_of(a->call("status-get"))["urgent_messages_overdue"], 0);
}

// As above, but the message becomes overdue 3 s after the restart, while a desk is subscribed:
// the daemon's own timer announces it, once.
TEST_F(AgendaAdminTest, AnUrgentMessageThatBecomesOverdueIsAnnouncedOnceOnTheAgendaTopic) {
    const std::int64_t u = args_of(message("urgent"))["message_id"];
    const auto appt = booked(open(at(24h))[0]);
    a.reset();
    ASSERT_EQ(daemon->stop(), 0);
    sql("UPDATE messages SET created_at = created_at - (30 * 60000 - 3000)");
    ASSERT_TRUE(daemon->start()) << daemon->log();
    a = admin();
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"agenda"}}})["result"], 0);
    const auto overdue = next_event(*sub, "message.overdue", 20s);
    ASSERT_TRUE(overdue) << daemon->log();
    EXPECT_EQ((*overdue)["message"]["message_id"], u);
    EXPECT_EQ(args_of(a->call("status-get"))["urgent_messages_overdue"], 1);
    // Another message makes the daemon look again: the overdue one is not announced twice.
    message("normal");
    a->call("appointment-cancel", {{"appointment_id", appt}, {"reason", "x"}, {"by", "a1"}});
    const auto next = sub->receive();
    ASSERT_TRUE(next);
    EXPECT_EQ((*next)["event"], "slot.freed");
}

// ---------------------------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, RemindersDueListsTheWindowAndReminderSentTakesOneOut) {
    const auto soon = booked(open(at(2h))[0]);
    const auto tomorrow = booked(open(at(30h))[0]);
    const auto cancelled = booked(open(at(3h), 1, "dr-c")[0]);
    a->call("appointment-cancel", {{"appointment_id", cancelled}, {"reason", "x"}, {"by", "a1"}});
    const auto ids = [&](const Json& r) {
        std::vector<std::int64_t> out;
        const Json list = args_of(r)["appointments"];
        for (const Json& x : list)
            out.push_back(x["appointment_id"]);
        return out;
    };
    const Json day = a->call("reminders-due");
    EXPECT_EQ(args_of(day)["within_h"], 24);
    EXPECT_EQ(ids(day), std::vector<std::int64_t>{soon});
    EXPECT_EQ(args_of(day)["appointments"][0]["patient"]["phone"], kPhone);  // for the SMS
    EXPECT_EQ(ids(a->call("reminders-due", {{"within_h", 48}})),
              (std::vector<std::int64_t>{soon, tomorrow}));
    EXPECT_EQ(a->call("reminders-due", {{"within_h", 1}})["result"], 3);

    const Json sent = a->call("reminder-sent", {{"appointment_id", soon}});
    ASSERT_EQ(sent["result"], 0) << sent;
    EXPECT_FALSE(args_of(sent)["reminder_sent_at"].is_null());
    EXPECT_EQ(ids(a->call("reminders-due", {{"within_h", 48}})),
              std::vector<std::int64_t>{tomorrow});
    // A retry of the sender keeps the first time.
    EXPECT_EQ(args_of(a->call("reminder-sent", {{"appointment_id", soon}}))["reminder_sent_at"],
              args_of(sent)["reminder_sent_at"]);

    for (const Json& bad : {Json(0), Json(-1), Json("24"), Json(745)}) {
        EXPECT_EQ(code_of(a->call("reminders-due", {{"within_h", bad}})), "bad_request") << bad;
    }
    EXPECT_EQ(code_of(a->call("reminder-sent", {{"appointment_id", 404}})), "unknown_appointment");
    EXPECT_EQ(code_of(a->call("reminder-sent")), "bad_request");
    const Json on_cancelled = a->call("reminder-sent", {{"appointment_id", cancelled}});
    EXPECT_EQ(code_of(on_cancelled), "invalid_state");
}

// ---------------------------------------------------------------------------------------------
// Caller history across calls
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, CallerHistoryShowsPastCallsUpcomingAppointmentsAndOpenMessagesAcrossCalls) {
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const auto slot = open(at(24h))[0];

    // First call: a new caller; the desk pops a summary with nothing in it yet.
    offer(*g, "c1");
    const auto route1 = command(*g, "call.route");
    ASSERT_TRUE(route1);
    EXPECT_EQ((*route1)["caller"], Json::parse(R"({"past_calls":0,"next_appointment":null})"));
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    // During the call: a booking and a message carry its id.
    const Json b = book(slot, patient(), "c1");
    ASSERT_EQ(b["result"], 0) << b;
    const std::int64_t appt = args_of(b)["appointment_id"];
    EXPECT_EQ(args_of(b)["call_id"], "c1");
    ASSERT_EQ(message("normal", "c1")["result"], 0);
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});

    // Second call: the summary knows the past call and the appointment, on the gateway's
    // call.route and on the `calls` topic.
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"calls"}}})["result"], 0);
    offer(*g, "c2");
    const auto route2 = command(*g, "call.route");
    ASSERT_TRUE(route2);
    EXPECT_EQ((*route2)["call_id"], "c2");
    const Json summary = (*route2)["caller"];
    EXPECT_EQ(summary["past_calls"], 1);
    EXPECT_EQ(summary["next_appointment"]["appointment_id"], appt);
    EXPECT_EQ(summary["next_appointment"]["start"], at(24h));
    EXPECT_EQ(summary["next_appointment"]["specialty"], "cardiology");
    EXPECT_EQ(summary["next_appointment"]["practitioner"], "dr-a");
    const auto routed = next_event(*sub, "call.routed");
    ASSERT_TRUE(routed);
    EXPECT_EQ((*routed)["call"]["call_id"], "c2");
    EXPECT_EQ((*routed)["caller"], summary);
    EXPECT_EQ((*routed).dump().find(kDigits), std::string::npos);  // a pseudonym, no number

    // The history, by the number and by the live call's id.
    const Json by_phone = a->call("caller-history", {{"phone", kPhone}});
    ASSERT_EQ(by_phone["result"], 0) << by_phone;
    EXPECT_EQ(by_phone["text"], "1 past calls, 1 upcoming appointments, 1 open messages");
    const Json h = args_of(by_phone);
    EXPECT_EQ(h["patient"]["phone"], kPhone);
    EXPECT_EQ(h["patient"]["name"], kName);
    EXPECT_EQ(h["calls_total"], 1);
    ASSERT_EQ(h["calls"].size(), 1U);
    EXPECT_EQ(h["calls"][0]["call_id"], "c1");
    EXPECT_EQ(h["calls"][0]["specialty"], "cardiology");
    EXPECT_EQ(h["calls"][0]["class"], "appointment");
    EXPECT_EQ(h["calls"][0]["outcome"], "completed");
    EXPECT_EQ(h["calls"][0]["agent"], "a1");
    EXPECT_GE(h["calls"][0]["wait_s"], 0);
    ASSERT_EQ(h["appointments"].size(), 1U);
    EXPECT_EQ(h["appointments"][0]["appointment_id"], appt);
    EXPECT_EQ(h["appointments"][0]["call_id"], "c1");
    ASSERT_EQ(h["messages"].size(), 1U);
    EXPECT_EQ(h["messages"][0]["call_id"], "c1");
    ASSERT_GE(h["changes"].size(), 2U);
    EXPECT_EQ(h["changes"][0]["change"], "message-create");
    EXPECT_EQ(h["changes"][1]["change"], "appointment-book");
    EXPECT_EQ(h["changes"][1]["call_id"], "c1");
    EXPECT_EQ(h["changes"][1]["by"], "a1");
    EXPECT_EQ(args_of(a->call("caller-history", {{"call_id", "c2"}})), h);
    EXPECT_EQ(args_of(a->call("caller-history", {{"call_id", "c1"}})), h);  // a finished call

    // Another caller has no history of this one's.
    offer(*g, "c3", "+33699999999");
    EXPECT_EQ(a->call("caller-history", {{"call_id", "c3"}})["text"],
              "0 past calls, 0 upcoming appointments, 0 open messages");
    EXPECT_EQ(a->call("caller-history", {{"phone", "+33699999999"}})["result"], 0);  // the call
    // An anonymous call: nothing.
    offer(*g, "c4", "");
    const Json anonymous = a->call("caller-history", {{"call_id", "c4"}});
    EXPECT_EQ(anonymous["result"], 3);
    EXPECT_EQ(anonymous["text"], "anonymous caller: no history");
    // Errors
    EXPECT_EQ(code_of(a->call("caller-history", {{"call_id", "nope"}})), "unknown_call");
    EXPECT_EQ(a->call("caller-history", {{"call_id", "nope"}})["text"], "no call 'nope'");
    const Json neither = a->call("caller-history");
    EXPECT_EQ(code_of(neither), "bad_request");
    EXPECT_EQ(neither["text"], "give 'call_id' or 'phone'");
    EXPECT_EQ(code_of(a->call("caller-history", {{"phone", "x"}})), "bad_request");
    EXPECT_EQ(a->call("caller-history", {{"phone", "+352621000999"}})["result"], 3);
}

// ---------------------------------------------------------------------------------------------
// Erasure
// ---------------------------------------------------------------------------------------------

TEST_F(AgendaAdminTest, PatientEraseLeavesNoPersonalDataInAnswersOrInTheDatabaseFiles) {
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const auto slots = open(at(24h), 2);
    offer(*g, "c1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    Json args = {{"slot_id", slots[0]},
                 {"patient", {{"phone", kPhone}, {"name", kName}, {"birth_date", "1961-07-14"}}},
                 {"reason", "Holter results of Mrs Dupont-Martel"},
                 {"by", "a1"},
                 {"call_id", "c1"}};
    const std::int64_t appt = args_of(a->call("appointment-book", args))["appointment_id"];
    ASSERT_EQ(message("urgent", "c1")["result"], 0);
    a->call("waitlist-add", {{"specialty", "cardiology"},
                             {"patient", patient()},
                             {"reason", "earlier if possible"},
                             {"by", "a1"}});
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    booked(slots[1], patient("+33600000000", "Someone Else"));

    const Json r = a->call("patient-erase", {{"phone", kPhone}, {"by", "dpo"}});
    ASSERT_EQ(r["result"], 0) << r;
    EXPECT_EQ(args_of(r)["erased"], Json::parse(R"({"personal_data":1,"appointments":1,
        "messages":1,"waitlist":1,"calls":1,"changes":3})"));

    // Nothing leads from the number to anything.
    EXPECT_EQ(a->call("appointment-list", {{"phone", kPhone}})["result"], 3);
    const Json history = a->call("caller-history", {{"phone", kPhone}});
    EXPECT_EQ(history["result"], 3) << history;
    EXPECT_EQ(a->call("caller-history", {{"call_id", "c1"}})["text"],
              "anonymous caller: no history");
    // What is left shows no personal data: the slot stays booked, the message stays.
    const Json left = a->call("appointment-list",
                              {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}});
    ASSERT_EQ(args_of(left)["appointments"].size(), 2U);
    EXPECT_EQ(args_of(left)["appointments"][0]["appointment_id"], appt);
    EXPECT_TRUE(args_of(left)["appointments"][0]["patient"].is_null());
    EXPECT_EQ(args_of(left)["appointments"][0]["reason"], "");
    EXPECT_EQ(args_of(left)["appointments"][1]["patient"]["name"], "Someone Else");
    const Json messages = args_of(a->call("message-list"))["messages"];
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_TRUE(messages[0]["patient"].is_null());
    EXPECT_EQ(messages[0]["body"], "");
    EXPECT_EQ(a->call("waitlist-list", {{"specialty", "cardiology"}})["result"], 3);
    for (const Json& answer :
         {left, history, a->call("message-list"), a->call("reminders-due"),
          a->call("slot-list",
                  {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}})}) {
        const std::string text = answer.dump();
        EXPECT_EQ(text.find(kDigits), std::string::npos) << text;
        EXPECT_EQ(text.find("Dupont"), std::string::npos) << text;
    }
    const Json verify = a->call("audit-verify");
    EXPECT_EQ(args_of(verify)["ok"], true) << verify;
    // The answer came once the write-ahead log was emptied: the old page versions (the name,
    // the free text in clear) are gone from the files while the daemon runs, too.
    for (const char* suffix : {"", "-wal"}) {
        const std::string bytes = file_bytes(db_path().string() + suffix);
        EXPECT_EQ(bytes.find("Palpitations since"), std::string::npos) << suffix;
        EXPECT_EQ(bytes.find("Holter results"), std::string::npos) << suffix;
    }
    // Erasing again finds nothing.
    EXPECT_EQ(a->call("patient-erase", {{"phone", kPhone}, {"by", "dpo"}})["result"], 3);
    EXPECT_EQ(code_of(a->call("patient-erase", {{"phone", kPhone}})), "bad_request");
    EXPECT_EQ(code_of(a->call("patient-erase", {{"by", "dpo"}})), "bad_request");

    // And the bytes are gone from the files, the log included.
    a.reset();
    g.reset();
    ASSERT_EQ(daemon->stop(), 0);
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const auto path = db_path().string() + suffix;
        if (!std::filesystem::exists(path)) continue;
        const std::string bytes = file_bytes(path);
        EXPECT_EQ(bytes.find(kDigits), std::string::npos) << path;
        EXPECT_EQ(bytes.find("Dupont"), std::string::npos) << path;
        EXPECT_EQ(bytes.find("Palpitations since"), std::string::npos) << path;
        EXPECT_EQ(bytes.find("1961-07-14"), std::string::npos) << path;
        EXPECT_EQ(bytes.find("Holter results"), std::string::npos) << path;
    }
    // The other patient is still there, sealed: a check that the scan can see the file at all.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM pii", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

// Issue: a patient erased during a live call reappeared in caller-history when that call ended.
TEST_F(AgendaAdminTest, ErasureCoversTheCallsStillLive) {
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    const Json r = a->call("patient-erase", {{"phone", kPhone}, {"by", "dpo"}});
    ASSERT_EQ(r["result"], 0) << r;
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    const Json history = a->call("caller-history", {{"phone", kPhone}});
    EXPECT_EQ(history["result"], 3) << history;
    // A call after the erasure is a new contact: it is this number's history again.
    offer(*g, "c2");
    event(*g, {{"type", "call.ended"}, {"call_id", "c2"}});
    const Json again = a->call("caller-history", {{"phone", kPhone}});
    ASSERT_EQ(again["result"], 0) << again;
    ASSERT_EQ(args_of(again)["calls"].size(), 1U);
    EXPECT_EQ(args_of(again)["calls"][0]["call_id"], "c2");
}

// Issue: the erasure of a patient during a live call was remembered in memory only; a restart
// before the call ended recorded it under the patient's pseudonym after all.
TEST_F(AgendaAdminTest, ErasureCoversTheCallsStillLiveAcrossARestart) {
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    ASSERT_EQ(a->call("patient-erase", {{"phone", kPhone}, {"by", "dpo"}})["result"], 0);
    g.reset();
    a.reset();
    daemon->kill();  // the erasure is answered once durable: nothing else needs to be
    ASSERT_TRUE(daemon->start()) << daemon->log();
    a = admin();
    g = std::make_unique<GatewayClient>(daemon->port());
    ASSERT_TRUE(g->hello("gw1")) << daemon->log();
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    const Json history = a->call("caller-history", {{"phone", kPhone}});
    EXPECT_EQ(history["result"], 3) << history;
    // The call is still in the calls table, under a pseudonym no number gives.
    const Json by_call = a->call("caller-history", {{"call_id", "c1"}});
    EXPECT_EQ(by_call["result"], 3) << by_call;
}

TEST_F(AgendaAdminTest, EveryAgendaChangeIsAuditedWithWhoMadeItAndTheCall) {
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    const auto slots = open(at(24h), 2);
    offer(*g, "c1");
    const std::int64_t appt = args_of(book(slots[0], patient(), "c1"))["appointment_id"];
    book(slots[0], patient("+33600000000", "Other"), "c1");  // refused: slot_taken
    a->call("appointment-move",
            {{"appointment_id", appt}, {"slot_id", slots[1]}, {"by", "a1"}, {"call_id", "c1"}});
    a->call("waitlist-add",
            {{"specialty", "cardiology"}, {"patient", patient()}, {"reason", "r"}, {"by", "a1"}});
    const std::int64_t m = args_of(message("urgent", "c1"))["message_id"];
    a->call("message-ack", {{"message_id", m}, {"by", "dr-a"}});
    a->call("reminder-sent", {{"appointment_id", appt}});
    a->call("appointment-cancel",
            {{"appointment_id", appt}, {"reason", "r"}, {"by", "a1"}, {"call_id", "c1"}});
    a->call("patient-erase", {{"phone", kPhone}, {"by", "dpo"}});
    a->call("slot-list", {{"specialty", "cardiology"}, {"from", at(0min)}, {"to", at(48h)}});
    a.reset();
    g.reset();
    ASSERT_EQ(daemon->stop(), 0);

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(
            db,
            "SELECT type, uid, gid, call_id, gateway, agent, body FROM audit "
            "WHERE kind = 'action' AND type NOT IN ('agent-login', 'shutdown', 'call-unlink') "
            "ORDER BY id",
            -1, &stmt, nullptr),
        SQLITE_OK);
    struct Row {
        std::string type, call_id, gateway, agent;
        Json body;
    };
    const auto text = [&](int col) {
        const auto* t = sqlite3_column_text(stmt, col);
        return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    std::vector<Row> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        EXPECT_EQ(sqlite3_column_int64(stmt, 1), ::getuid());
        EXPECT_EQ(sqlite3_column_int64(stmt, 2), ::getgid());
        rows.push_back({text(0), text(3), text(4), text(5), Json::parse(text(6))});
        EXPECT_EQ(text(6).find(kDigits), std::string::npos) << text(6);
        EXPECT_EQ(text(6).find("Jeanne"), std::string::npos) << text(6);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    std::vector<std::string> types;
    for (const Row& r : rows)
        types.push_back(r.type);
    EXPECT_EQ(types, (std::vector<std::string>{"slot-open", "appointment-book", "appointment-book",
                                               "appointment-move", "waitlist-add", "message-create",
                                               "message-ack", "reminder-sent", "appointment-cancel",
                                               "patient-erase"}));
    ASSERT_EQ(rows.size(), 10U);
    const Row& booking = rows[1];
    EXPECT_EQ(booking.call_id, "c1");
    EXPECT_EQ(booking.gateway, "gw1");
    EXPECT_EQ(booking.agent, "a1");
    EXPECT_EQ(booking.body["arguments"]["by"], "a1");
    EXPECT_EQ(booking.body["result"], 0);
    EXPECT_EQ(booking.body["appointment_id"], appt);
    EXPECT_TRUE(booking.body["arguments"]["patient"].is_string());  // the pseudonym
    EXPECT_FALSE(booking.body["arguments"].contains("reason"));
    const Row& taken = rows[2];
    EXPECT_EQ(taken.body["result"], 1);
    EXPECT_EQ(taken.body["code"], "slot_taken");
    EXPECT_EQ(taken.call_id, "c1");
    EXPECT_NE(taken.body["arguments"]["patient"], booking.body["arguments"]["patient"]);
    EXPECT_EQ(rows[3].call_id, "c1");  // move
    EXPECT_EQ(rows[3].body["freed_slot_id"], slots[0]);
    EXPECT_EQ(rows[4].call_id, "");  // not during a call
    EXPECT_EQ(rows[4].body["arguments"]["patient"], booking.body["arguments"]["patient"]);
    EXPECT_EQ(rows[5].call_id, "c1");
    EXPECT_EQ(rows[6].body["arguments"]["by"], "dr-a");
    EXPECT_EQ(rows[6].agent, "");      // not an agent of the config
    EXPECT_EQ(rows[8].call_id, "c1");  // cancel
    EXPECT_EQ(rows[9].body["arguments"]["by"], "dpo");
    EXPECT_EQ(rows[9].body["erased"]["appointments"], 1);
    // c1 was live at the erasure: it is journaled as unlinked, under a pseudonym no number gives.
    ASSERT_EQ(sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT call_id, gateway, body FROM audit WHERE kind = 'action' "
                                 "AND type = 'call-unlink'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(text(0), "c1");
    EXPECT_EQ(text(1), "gw1");
    EXPECT_TRUE(Json::parse(text(2))["unlinked"].get<std::string>().starts_with("erased:"));
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

// ---------------------------------------------------------------------------------------------
// Site time (config.md v1.1 site.timezone): what acdd shows is in the site's zone, with its offset
// ---------------------------------------------------------------------------------------------

struct AgendaSiteTimeTest : AgendaAdminTest {
    ZoneRules zone = *zone_rules("Europe/Luxembourg");  // +01:00 in winter, +02:00 in summer
    void SetUp() override {
        Json config = test_config(daemon->dir());
        config["site"] = {{"timezone", "Europe/Luxembourg"}};
        daemon->configure(config);
        AgendaAdminTest::SetUp();
    }
    // Whether `shown` is a time written in the site's zone with the offset in force then.
    ::testing::AssertionResult in_site_time(const Json& shown) {
        if (!shown.is_string()) return ::testing::AssertionFailure() << shown << " is no time";
        const auto t = parse_time(shown.get<std::string>());
        if (!t) return ::testing::AssertionFailure() << shown << " does not parse";
        const std::string expected = format_site_time(zone, *t);
        if (expected != shown) {
            return ::testing::AssertionFailure() << shown << " instead of " << expected;
        }
        return ::testing::AssertionSuccess();
    }
};

TEST_F(AgendaSiteTimeTest, SlotTimesAreShownInTheSiteZoneInWinterAndInSummer) {
    open("2027-01-15T09:00:00Z");
    open("2027-07-15T09:00:00Z");
    open("2027-07-15T14:20:00+05:00");  // any offset is taken: 09:20 UTC
    const Json r = a->call("slot-list", {{"specialty", "cardiology"},
                                         {"from", "2027-01-01T00:00:00+01:00"},
                                         {"to", "2027-12-31T00:00:00Z"}});
    ASSERT_EQ(r["result"], 0) << r;
    const Json slots = args_of(r)["slots"];
    ASSERT_EQ(slots.size(), 3U) << r;
    EXPECT_EQ(slots[0]["start"], "2027-01-15T10:00:00.000+01:00");
    EXPECT_EQ(slots[1]["start"], "2027-07-15T11:00:00.000+02:00");
    EXPECT_EQ(slots[2]["start"], "2027-07-15T11:20:00.000+02:00");
}

TEST_F(AgendaSiteTimeTest, AppointmentsMessagesAndTheWaitingListShowSiteTime) {
    const auto slots = open("2027-07-15T09:00:00Z");
    const Json booked = book(slots.at(0));
    ASSERT_EQ(booked["result"], 0) << booked;
    EXPECT_EQ(args_of(booked)["start"], "2027-07-15T11:00:00.000+02:00");
    EXPECT_TRUE(in_site_time(args_of(booked)["booked_at"]));
    const Json listed = a->call("appointment-list", {{"phone", kPhone}});
    ASSERT_EQ(listed["result"], 0) << listed;
    EXPECT_EQ(args_of(listed)["appointments"][0]["start"], "2027-07-15T11:00:00.000+02:00");

    // A date is the site's day: 00:00 in Luxembourg, summer time.
    ASSERT_EQ(a->call("waitlist-add", {{"specialty", "cardiology"},
                                       {"patient", patient()},
                                       {"reason", "r"},
                                       {"by", "a1"},
                                       {"before", "2027-07-15"}})["result"],
              0);
    const Json waiting = a->call("waitlist-list", {{"specialty", "cardiology"}});
    ASSERT_EQ(waiting["result"], 0) << waiting;
    EXPECT_EQ(args_of(waiting)["entries"][0]["before"], "2027-07-15T00:00:00.000+02:00");
    EXPECT_TRUE(in_site_time(args_of(waiting)["entries"][0]["added_at"]));

    ASSERT_EQ(message("urgent")["result"], 0);
    const Json messages = a->call("message-list");
    ASSERT_EQ(messages["result"], 0) << messages;
    EXPECT_TRUE(in_site_time(args_of(messages)["messages"][0]["created_at"]));
    const Json history = a->call("caller-history", {{"phone", kPhone}});
    ASSERT_EQ(history["result"], 0) << history;
    EXPECT_EQ(args_of(history)["appointments"][0]["start"], "2027-07-15T11:00:00.000+02:00");
    EXPECT_TRUE(in_site_time(args_of(history)["changes"][0]["at"]));
}

TEST_F(AgendaSiteTimeTest, TheTopicsAtIsSiteTime) {
    auto sub = admin();
    ASSERT_EQ(sub->call("subscribe", {{"topics", {"calls", "agents"}}})["result"], 0);
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    bool agent_seen = false;
    bool call_seen = false;
    while (!agent_seen || !call_seen) {
        const auto m = sub->receive();
        ASSERT_TRUE(m) << "no event of both topics";
        if (!m->contains("topic")) continue;
        EXPECT_TRUE(in_site_time((*m)["at"])) << *m;
        agent_seen = agent_seen || (*m)["topic"] == "agents";
        call_seen = call_seen || (*m)["topic"] == "calls";
    }
}

}  // namespace
}  // namespace acd::test
