// The agenda's reads, one parser each: what it reads of its arguments, and the query that
// answers it on the reader thread (commands.cpp runs them).
#include <fmt/format.h>

#include "acd/agenda_views.hpp"
#include "command_parts.hpp"

namespace acd::agenda {
namespace {

constexpr double kMaxReminderHours = 24 * 31;

using control::Answer;

Read slot_list(Arguments& a, const ParseEnv& env) {
    const std::string specialty = a.word("specialty");
    const Time from = a.time("from");
    const Time to = a.time("to");
    const bool free_only = a.flag("free_only", false);
    return {specialty, [=, zone = env.zone](Reader& reader) -> Result<Answer> {
                auto slots = reader.slots(specialty, from, to, free_only);
                if (!slots) return slots.error();
                return Answer::listing(slots->empty(),
                                       fmt::format("{} {}slots in {}", slots->size(),
                                                   free_only ? "free " : "", specialty),
                                       {{"slots", json_list(*slots, slot_json, zone)}});
            }};
}

Read appointment_list(Arguments& a, const ParseEnv& env) {
    const bool cancelled = a.flag("include_cancelled", false);
    const auto answer = [zone = env.zone](Result<std::vector<Appointment>> found,
                                          const std::string& whose) -> Result<Answer> {
        if (!found) return found.error();
        return Answer::listing(found->empty(),
                               fmt::format("{} appointments {}", found->size(), whose),
                               {{"appointments", json_list(*found, appointment_json, zone)}});
    };
    if (a.has("phone")) {
        const std::string phone = a.phone("phone");
        const std::string pseudonym = phone.empty() ? "" : env.key.pseudonym(phone);
        return {std::nullopt, [=](Reader& reader) {
                    return answer(reader.appointments_of(pseudonym, cancelled), "of this patient");
                }};
    }
    if (a.has("specialty")) {
        const std::string specialty = a.word("specialty");
        const Time from = a.time("from");
        const Time to = a.time("to");
        return {specialty, [=](Reader& reader) {
                    return answer(reader.appointments_in(specialty, from, to, cancelled),
                                  "in " + specialty);
                }};
    }
    a.reader().fail("give 'phone', or 'specialty' with 'from' and 'to'");
    return {};
}

Read waitlist_list(Arguments& a, const ParseEnv& env) {
    const std::string specialty = a.word("specialty");
    return {specialty, [=, zone = env.zone](Reader& reader) -> Result<Answer> {
                auto entries = reader.waitlist(specialty);
                if (!entries) return entries.error();
                return Answer::listing(
                    entries->empty(), fmt::format("{} waiting for {}", entries->size(), specialty),
                    {{"specialty", specialty}, {"entries", json_list(*entries, entry_json, zone)}});
            }};
}

Read message_list(Arguments& a, const ParseEnv& env) {
    std::optional<std::string> specialty;
    if (a.has("specialty")) specialty = a.word("specialty");
    const std::string status = a.choice("status", {"open", "acknowledged"}, false);
    std::optional<bool> open;
    if (!status.empty()) open = status == "open";
    return {specialty, [=, now = env.now, zone = env.zone](Reader& reader) -> Result<Answer> {
                auto messages = reader.messages(specialty, open);
                if (!messages) return messages.error();
                return Answer::listing(messages->empty(),
                                       fmt::format("{} {}messages", messages->size(),
                                                   status.empty() ? "" : status + " "),
                                       {{"messages", json_list(*messages, [&](const Message& m) {
                                             return message_json(m, now, zone);
                                         })}});
            }};
}

Read reminders_due(Arguments& a, const ParseEnv& env) {
    double within_h = 24;
    if (const Json* v = a.reader().get("within_h")) {
        if (!v->is_number() || v->get<double>() <= 0 || v->get<double>() > kMaxReminderHours) {
            a.reader().wrong("within_h", fmt::format("a number of hours above 0 and at most {}",
                                                     kMaxReminderHours));
        } else {
            within_h = v->get<double>();
        }
    }
    const auto window = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double, std::ratio<3600>>(within_h));
    return {std::nullopt, [=, now = env.now, zone = env.zone](Reader& reader) -> Result<Answer> {
                auto due = reader.reminders_due(now, now + window);
                if (!due) return due.error();
                return Answer::listing(
                    due->empty(),
                    fmt::format("{} reminders due within {} h", due->size(), within_h),
                    {{"within_h", within_h},
                     {"appointments", json_list(*due, appointment_json, zone)}});
            }};
}

Read caller_history(Arguments& a, const ParseEnv& env) {
    const auto answer = [now = env.now, zone = env.zone](
                            Reader& reader, const std::string& pseudonym) -> Result<Answer> {
        auto history = reader.history(pseudonym, now);
        if (!history) return history.error();
        const bool empty = !history->patient.known() && history->calls.empty() &&
                           history->upcoming.empty() && history->open_messages.empty() &&
                           history->changes.empty();
        return Answer::listing(
            empty,
            is_unlinked(pseudonym)
                ? "anonymous caller: no history"
                : fmt::format("{} past calls, {} upcoming appointments, {} open messages",
                              history->calls_total, history->upcoming.size(),
                              history->open_messages.size()),
            history_json(*history, now, zone));
    };
    if (a.has("call_id")) {
        const std::string call_id = a.word("call_id", kMaxCallIdBytes);
        const std::string gateway = a.word("gateway", kMaxIdChars, false);
        if (a.failed()) return {};
        if (const auto live = env.live_call(call_id, gateway)) {
            return {std::nullopt, [=](Reader& reader) { return answer(reader, live->caller); }};
        }
        return {std::nullopt, [=](Reader& reader) -> Result<Answer> {
                    auto finished = reader.finished_call(call_id, gateway);
                    if (!finished) return finished.error();
                    if (!*finished) {
                        return Answer::failure(ErrorCode::unknown_call,
                                               "no call '" + call_id + "'");
                    }
                    return answer(reader, (*finished)->caller);
                }};
    }
    if (a.has("phone")) {
        const std::string phone = a.phone("phone");
        const std::string pseudonym = phone.empty() ? "" : env.key.pseudonym(phone);
        return {std::nullopt, [=](Reader& reader) { return answer(reader, pseudonym); }};
    }
    a.reader().fail("give 'call_id' or 'phone'");
    return {};
}

}  // namespace

const std::vector<NamedRead> kReads = {
    {"slot-list", slot_list},         {"appointment-list", appointment_list},
    {"waitlist-list", waitlist_list}, {"message-list", message_list},
    {"reminders-due", reminders_due}, {"caller-history", caller_history},
};

}  // namespace acd::agenda
