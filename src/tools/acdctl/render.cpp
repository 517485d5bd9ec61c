#include "render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "fields.hpp"
#include "table.hpp"

namespace acd::ctl {
namespace {

using Align = Table::Align;

// The protocol's names, in the order people read them; unknown names follow in the daemon's
// order, so a newer daemon's additions still show.
const std::vector<std::string> kAgentStates = {"ready",   "reserved", "busy",
                                               "wrap_up", "paused",   "logged_out"};
const std::vector<std::string> kClasses = {"urgent", "appointment", "admin"};

std::vector<std::string> ordered_keys(const Json& object, const std::vector<std::string>& known) {
    std::vector<std::string> keys;
    for (const std::string& k : known) {
        if (object.contains(k)) keys.push_back(k);
    }
    for (const auto& [k, v] : object.items()) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
    return keys;
}

std::string duration_cell(const Json& object, const char* key) {
    return format_duration(field_int(object, key));
}

std::string status_view(const Json& a) {
    std::string out =
        fmt::format("acdd {}, up {}\n", field_text(a, "version"), duration_cell(a, "uptime_s"));
    out +=
        fmt::format("calls:  {} queued, {} offering, {} connected\n", field_text(a, "calls_queued"),
                    field_text(a, "calls_offering"), field_text(a, "calls_connected"));
    const Json agents = a.value("agents", Json::object());
    std::vector<std::string> parts;
    for (const std::string& state : ordered_keys(agents, kAgentStates)) {
        parts.push_back(fmt::format("{} {}", agents[state].dump(), state));
    }
    out += fmt::format("agents: {}\n", fmt::join(parts, ", "));
    if (a.contains("urgent_messages_overdue")) {
        out += fmt::format("messages: {} urgent open for more than 30 min\n",
                           field_text(a, "urgent_messages_overdue"));
    }
    if (a.contains("alerts")) {
        const Json& alerts = field_list(a, "alerts");
        if (alerts.empty()) out += "alerts: none\n";
        for (const Json& alert : alerts)
            out += alert_text(alert) + "\n";
    }
    return out;
}

std::string queues_view(const Json& a) {
    Table t({{"SPECIALTY"},
             {"QUEUED", Align::right},
             {"OLDEST", Align::right},
             {"READY", Align::right},
             {"BUSY", Align::right},
             {"OVER THRESHOLD"}});
    for (const Json& q : field_list(a, "queues")) {
        t.add({field_text(q, "specialty"), field_text(q, "queued"),
               duration_cell(q, "oldest_wait_s"), field_text(q, "agents_ready"),
               field_text(q, "agents_busy"), q.value("exceeds_threshold", false) ? "yes" : "no"});
    }
    return t.empty() ? "no queues\n" : t.render();
}

// "in 25s" before the deadline, "12s ago" after it.
std::string deadline_cell(std::optional<std::int64_t> in) {
    if (!in) return "-";
    return *in >= 0 ? "in " + format_duration(*in) : format_duration(-*in) + " ago";
}

std::string queue_view(const Json& a) {
    const Json& calls = field_list(a, "calls");
    if (calls.empty()) return fmt::format("no calls queued for {}\n", field_text(a, "specialty"));
    Table t({{"#", Align::right},
             {"CALL"},
             {"CLASS"},
             {"WAIT", Align::right},
             {"DEADLINE", Align::right}});
    int position = 0;
    for (const Json& c : calls) {
        t.add({std::to_string(++position), field_text(c, "call_id"), field_text(c, "class"),
               duration_cell(c, "wait_s"), deadline_cell(field_int(c, "deadline_in_s"))});
    }
    return fmt::format("{}: {} queued, in dispatch order\n", field_text(a, "specialty"),
                       calls.size()) +
           t.render();
}

std::string agents_view(const Json& a) {
    Table t({{"AGENT"}, {"STATE"}, {"FOR", Align::right}, {"REASON"}, {"CALL"}, {"SKILLS"}});
    for (const Json& ag : field_list(a, "agents")) {
        std::vector<std::string> skills;
        for (const Json& s : ag.value("skills", Json::array()))
            skills.push_back(s.is_string() ? s.get<std::string>() : s.dump());
        const auto state_for = field_int(ag, "state_for_s");
        t.add({field_text(ag, "agent"), field_text(ag, "state"), format_duration(state_for),
               field_text(ag, "reason"), field_text(ag, "call_id"),
               fmt::format("{}", fmt::join(skills, ","))});
    }
    return t.empty() ? "no agents\n" : t.render();
}

std::string calls_view(const Json& a) {
    const Json& calls = field_list(a, "calls");
    if (calls.empty()) return "no live calls\n";
    Table t({{"CALL"},
             {"STATE"},
             {"SPECIALTY"},
             {"CLASS"},
             {"WAIT", Align::right},
             {"AGENT"},
             {"GATEWAY"}});
    for (const Json& c : calls) {
        // A call held by an overflow team shows the team where an agent would be.
        std::string held = field_text(c, "agent");
        if (held == "-" && c.contains("team") && c["team"].is_string()) {
            held = "team " + c["team"].get<std::string>();
        }
        t.add({field_text(c, "call_id"), field_text(c, "state"), field_text(c, "specialty"),
               field_text(c, "class"), duration_cell(c, "wait_s"), held, field_text(c, "gateway")});
    }
    return t.render();
}

std::string overflow_view(const Json& a) {
    Table s({{"SPECIALTY"}, {"THRESHOLD", Align::right}, {"OVERFLOW"}});
    for (const Json& o : field_list(a, "specialties")) {
        s.add({field_text(o, "specialty"), field_text(o, "threshold"),
               o.value("enabled", false) ? "enabled" : "disabled"});
    }
    Table t({{"TEAM"}, {"ACTIVE", Align::right}, {"MAX", Align::right}});
    for (const Json& team : field_list(a, "teams")) {
        t.add({field_text(team, "team"), field_text(team, "active"),
               field_text(team, "max_concurrent")});
    }
    return s.render() + "\n" + (t.empty() ? "no overflow teams\n" : t.render());
}

std::string stats_view(const Json& a, bool all) {
    Table t({{"SPECIALTY"},
             {"CLASS"},
             {"OFFERED", Align::right},
             {"ANSWERED", Align::right},
             {"ABANDONED", Align::right},
             {"SHORT", Align::right},
             {"OVERFLOWED", Align::right},
             {"IN TARGET", Align::right},
             {"SL", Align::right},
             {"ANSWERED%", Align::right},
             {"ASA", Align::right},
             {"MAX WAIT", Align::right}});
    std::int64_t closed = 0, selected = 0, evaluated = 0;
    double score_sum = 0;
    for (const Json& s : field_list(a, "specialties")) {
        const Json classes = s.value("classes", Json::object());
        for (const std::string& c : ordered_keys(classes, kClasses)) {
            const Json& f = classes[c];
            closed += field_int(f, "closed").value_or(0);
            selected += field_int(f, "quality_selected").value_or(0);
            const auto n = field_int(f, "quality_evaluated").value_or(0);
            evaluated += n;
            score_sum += field_double(f, "quality_mean_score").value_or(0) * static_cast<double>(n);
            // Rows with no call at all say nothing; --all shows them.
            if (!all && f.value("offered", 0) == 0 && !field_double(f, "max_wait_s")) continue;
            t.add({field_text(s, "specialty"), c, field_text(f, "offered"),
                   field_text(f, "answered"), field_text(f, "abandoned"),
                   field_text(f, "short_abandoned"), field_text(f, "overflowed"),
                   field_text(f, "answered_within_target"),
                   format_percent(field_double(f, "service_level")),
                   format_percent(field_double(f, "answer_rate")),
                   format_seconds(field_double(f, "asa_s")),
                   format_seconds(field_double(f, "max_wait_s"))});
        }
    }
    std::string out = fmt::format("service figures since {}\n", field_text(a, "since"));
    out += t.empty() ? "no calls\n" : t.render();
    const auto rejected = field_int(a, "rejected").value_or(0);
    if (rejected > 0 || all) out += fmt::format("rejected (no specialty): {}\n", rejected);
    // v1.1: calls refused while their specialty was closed, and the quality sample.
    if (closed > 0) out += fmt::format("closed (specialty closed): {}\n", closed);
    if (selected > 0) {
        out += fmt::format("quality sample: {} answered, {} evaluated", selected, evaluated);
        if (evaluated > 0) {
            out += fmt::format(", mean score {:.1f}", score_sum / static_cast<double>(evaluated));
        }
        out += '\n';
    }
    return out;
}

// "2026-12-05T21:04:00.000+01:00" -> "2026-12-05 21:04:00": the site's date and clock time as
// acdd gave them.
std::string site_time_cell(const Json& object, const char* key) {
    const std::string t = field_string(object, key);
    if (t.size() < 19) return field_text(object, key);
    return t.substr(0, 10) + " " + t.substr(11, 8);
}

// One line of free text for a table cell.
std::string one_line(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return text;
}

std::string quality_view(const Json& a) {
    const Json& calls = field_list(a, "calls");
    if (calls.empty()) {
        return fmt::format("no calls in the quality sample since {}\n", field_text(a, "since"));
    }
    Table t({{"CALL"},
             {"SPECIALTY"},
             {"CLASS"},
             {"AGENT"},
             {"ANSWERED"},
             {"SCORE", Align::right},
             {"BY"},
             {"COMMENT"}});
    std::size_t evaluated = 0;
    for (const Json& c : calls) {
        const Json e = c.value("evaluation", Json());
        const bool has = e.is_object();
        evaluated += has ? 1 : 0;
        t.add({field_text(c, "call_id"), field_text(c, "specialty"), field_text(c, "class"),
               field_text(c, "agent"), site_time_cell(c, "answered_at"),
               has ? field_text(e, "score") + "/5" : "-", has ? field_text(e, "by") : "-",
               has ? one_line(field_string(e, "comment")) : "-"});
    }
    return fmt::format("quality sample since {}: {} calls, {} evaluated\n", field_text(a, "since"),
                       calls.size(), evaluated) +
           t.render();
}

std::string commands_view(const Json& a) {
    std::string out;
    for (const Json& c : field_list(a, "commands"))
        out += (c.is_string() ? c.get<std::string>() : c.dump()) + '\n';
    return out;
}

std::string success_view(const Invocation& inv, const Json& response) {
    const Json args = response.value("arguments", Json::object());
    const std::string text = response.value("text", "");
    switch (inv.view) {
        case View::status:
            return status_view(args);
        case View::version:
            return "acdd " + field_text(args, "version") + "\n";
        case View::queues:
            return queues_view(args);
        case View::queue:
            return queue_view(args);
        case View::agents:
            return agents_view(args);
        case View::calls:
            return calls_view(args);
        case View::overflow:
            return overflow_view(args);
        case View::stats:
            return stats_view(args, inv.show_all);
        case View::commands:
            return commands_view(args);
        case View::quality:
            return quality_view(args);
        case View::text:
        case View::config:
        case View::audit:
        case View::raw:
            break;
    }
    return text + "\n";
}

// "acdctl: TEXT (CODE)", then one indented line per error the daemon listed (config errors).
std::string error_text(const Json& response) {
    const Json args = response.value("arguments", Json::object());
    std::string out = "acdctl: " + response.value("text", std::string("error"));
    if (args.contains("code") && args["code"].is_string()) {
        out += " (" + args["code"].get<std::string>() + ")";
    }
    out += '\n';
    for (const Json& e : field_list(args, "errors"))
        out += "  " + (e.is_string() ? e.get<std::string>() : e.dump()) + '\n';
    return out;
}

}  // namespace

Shown show(const Invocation& inv, const std::string& line, bool json) {
    const Json response = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!response.is_object() || !response.contains("result") ||
        !response["result"].is_number_integer()) {
        return {"", "acdctl: acdd's response is not the admin protocol's: " + line + "\n",
                kExitUnreachable};
    }
    const int result = response["result"].get<int>();
    Shown shown;
    shown.exit_code = result == 0 || result == 3 ? kExitOk
                      : result == 1              ? kExitError
                      : result == 2              ? kExitUsage
                                                 : kExitUnreachable;
    // A chain that does not verify is the answer to the question, but not a success.
    if (inv.view == View::audit && result == 0 &&
        (!response.value("arguments", Json::object()).value("ok", true) ||
         !response.value("arguments", Json::object()).value("head_reached", true))) {
        shown.exit_code = kExitError;
    }
    if (json || inv.view == View::raw) {
        shown.out = line + '\n';
        return shown;
    }
    if (shown.exit_code == kExitOk) {
        shown.out = success_view(inv, response);
    } else if (result == 2) {
        shown.err = "acdctl: " + response.value("text", std::string("unsupported command")) +
                    " (acdctl commands lists what this acdd supports)\n";
    } else {
        shown.err = error_text(response);
    }
    return shown;
}

}  // namespace acd::ctl
