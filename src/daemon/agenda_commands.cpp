#include "agenda_commands.hpp"

#include <fmt/format.h>

#include "acd/agenda_views.hpp"
#include "logging.hpp"

namespace acd {
namespace {

using Answer = AgendaCommands::Answer;
using Written = AgendaCommands::Written;

constexpr std::size_t kMaxIdChars = 128;  // by, practitioner, specialty
constexpr std::size_t kMaxNameChars = 200;
constexpr std::size_t kMaxTextChars = 4000;  // reason, body
constexpr std::int64_t kMaxSlotMinutes = 24 * 60;
constexpr std::int64_t kMaxSlotsAtOnce = 500;
constexpr double kMaxReminderHours = 24 * 31;

Answer failure(std::string_view code, std::string text) {
    return {1, std::move(text), {{"code", code}}};
}
Answer from_refusal(const agenda::Refusal& r) {
    return failure(r.code, r.message);
}
Answer store_failure(const Error& e) {
    log_error("agenda.read", "{}", e.message);
    return failure("store", e.message);
}

// Digits, and a '+' before them; a number has at least 3 digits and at most 20.
bool plausible_phone(const std::string& normalized) {
    const std::size_t digits = normalized.size() - (normalized.starts_with('+') ? 1 : 0);
    return digits >= 3 && digits <= 20;
}

// A calendar date YYYY-MM-DD.
std::optional<std::chrono::sys_days> parse_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(std::stoi(s.substr(0, 4))),
                                          std::chrono::month(unsigned(std::stoi(s.substr(5, 2)))),
                                          std::chrono::day(unsigned(std::stoi(s.substr(8, 2))))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

// The arguments of one request, read with the shared reader (include/acd/json.hpp): the first
// problem becomes a bad_request naming the argument, and the getters then return defaults.
class Fields {
  public:
    explicit Fields(const Json& args, std::string prefix = "")
        : r_(json::Reader::named(args, "argument", problems_, std::move(prefix))) {}

    bool failed() const { return !problems_.empty(); }
    Answer error() const { return failure("bad_request", problems_.front().message); }
    bool has(const char* name) const { return r_.has(name); }

    // A non-empty string of at most `max` characters.
    std::string word(const char* name, std::size_t max = kMaxIdChars, bool required = true) {
        return r_.word(name, max, required).value_or("");
    }
    // Free text: any string up to kMaxTextChars, possibly empty.
    std::string text(const char* name) {
        return r_.text(name, kMaxTextChars, json::required).value_or("");
    }
    std::int64_t integer(const char* name, std::int64_t lo, std::int64_t hi,
                         std::optional<std::int64_t> fallback = std::nullopt) {
        const auto v = r_.integer(name, lo, hi, /*required=*/!fallback);
        return v.value_or(fallback.value_or(0));
    }
    std::int64_t id(const char* name) {
        return integer(name, 1, std::numeric_limits<std::int64_t>::max());
    }
    Time time(const char* name) { return r_.time(name, json::required).value_or(Time{}); }
    // A date (YYYY-MM-DD, that day 00:00 UTC) or an RFC 3339 time.
    std::optional<Time> date_or_time(const char* name) {
        const Json* v = r_.get(name);
        if (v == nullptr) return std::nullopt;
        if (v->is_string()) {
            if (const auto d = parse_date(v->get<std::string>())) return Time(*d);
            if (const auto t = parse_time(v->get<std::string>())) return *t;
        }
        r_.wrong(name, "a date (YYYY-MM-DD) or an RFC 3339 time");
        return std::nullopt;
    }
    bool flag(const char* name, bool fallback) { return r_.boolean(name).value_or(fallback); }
    std::string choice(const char* name, std::initializer_list<std::string_view> allowed,
                       bool required = true) {
        return r_.choice(name, allowed, required).value_or("");
    }
    // A phone number, normalized (digits and a leading '+').
    std::string phone(const char* name) {
        const auto given = r_.word(name, 40, json::required);
        if (!given) return {};
        const std::string normalized = normalize_phone(*given);
        if (!plausible_phone(normalized)) {
            r_.wrong(name, "a phone number, e.g. +33612345678");
            return {};
        }
        return normalized;
    }
    // {"phone", "name", optional "birth_date"}
    agenda::PatientData patient() {
        const Json* v = r_.get("patient");
        if (v == nullptr || !v->is_object()) {
            r_.wrong("patient", "an object with 'phone' and 'name'");
            return {};
        }
        Fields inner(*v, "patient: ");
        agenda::PatientData p;
        p.phone = inner.phone("phone");
        p.name = inner.word("name", kMaxNameChars);
        if (inner.has("birth_date")) {
            const std::string date = inner.word("birth_date", 10);
            if (!inner.failed() && !parse_date(date)) {
                inner.r_.wrong("birth_date", "a date YYYY-MM-DD");
            }
            p.birth_date = date;
        }
        if (inner.failed()) r_.fail(inner.problems_.front().message);
        return p;
    }

