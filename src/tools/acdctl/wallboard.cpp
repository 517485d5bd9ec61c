#include "wallboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fields.hpp"
#include "table.hpp"

namespace acd::ctl {
namespace {

using Align = Table::Align;
using Line = Wallboard::Line;
using Style = Wallboard::Style;

const std::vector<std::string> kAgentStates = {"ready",   "reserved", "busy",
                                               "wrap_up", "paused",   "logged_out"};

std::size_t state_rank(const std::string& state) {
    const auto it = std::find(kAgentStates.begin(), kAgentStates.end(), state);
    return static_cast<std::size_t>(it - kAgentStates.begin());
}

std::int64_t whole_seconds(SteadyTime from, SteadyTime to) {
    return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

// "[######....]": how much of the time to the deadline the wait has used.
std::string progress_bar(std::int64_t wait, std::int64_t left) {
    constexpr int kWidth = 10;
    int filled = kWidth;
    if (left > 0) {
        const double used = static_cast<double>(wait) / static_cast<double>(wait + left);
        filled = std::clamp(static_cast<int>(std::lround(used * kWidth)), 0, kWidth);
    }
    std::string bar = "[";
    bar.append(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    bar.push_back(']');
    return bar;
}

// A titled block: heading, then the table's header and rows (rows may be cut to fit).
struct Block {
    std::string heading;
    std::vector<Line> header;  // the table's header, or the "nothing here" line
    std::vector<Line> rows;
};

void append_block(std::vector<Line>& out, const Block& b, std::size_t shown_rows) {
    out.push_back({b.heading, Style::heading});
    out.insert(out.end(), b.header.begin(), b.header.end());
    if (shown_rows >= b.rows.size()) {
        out.insert(out.end(), b.rows.begin(), b.rows.end());
        return;
    }
    if (shown_rows == 0) return;
    out.insert(out.end(), b.rows.begin(), b.rows.begin() + static_cast<long>(shown_rows - 1));
    out.push_back({fmt::format("... and {} more", b.rows.size() - (shown_rows - 1)), Style::plain});
}

// Table lines into a block: the first line is the header.
void fill(Block& b, const Table& t, const std::vector<Style>& row_styles) {
    const std::vector<std::string> lines = t.lines();
    b.header.push_back({lines[0], Style::plain});
    for (std::size_t i = 1; i < lines.size(); ++i)
        b.rows.push_back({lines[i], row_styles[i - 1]});
}

}  // namespace

std::optional<std::int64_t> Wallboard::Ticking::at_time(SteadyTime now) const {
    if (!base) return std::nullopt;
    return ticks ? *base + std::max<std::int64_t>(0, whole_seconds(at, now)) : *base;
}

void Wallboard::reset(const Json& queues, const Json& calls, const Json& agents, SteadyTime at) {
    queues_.clear();
    calls_.clear();
    agents_.clear();
    stale_.clear();
    for (const Json& q : field_list(queues, "queues"))
        put_queue(q, at);
    for (const Json& c : field_list(calls, "calls"))
        put_call(c, at);
    for (const Json& a : field_list(agents, "agents"))
        put_agent(a, at);
}

Wallboard::AlertKey Wallboard::alert_key(const Json& a) {
    return {field_string(a, "alert"), field_string(a, "specialty"), field_string(a, "gateway"),
            field_string(a, "call_id")};
}

void Wallboard::set_alerts(const Json& status) {
    alerts_.clear();
    for (const Json& a : field_list(status, "alerts"))
        alerts_[alert_key(a)] = a;
}

void Wallboard::apply(const Json& message, SteadyTime at) {
    if (!message.is_object()) return;
    const std::string topic = field_string(message, "topic");
    if (topic == "alerts" && message.contains("alert") && message["alert"].is_object()) {
        const Json& alert = message["alert"];
        if (field_string(message, "event") == "alert.cleared") {
            alerts_.erase(alert_key(alert));
        } else {
            alerts_[alert_key(alert)] = alert;
        }
    }
    if (topic == "calls" && message.contains("call")) put_call(message["call"], at);
    if (topic == "agents" && message.contains("agent")) put_agent(message["agent"], at);
    if (topic == "queues" && message.contains("queue")) put_queue(message["queue"], at);
}

void Wallboard::set_deadlines(const Json& queue, SteadyTime at) {
    for (const Json& c : field_list(queue, "calls")) {
        const auto it = calls_.find(field_string(c, "call_id"));
        if (it == calls_.end() || it->second.state != "queued") continue;
        Call& call = it->second;
        call.wait = {field_int(c, "wait_s"), at, true};
        call.deadline_in = field_int(c, "deadline_in_s");
        call.deadline_at = at;
    }
}

std::set<std::string> Wallboard::take_stale() {
    return std::exchange(stale_, {});
}

void Wallboard::put_queue(const Json& q, SteadyTime at) {
    const std::string specialty = field_string(q, "specialty");
    if (specialty.empty()) return;
    auto it = std::find_if(queues_.begin(), queues_.end(),
                           [&](const Queue& x) { return x.specialty == specialty; });
    if (it == queues_.end()) {
        Queue fresh;
        fresh.specialty = specialty;
        it = queues_.insert(queues_.end(), std::move(fresh));
    }
    it->queued = field_int(q, "queued").value_or(0);
    it->oldest_wait = {field_int(q, "oldest_wait_s"), at, true};
    it->ready = field_int(q, "agents_ready").value_or(0);
    it->busy = field_int(q, "agents_busy").value_or(0);
    it->exceeds_threshold = q.value("exceeds_threshold", false);
}

void Wallboard::put_call(const Json& c, SteadyTime at) {
    const std::string id = field_string(c, "call_id");
    if (id.empty()) return;
    const std::string state = field_string(c, "state");
    if (state == "ended") {
        calls_.erase(id);
        return;
    }
    auto [it, inserted] = calls_.try_emplace(id);
    Call& call = it->second;
    if (inserted) {
        call.id = id;
        call.arrival = ++arrivals_;
    }
    const std::string specialty = field_string(c, "specialty");
    const std::string call_class = field_string(c, "class");
    // The deadline still holds while the call waits in the same queue with the same class.
    const bool same_deadline = call.state == "queued" && state == "queued" &&
                               call.specialty == specialty && call.call_class == call_class;
    if (!same_deadline) call.deadline_in.reset();
    if (state == "queued") stale_.insert(specialty);
    call.specialty = specialty;
    call.call_class = call_class;
    call.state = state;
    call.held_by = field_string(c, "agent");
    if (call.held_by.empty() && !field_string(c, "team").empty()) {
        call.held_by = "team " + field_string(c, "team");
    }
    // The daemon counts the wait up to the answer: it stops once the call is connected.
    call.wait = {field_int(c, "wait_s"), at, state == "queued" || state == "offering"};
}

void Wallboard::put_agent(const Json& a, SteadyTime at) {
    const std::string id = field_string(a, "agent");
    if (id.empty()) return;
    // An agent removed from the configuration comes without its skills: it is gone.
    if (!a.contains("skills")) {
        agents_.erase(id);
        return;
    }
    auto [it, inserted] = agents_.try_emplace(id);
    Agent& agent = it->second;
    if (inserted) {
        agent.id = id;
        agent.rank = agent_ranks_++;
    }
    agent.state = field_string(a, "state");
    agent.reason = field_string(a, "reason");
    agent.call_id = field_string(a, "call_id");
    agent.state_for = {field_int(a, "state_for_s"), at, true};
}

std::vector<Line> Wallboard::draw(const Frame& frame, SteadyTime now) const {
    // Summary counts.
    std::map<std::string, int> call_states;
    for (const auto& [id, c] : calls_)
        ++call_states[c.state];
    std::map<std::string, int> agent_states;
    for (const auto& [id, a] : agents_)
        ++agent_states[a.state];
    std::vector<std::string> agent_counts;
    for (const std::string& s : kAgentStates)
        agent_counts.push_back(fmt::format("{} {}", agent_states[s], s));

    std::vector<Line> top;
    top.push_back({frame.title, Style::title});
    top.push_back({fmt::format("calls: {} waiting, {} ringing, {} talking    agents: {}",
                               call_states["queued"], call_states["offering"],
                               call_states["connected"], fmt::join(agent_counts, ", ")),
                   Style::plain});
    if (!frame.notice.empty()) top.push_back({frame.notice, Style::notice});
    for (const auto& [key, alert] : alerts_)
        top.push_back({alert_text(alert), Style::alert});
    top.push_back({"", Style::plain});

    // Queues, in the configuration's order; all of them (a handful of specialties).
    Block queues{"QUEUES", {}, {}};
    {
        Table t({{"SPECIALTY"},
                 {"QUEUED", Align::right},
                 {"OLDEST", Align::right},
                 {"READY", Align::right},
                 {"BUSY", Align::right},
                 {""}});
        std::vector<Style> styles;
        for (const Queue& q : queues_) {
            t.add({q.specialty, std::to_string(q.queued),
                   format_duration(q.oldest_wait.at_time(now)), std::to_string(q.ready),
                   std::to_string(q.busy), q.exceeds_threshold ? "OVER THRESHOLD" : ""});
            styles.push_back(q.exceeds_threshold ? Style::alert : Style::plain);
        }
        if (queues_.empty()) {
            queues.header.push_back({"no queues", Style::plain});
        } else {
            fill(queues, t, styles);
        }
    }

    // Waiting calls, the nearest deadline first; those without a known deadline yet after
    // them, the longest wait first.
    std::vector<const Call*> waiting;
    for (const auto& [id, c] : calls_) {
        if (c.state == "queued") waiting.push_back(&c);
    }
    const auto left_of = [&](const Call& c) -> std::optional<std::int64_t> {
        if (!c.deadline_in) return std::nullopt;
        return *c.deadline_in - std::max<std::int64_t>(0, whole_seconds(c.deadline_at, now));
    };
    std::sort(waiting.begin(), waiting.end(), [&](const Call* a, const Call* b) {
        const auto la = left_of(*a);
        const auto lb = left_of(*b);
        if (la.has_value() != lb.has_value()) return la.has_value();
        if (la && *la != *lb) return *la < *lb;
        const auto wa = a->wait.at_time(now).value_or(0);
        const auto wb = b->wait.at_time(now).value_or(0);
        if (wa != wb) return wa > wb;
        return a->arrival < b->arrival;
    });
    Block calls{fmt::format("WAITING CALLS ({})", waiting.size()), {}, {}};
    {
        Table t({{"CALL"},
                 {"SPECIALTY"},
                 {"CLASS"},
                 {"WAIT", Align::right},
                 {"DEADLINE", Align::right},
                 {""},
                 {""}});
        std::vector<Style> styles;
        for (const Call* c : waiting) {
            const auto wait = c->wait.at_time(now);
            const auto left = left_of(*c);
            std::string deadline = "?";
            std::string bar;
            if (left) {
                deadline =
                    *left >= 0 ? "in " + format_duration(*left) : format_duration(-*left) + " ago";
                bar = progress_bar(wait.value_or(0), *left);
            }
            const bool late = left && *left < 0;
            t.add({c->id, c->specialty, c->call_class, format_duration(wait), deadline, bar,
                   late ? "LATE" : ""});
            styles.push_back(late ? Style::alert : Style::plain);
        }
        if (waiting.empty()) {
            calls.header.push_back({"no calls waiting", Style::plain});
        } else {
            fill(calls, t, styles);
        }
    }

    // Agents by state, in the order people read them; within a state the longest in it first
    // (for ready agents that is who gets the next call). Logged-out agents are only counted.
    std::vector<const Agent*> present;
    for (const auto& [id, a] : agents_) {
        if (a.state != "logged_out") present.push_back(&a);
    }
    std::sort(present.begin(), present.end(), [&](const Agent* a, const Agent* b) {
        if (a->state != b->state) return state_rank(a->state) < state_rank(b->state);
        const auto fa = a->state_for.at_time(now).value_or(0);
        const auto fb = b->state_for.at_time(now).value_or(0);
        if (fa != fb) return fa > fb;
        return a->rank < b->rank;
    });
    Block agents{fmt::format("AGENTS ({} logged in)", present.size()), {}, {}};
    {
        Table t({{"AGENT"}, {"STATE"}, {"FOR", Align::right}, {"DETAIL"}});
        for (const Agent* a : present) {
            std::string detail = a->reason;
            if (!a->call_id.empty()) detail = "call " + a->call_id;
            t.add({a->id, a->state, format_duration(a->state_for.at_time(now)), detail});
        }
        if (present.empty()) {
            agents.header.push_back({"no agent logged in", Style::plain});
        } else {
            fill(agents, t, std::vector<Style>(present.size(), Style::plain));
        }
    }

    // Fit the height: every queue, then the room left shared between calls and agents.
    std::size_t call_rows = calls.rows.size();
    std::size_t agent_rows = agents.rows.size();
    if (frame.height > 0) {
        const std::size_t fixed = top.size() + 1 + queues.header.size() + queues.rows.size() + 1 +
                                  1 + calls.header.size() + 1 + 1 + agents.header.size();
        const std::size_t room = frame.height > fixed ? frame.height - fixed : 0;
        if (call_rows + agent_rows > room) {
            const std::size_t half = room / 2;
            if (call_rows <= half) {
                agent_rows = room - call_rows;
            } else if (agent_rows <= room - half) {
                call_rows = room - agent_rows;
            } else {
                call_rows = half;
                agent_rows = room - half;
            }
        }
    }
    std::vector<Line> out = top;
    append_block(out, queues, queues.rows.size());
    out.push_back({"", Style::plain});
    append_block(out, calls, call_rows);
    out.push_back({"", Style::plain});
    append_block(out, agents, agent_rows);
    if (frame.height > 0 && out.size() > frame.height) out.resize(frame.height);
    if (frame.width > 0) {
        for (Line& l : out)
            l.text = truncate_to_width(l.text, frame.width);
    }
    return out;
}

}  // namespace acd::ctl