    void fail(std::string text) { r_.fail(std::move(text)); }

  private:
    json::Problems problems_;
    json::Reader r_;
};

// The arguments as the audit log keeps them: no personal data, no free text (both may name the
// patient, and the log is append-only: they could never be erased). The patient appears as
// their pseudonym.
Json redacted(const Json& args, const PiiKey& key) {
    static const std::set<std::string, std::less<>> kept = {
        "slot_id",   "appointment_id", "message_id", "specialty", "practitioner",
        "start",     "duration_min",   "count",      "from",      "to",
        "free_only", "urgency",        "action",     "by",        "call_id",
        "gateway",   "before",         "within_h",   "status",    "include_cancelled"};
    Json out = Json::object();
    const auto pseudonym_of = [&](const Json& phone) -> Json {
        if (!phone.is_string()) return nullptr;
        const std::string n = normalize_phone(phone.get<std::string>());
        return plausible_phone(n) ? Json(key.pseudonym(n)) : Json(nullptr);
    };
    for (const auto& [name, value] : args.items()) {
        if (kept.contains(name)) {
            out[name] = value;
        } else if (name == "phone") {
            out["patient"] = pseudonym_of(value);
        } else if (name == "patient") {
            out["patient"] =
                value.is_object() ? pseudonym_of(value.value("phone", Json())) : Json(nullptr);
        }
    }
    return out;
}

Json error_facts(const Answer& a) {
    return a.arguments.contains("code") ? Json{{"code", a.arguments["code"]}} : Json::object();
}

Result<Written> refused(const agenda::Refusal& r) {
    Written w;
    w.answer = from_refusal(r);
    w.facts = {{"code", r.code}};
    return w;
}

Json freed_event(const std::string& cause, const agenda::Freed& freed, Time at) {
    return {{"topic", "agenda"},
            {"event", "slot.freed"},
            {"at", format_time(at)},
            {"cause", cause},
            {"slot", slot_json(freed.slot)},
            {"waitlist", json_list(freed.waitlist, entry_json)}};
}

}  // namespace

AgendaCommands::AgendaCommands(asio::io_context& io, Service& service, Store& store,
                               Publish publish)
    : io_(io),
      service_(service),
      store_(store),
      publish_(std::move(publish)),
      reader_(service.config().store.path, service.pii_key()),
      overdue_timer_(io) {}

AgendaCommands::~AgendaCommands() {
    background_.join();
}

void AgendaCommands::register_commands(const Register& add) {
    const auto changes = [this](auto method) {
        return [this, method](const Json& a, const Peer& p, Done d) {
            (this->*method)(a, p, std::move(d));
        };
    };
    const auto reads = [this](auto method) {
        return [this, method](const Json& a, const Peer&, Done d) { d((this->*method)(a)); };
    };
    add("slot-open", true, changes(&AgendaCommands::slot_open));
    add("appointment-book", true, changes(&AgendaCommands::appointment_book));
    add("appointment-cancel", true, changes(&AgendaCommands::appointment_cancel));
    add("appointment-move", true, changes(&AgendaCommands::appointment_move));
    add("waitlist-add", true, changes(&AgendaCommands::waitlist_add));
    add("message-create", true, changes(&AgendaCommands::message_create));
    add("message-ack", true, changes(&AgendaCommands::message_ack));
    add("reminder-sent", true, changes(&AgendaCommands::reminder_sent));
    add("patient-erase", true, changes(&AgendaCommands::patient_erase));
    add("slot-list", false, reads(&AgendaCommands::slot_list));
    add("appointment-list", false, reads(&AgendaCommands::appointment_list));
    add("waitlist-list", false, reads(&AgendaCommands::waitlist_list));
    add("message-list", false, reads(&AgendaCommands::message_list));
    add("reminders-due", false, reads(&AgendaCommands::reminders_due));
    add("caller-history", false, reads(&AgendaCommands::caller_history));
}

// ---------------------------------------------------------------------------------------------
// The write path
// ---------------------------------------------------------------------------------------------

AuditRecord AgendaCommands::audit_base(const std::string& command, const Json& args,
                                       const Peer& peer, const agenda::Actor& actor) const {
    AuditRecord r;
    r.at = actor.at;
    r.kind = RecordKind::action;
    r.type = command;
    r.uid = peer.uid;
    r.gid = peer.gid;
    r.call_id = actor.call_id;
    r.gateway = actor.gateway;
    // Indexed by agent: what an agent did is one query away (docs/storage.md).
    for (const AgentConfig& a : service_.engine().config().agents) {
        if (a.id == actor.by) r.agent = a.id;
    }
    r.body = Json{{"arguments", redacted(args, service_.pii_key())}}.dump();
    return r;
}

void AgendaCommands::write(const std::string& command, const Json& args, const Peer& peer,
                           const agenda::Actor& actor, Work work, Done done) {
    auto written = std::make_shared<Written>();
    WriteBatch batch;
    // Everything the job needs is copied in: it runs on the writer thread.
    batch.job = [work = std::move(work), written,
                 base = audit_base(command, args, peer, actor)](WriteContext& ctx) -> Status {
        auto w = work(ctx);
        if (!w) return w.error();
        *written = std::move(*w);
        AuditRecord r = base;
        Json body = Json::parse(r.body);
        body["result"] = written->answer.result;
        body["text"] = written->answer.text;
        body.update(written->facts);
        r.body = body.dump();
        return ctx.append(std::move(r));
    };
    const std::uint64_t ticket = store_.append(std::move(batch));
    service_.when_durable(ticket, [this, written, done = std::move(done)] {
        for (const Json& event : written->events)
            publish_(event);
        if (written->messages_changed) check_overdue();
        if (!written->truncate_wal) return done(written->answer);
        asio::post(background_, [this, written, done] {
            Status s = agenda::truncate_wal(service_.config().store.path);
            asio::post(io_, [s, written, done] {
                if (!s) {
                    log_warning("agenda.erase",
                                "the write-ahead log was not emptied ({}): old "
                                "page versions stay until SQLite reuses them",
                                s.message());
                }
                done(written->answer);
            });
        });
    });
}

void AgendaCommands::refuse(const std::string& command, const Json& args, const Peer& peer,
                            const agenda::Actor& actor, const Answer& answer, const Done& done) {
    AuditRecord r = audit_base(command, args, peer, actor);
    Json body = Json::parse(r.body);
    body["result"] = answer.result;
    body["text"] = answer.text;
    body.update(error_facts(answer));
    r.body = body.dump();
    WriteBatch batch;
    batch.records.push_back(std::move(r));
    store_.append(std::move(batch));
    done(answer);
}

std::optional<Answer> AgendaCommands::resolve_call(agenda::Actor& actor, std::string* caller) {
    if (actor.call_id.empty()) return std::nullopt;
    input::CallSelector selector{actor.call_id, std::nullopt};
    if (!actor.gateway.empty()) selector.gateway = actor.gateway;
    if (const auto live = service_.engine().find_call(selector)) {
        actor.gateway = live->gateway;
        if (caller != nullptr) *caller = live->caller;
        return std::nullopt;
    }
    auto finished = reader_.finished_call(actor.call_id, actor.gateway);
    if (!finished) return store_failure(finished.error());
    if (!*finished) return failure("unknown_call", "no call '" + actor.call_id + "'");
    actor.gateway = (*finished)->gateway;
    if (caller != nullptr) *caller = (*finished)->caller;
    return std::nullopt;
}

std::optional<Answer> AgendaCommands::check_specialty(const std::string& specialty) const {
    for (const SpecialtyConfig& s : service_.engine().config().specialties) {
        if (s.id == specialty) return std::nullopt;
    }
    return failure("unknown_specialty", "unknown specialty '" + specialty + "'");
}

namespace {

// Who acts: `by` (required where the spec lists it), and the call it is made during.
agenda::Actor actor_from(Fields& f, Time now, bool by_required) {
    agenda::Actor actor;
    actor.at = now;
    actor.by = f.word("by", kMaxIdChars, by_required);
    actor.call_id = f.word("call_id", kMaxCallIdBytes, false);
    actor.gateway = f.word("gateway", kMaxIdChars, false);
    return actor;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

void AgendaCommands::slot_open(const Json& args, const Peer& peer, Done done) {
    const std::string command = "slot-open";
    Fields f(args);
    agenda::SlotRequest req;
    req.specialty = f.word("specialty");
    req.practitioner = f.word("practitioner");
    req.start = f.time("start");
    req.duration_min = f.integer("duration_min", 1, kMaxSlotMinutes);
    req.count = f.integer("count", 1, kMaxSlotsAtOnce, 1);
    agenda::Actor actor = actor_from(f, service_.now(), false);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = check_specialty(req.specialty))
        return refuse(command, args, peer, actor, *e, done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [req, actor](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::open_slots(ctx, req, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& ids = std::get<std::vector<std::int64_t>>(*r);
            Written w;
            w.answer = {0,
                        fmt::format("{} slot(s) opened for {} in {}", ids.size(), req.practitioner,
                                    req.specialty),
                        {{"slots", ids}}};
            w.facts = {{"slots", ids}};
            return w;
        },
        std::move(done));
}

void AgendaCommands::appointment_book(const Json& args, const Peer& peer, Done done) {
    const std::string command = "appointment-book";
    Fields f(args);
    const std::int64_t slot_id = f.id("slot_id");
    const agenda::PatientData patient = f.patient();
    const std::string reason = f.text("reason");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [slot_id, patient, reason, actor](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::book(ctx, slot_id, patient, reason, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& a = std::get<agenda::Appointment>(*r);
            Written w;
            w.answer = {0,
                        fmt::format("appointment {} booked: {} {} at {}", a.id, a.slot.specialty,
                                    a.slot.practitioner, format_time(a.slot.start)),
                        appointment_json(a)};
            w.facts = {{"appointment_id", a.id}, {"slot_id", a.slot.id}};
            return w;
        },
        std::move(done));
}

void AgendaCommands::appointment_cancel(const Json& args, const Peer& peer, Done done) {
    const std::string command = "appointment-cancel";
    Fields f(args);
    const std::int64_t id = f.id("appointment_id");
    const std::string reason = f.text("reason");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [id, reason, actor, command](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::cancel(ctx, id, reason, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& c = std::get<agenda::Cancelled>(*r);
            Written w;
            w.answer = {0,
                        fmt::format("appointment {} cancelled: slot {} is free, {} on the waiting "
                                    "list",
                                    id, c.freed.slot.id, c.freed.waitlist.size()),
                        {{"appointment_id", id},
                         {"appointment", appointment_json(c.appointment)},
                         {"slot", slot_json(c.freed.slot)},
                         {"waitlist", json_list(c.freed.waitlist, entry_json)}}};
            w.facts = {{"appointment_id", id}, {"slot_id", c.freed.slot.id}};
            w.events.push_back(freed_event(command, c.freed, actor.at));
            return w;
        },
        std::move(done));
}

void AgendaCommands::appointment_move(const Json& args, const Peer& peer, Done done) {
    const std::string command = "appointment-move";
    Fields f(args);
    const std::int64_t id = f.id("appointment_id");
    const std::int64_t slot_id = f.id("slot_id");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [id, slot_id, actor, command](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::move(ctx, id, slot_id, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& m = std::get<agenda::Moved>(*r);
            Json result = appointment_json(m.appointment);
            result["freed_slot"] = slot_json(m.freed.slot);
            result["waitlist"] = json_list(m.freed.waitlist, entry_json);
            Written w;
            w.answer = {0,
                        fmt::format("appointment {} moved to slot {} at {}", id, slot_id,
                                    format_time(m.appointment.slot.start)),
                        result};
            w.facts = {
                {"appointment_id", id}, {"slot_id", slot_id}, {"freed_slot_id", m.freed.slot.id}};
            w.events.push_back(freed_event(command, m.freed, actor.at));
            return w;
        },
        std::move(done));
}

void AgendaCommands::waitlist_add(const Json& args, const Peer& peer, Done done) {
    const std::string command = "waitlist-add";
    Fields f(args);
    const std::string specialty = f.word("specialty");
    const agenda::PatientData patient = f.patient();
    const std::string reason = f.text("reason");
    const std::optional<Time> before = f.date_or_time("before");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = check_specialty(specialty)) return refuse(command, args, peer, actor, *e, done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [specialty, patient, reason, before, actor](WriteContext& ctx) -> Result<Written> {
            auto id = agenda::add_to_waitlist(ctx, specialty, patient, reason, before, actor);
            if (!id) return id.error();
            Written w;
            w.answer = {0,
                        fmt::format("entry {} on the waiting list of {}", *id, specialty),
                        {{"entry_id", *id}}};
            w.facts = {{"entry_id", *id}};
            return w;
        },
        std::move(done));
}

void AgendaCommands::message_create(const Json& args, const Peer& peer, Done done) {
    const std::string command = "message-create";
    Fields f(args);
    agenda::MessageRequest req;
    req.specialty = f.word("specialty");
    req.practitioner = f.word("practitioner", kMaxIdChars, false);
    req.patient = f.patient();
    req.urgency = f.choice("urgency", {"urgent", "normal"});
    req.action = f.choice("action", {"call_back", "book", "info"});
    req.reason = f.text("reason");
    req.body = f.text("body");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = check_specialty(req.specialty)) {
        return refuse(command, args, peer, actor, *e, done);
    }
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [req, actor](WriteContext& ctx) -> Result<Written> {
            auto id = agenda::create_message(ctx, req, actor);
            if (!id) return id.error();
            Written w;
            w.answer = {0,
                        fmt::format("{} message {} for {}", req.urgency, *id, req.specialty),
                        {{"message_id", *id}}};
            w.facts = {{"message_id", *id}};
            w.messages_changed = true;
            return w;
        },
        std::move(done));
}

void AgendaCommands::message_ack(const Json& args, const Peer& peer, Done done) {
    const std::string command = "message-ack";
    Fields f(args);
    const std::int64_t id = f.id("message_id");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    if (auto e = resolve_call(actor)) return refuse(command, args, peer, actor, *e, done);
    write(
        command, args, peer, actor,
        [id, actor](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::acknowledge(ctx, id, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& m = std::get<agenda::Message>(*r);
            Written w;
            w.answer = {0, fmt::format("message {} acknowledged", id), message_json(m, actor.at)};
            w.facts = {{"message_id", id}};
            w.messages_changed = true;
            return w;
        },
        std::move(done));
}

void AgendaCommands::reminder_sent(const Json& args, const Peer& peer, Done done) {
    const std::string command = "reminder-sent";
    Fields f(args);
    const std::int64_t id = f.id("appointment_id");
    agenda::Actor actor = actor_from(f, service_.now(), false);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    write(
        command, args, peer, actor,
        [id, actor](WriteContext& ctx) -> Result<Written> {
            auto r = agenda::mark_reminder_sent(ctx, id, actor);
            if (!r) return r.error();
            if (const auto* no = std::get_if<agenda::Refusal>(&*r)) return refused(*no);
            const auto& a = std::get<agenda::Appointment>(*r);
            Written w;
            w.answer = {0, fmt::format("reminder of appointment {} marked sent", id),
                        appointment_json(a)};
            w.facts = {{"appointment_id", id}};
            return w;
        },
        std::move(done));
}

void AgendaCommands::patient_erase(const Json& args, const Peer& peer, Done done) {
    const std::string command = "patient-erase";
    Fields f(args);
    const std::string phone = f.phone("phone");
    agenda::Actor actor = actor_from(f, service_.now(), true);
    if (f.failed()) return refuse(command, args, peer, actor, f.error(), done);
    const std::string pseudonym = service_.pii_key().pseudonym(phone);
    write(
        command, args, peer, actor,
        [pseudonym, actor](WriteContext& ctx) -> Result<Written> {
            auto e = agenda::erase_patient(ctx, pseudonym, actor);
            if (!e) return e.error();
            const Json counts = {{"personal_data", e->personal_data ? 1 : 0},
                                 {"appointments", e->appointments},
                                 {"messages", e->messages},
                                 {"waitlist", e->waitlist},
                                 {"calls", e->calls},
                                 {"changes", e->changes}};
            Written w;
            w.answer = {e->total() == 0 ? 3 : 0,
                        e->total() == 0 ? "nothing known of this number"
                                        : "personal data erased; the rest is unlinked from the "
                                          "number",
                        {{"erased", counts}}};
            w.facts = {{"erased", counts}};
            w.messages_changed = e->messages > 0;
            w.truncate_wal = e->total() > 0;
            return w;
        },
        std::move(done));
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

AgendaCommands::Answer AgendaCommands::slot_list(const Json& args) {
    Fields f(args);
    const std::string specialty = f.word("specialty");
    const Time from = f.time("from");
    const Time to = f.time("to");
    const bool free_only = f.flag("free_only", false);
    if (f.failed()) return f.error();
    if (auto e = check_specialty(specialty)) return *e;
    auto slots = reader_.slots(specialty, from, to, free_only);
    if (!slots) return store_failure(slots.error());
    return {slots->empty() ? 3 : 0,
            fmt::format("{} {}slots in {}", slots->size(), free_only ? "free " : "", specialty),
            {{"slots", json_list(*slots, slot_json)}}};
}

AgendaCommands::Answer AgendaCommands::appointment_list(const Json& args) {
    Fields f(args);
    const bool cancelled = f.flag("include_cancelled", false);
    Result<std::vector<agenda::Appointment>> found = std::vector<agenda::Appointment>{};
    std::string whose;
    if (f.has("phone")) {
        const std::string phone = f.phone("phone");
        if (f.failed()) return f.error();
        found = reader_.appointments_of(service_.pii_key().pseudonym(phone), cancelled);
        whose = "of this patient";
    } else if (f.has("specialty")) {
        const std::string specialty = f.word("specialty");
        const Time from = f.time("from");
        const Time to = f.time("to");
        if (f.failed()) return f.error();
        if (auto e = check_specialty(specialty)) return *e;
        found = reader_.appointments_in(specialty, from, to, cancelled);
        whose = "in " + specialty;
    } else {
        return failure("bad_request", "give 'phone', or 'specialty' with 'from' and 'to'");
    }
    if (!found) return store_failure(found.error());
    return {found->empty() ? 3 : 0,
            fmt::format("{} appointments {}", found->size(), whose),
            {{"appointments", json_list(*found, appointment_json)}}};
}

AgendaCommands::Answer AgendaCommands::waitlist_list(const Json& args) {
    Fields f(args);
    const std::string specialty = f.word("specialty");
    if (f.failed()) return f.error();
    if (auto e = check_specialty(specialty)) return *e;
    auto entries = reader_.waitlist(specialty);
    if (!entries) return store_failure(entries.error());
    return {entries->empty() ? 3 : 0,
            fmt::format("{} waiting for {}", entries->size(), specialty),
            {{"specialty", specialty}, {"entries", json_list(*entries, entry_json)}}};
}

AgendaCommands::Answer AgendaCommands::message_list(const Json& args) {
    Fields f(args);
    std::optional<std::string> specialty;
    if (f.has("specialty")) specialty = f.word("specialty");
    const std::string status = f.choice("status", {"open", "acknowledged"}, false);
    if (f.failed()) return f.error();
    if (specialty) {
        if (auto e = check_specialty(*specialty)) return *e;
    }
    std::optional<bool> open;
    if (!status.empty()) open = status == "open";
    auto messages = reader_.messages(specialty, open);
    if (!messages) return store_failure(messages.error());
    const Time now = service_.now();
    return {messages->empty() ? 3 : 0,
            fmt::format("{} {}messages", messages->size(), status.empty() ? "" : status + " "),
            {{"messages", json_list(*messages, [&](const agenda::Message& m) {
                  return message_json(m, now);
              })}}};
}

AgendaCommands::Answer AgendaCommands::reminders_due(const Json& args) {
    double within_h = 24;
    if (args.contains("within_h")) {
        const Json& v = args["within_h"];
        if (!v.is_number() || v.get<double>() <= 0 || v.get<double>() > kMaxReminderHours) {
            return failure("bad_request",
                           fmt::format("argument 'within_h' must be a number of hours above 0 "
                                       "and at most {}",
                                       kMaxReminderHours));
        }
        within_h = v.get<double>();
    }
    const Time now = service_.now();
    const auto window = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double, std::ratio<3600>>(within_h));
    auto due = reader_.reminders_due(now, now + window);
    if (!due) return store_failure(due.error());
    return {due->empty() ? 3 : 0,
            fmt::format("{} reminders due within {} h", due->size(), within_h),
            {{"within_h", within_h}, {"appointments", json_list(*due, appointment_json)}}};
}

AgendaCommands::Answer AgendaCommands::caller_history(const Json& args) {
    Fields f(args);
    std::string pseudonym;
    if (f.has("call_id")) {
        agenda::Actor call;
        call.call_id = f.word("call_id", kMaxCallIdBytes);
        call.gateway = f.word("gateway", kMaxIdChars, false);
        if (f.failed()) return f.error();
        if (auto e = resolve_call(call, &pseudonym)) return *e;
    } else if (f.has("phone")) {
        const std::string phone = f.phone("phone");
        if (f.failed()) return f.error();
        pseudonym = service_.pii_key().pseudonym(phone);
    } else {
        return failure("bad_request", "give 'call_id' or 'phone'");
    }
    const Time now = service_.now();
    auto history = reader_.history(pseudonym, now);
    if (!history) return store_failure(history.error());
    const bool empty = !history->patient.known() && history->calls.empty() &&
                       history->upcoming.empty() && history->open_messages.empty() &&
                       history->changes.empty();
    return {empty ? 3 : 0,
            agenda::is_unlinked(pseudonym)
                ? "anonymous caller: no history"
                : fmt::format("{} past calls, {} upcoming appointments, {} open messages",
                              history->calls_total, history->upcoming.size(),
                              history->open_messages.size()),
            history_json(*history, now)};
}

// ---------------------------------------------------------------------------------------------
// Summaries and overdue messages
// ---------------------------------------------------------------------------------------------

std::optional<Json> AgendaCommands::caller_summary(const std::string& caller) {
    if (agenda::is_unlinked(caller)) return std::nullopt;
    auto summary = reader_.summary(caller, service_.now());
    if (!summary) {
        log_warning("agenda.summary", "no caller summary: {}", summary.error().message);
        return std::nullopt;
    }
    return summary_json(*summary);
}

std::optional<std::int64_t> AgendaCommands::urgent_overdue_count() {
    auto n = reader_.overdue_count(service_.now() - agenda::kUrgentMessageOverdue);
    if (!n) {
        log_warning("agenda.read", "{}", n.error().message);
        return std::nullopt;
    }
    return *n;
}

std::vector<Json> AgendaCommands::overdue_now() {
    const Time now = service_.now();
    auto overdue = reader_.overdue_messages(now - agenda::kUrgentMessageOverdue);
    std::vector<Json> out;
    if (!overdue) {
        log_warning("agenda.read", "{}", overdue.error().message);
        return out;
    }
    for (const agenda::Message& m : *overdue) {
        out.push_back({{"topic", "agenda"},
                       {"event", "message.overdue"},
                       {"at", format_time(now)},
                       {"message", message_json(m, now)}});
    }
    return out;
}

void AgendaCommands::start() {
    asio::post(io_, [this] { check_overdue(); });
}

// Announces the urgent messages that became overdue since the last look, once each, then sleeps
// until the next one is due (or until a message is created or acknowledged).
void AgendaCommands::check_overdue() {
    const Time now = service_.now();
    const Time cutoff = now - agenda::kUrgentMessageOverdue;
    std::set<std::int64_t> still_overdue;
    for (const Json& event : overdue_now()) {
        const std::int64_t id = event["message"]["message_id"];
        still_overdue.insert(id);
        if (!announced_.contains(id)) publish_(event);
    }
    announced_ = std::move(still_overdue);  // acknowledged ones leave
    auto next = reader_.next_urgent_after(cutoff);
    if (!next) {
        log_warning("agenda.read", "{}", next.error().message);
        return;
    }
    if (!*next) {
        overdue_timer_.cancel();
        return;
    }
    const Duration wait = **next + agenda::kUrgentMessageOverdue - now + Duration(1);
    overdue_timer_.expires_after(std::max(wait, Duration(1)));
    overdue_timer_.async_wait([this](std::error_code ec) {
        if (!ec) check_overdue();
    });
}

}  // namespace acd
