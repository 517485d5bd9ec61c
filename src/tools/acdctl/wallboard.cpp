#include "wallboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fields.hpp"
#include "table.hpp"

namespace acd::ctl {

using Align = Table::Align;
using Line = Wallboard::Line;
using Style = Wallboard::Style;

// A titled list: its heading, the table's header (or the "nothing here" line) and its rows. On a
// short screen it shows fewer rows and "... and N more", or only its heading.
struct Wallboard::Block {
    std::string heading;
    std::vector<Line> header;
    std::vector<Line> rows;

    std::size_t full_height() const { return 1 + header.size() + rows.size(); }
};

namespace {

const std::vector<std::string> kAgentStates = {"ready",   "reserved", "busy",
                                               "wrap_up", "paused",   "logged_out"};
const std::vector<std::string> kClasses = {"urgent", "appointment", "admin"};

std::size_t rank_in(const std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return static_cast<std::size_t>(it - names.begin());
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

// Table lines into a block: the first line is the header.
void fill(Wallboard::Block& b, const Table& t, const std::vector<Style>& row_styles) {
    const std::vector<std::string> lines = t.lines();
    b.header.push_back({lines[0], Style::plain});
    for (std::size_t i = 1; i < lines.size(); ++i)
        b.rows.push_back({lines[i], row_styles[i - 1]});
}

// `text` in lines of at most `width` columns, cut at spaces where it can (0: one line).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
    if (width == 0 || display_width(text) <= width) return {text};
    std::vector<std::string> out;
    std::string line;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find(' ', at);
        if (end == std::string::npos) end = text.size();
        std::string word = text.substr(at, end - at);
        at = end + 1;
        while (display_width(word) > width) {  // a word longer than a line: cut it
            if (!line.empty()) out.push_back(std::exchange(line, ""));
            const std::string head = truncate_to_width(word, width);
            out.push_back(head);
            word = word.substr(head.size());
        }
        if (line.empty()) {
            line = word;
        } else if (display_width(line) + 1 + display_width(word) <= width) {
            line += " " + word;
        } else {
            out.push_back(std::exchange(line, word));
        }
    }
    if (!line.empty()) out.push_back(line);
    return out;
}

// The rows each block gets in `room` lines, blocks apart by one empty line, in priority order:
// every block has at least its heading; the first ones take what they need, a block cut short
// shows at least one row and "... and N more"; the others keep only their heading.
// SIZE_MAX: the whole block; 0: the heading alone.
std::vector<std::size_t> fit(const std::vector<const Wallboard::Block*>& blocks, std::size_t room) {
    std::vector<std::size_t> rows(blocks.size(), 0);
    const std::size_t base = blocks.size() * 2 - 1;  // headings and the empty lines between
    std::size_t extra = room > base ? room - base : 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const Wallboard::Block& b = *blocks[i];
        const std::size_t full = b.full_height() - 1;
        if (full <= extra) {
            rows[i] = SIZE_MAX;
            extra -= full;
        } else if (extra >= b.header.size() + 2) {
            rows[i] = extra - b.header.size() - 1;  // and the "... and N more" line
            extra = 0;
        }
    }
    return rows;
}

void append_block(std::vector<Line>& out, const Wallboard::Block& b, std::size_t rows,
                  const std::string& stale) {
    if (rows == 0) {
        std::string heading = b.heading + stale;
        if (!b.rows.empty()) {
            heading += fmt::format(" · {} not shown: the terminal is too small", b.rows.size());
        }
        out.push_back({heading, Style::heading});
        return;
    }
    out.push_back({b.heading + stale, Style::heading});
    out.insert(out.end(), b.header.begin(), b.header.end());
    if (rows >= b.rows.size()) {
        out.insert(out.end(), b.rows.begin(), b.rows.end());
        return;
    }
    out.insert(out.end(), b.rows.begin(), b.rows.begin() + static_cast<long>(rows));
    out.push_back({fmt::format("... and {} more", b.rows.size() - rows), Style::plain});
}

}  // namespace

std::optional<std::int64_t> Wallboard::Ticking::at_time(SteadyTime now) const {
    if (!base) return std::nullopt;
    return ticks ? *base + std::max<std::int64_t>(0, whole_seconds(at, now)) : *base;
}

std::optional<double> Wallboard::Figures::service_level() const {
    const std::int64_t handled = answered + abandoned - short_abandoned;
    if (handled <= 0) return std::nullopt;
    return static_cast<double>(within_target) / static_cast<double>(handled);
}

void Wallboard::Figures::add(const Figures& o) {
    offered += o.offered;
    answered += o.answered;
    abandoned += o.abandoned;
    short_abandoned += o.short_abandoned;
    within_target += o.within_target;
}

void Wallboard::reset(const Json& queues, const Json& calls, const Json& agents, SteadyTime at) {
    queues_.clear();
    calls_.clear();
    agents_.clear();
    stale_.clear();
    loss_.reset();
    has_picture_ = true;
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

bool Wallboard::set_teams(const Json& overflow) {
    const std::vector<Team> before = std::exchange(teams_, {});
    for (const Json& t : field_list(overflow, "teams")) {
        if (!field_string(t, "team").empty()) {
            teams_.push_back({field_string(t, "team"), field_int(t, "max_concurrent")});
        }
    }
    return teams_ != before;
}

bool Wallboard::set_figures(const Json& stats) {
    const auto before = std::exchange(figures_, {});
    const auto since_before = std::exchange(figures_since_, field_string(stats, "since"));
    for (const Json& s : field_list(stats, "specialties")) {
        Figures& sum = figures_[field_string(s, "specialty")];
        const Json classes = s.value("classes", Json::object());
        if (!classes.is_object()) continue;
        for (const auto& [name, f] : classes.items()) {
            if (!f.is_object()) continue;
            sum.add({field_int(f, "offered").value_or(0), field_int(f, "answered").value_or(0),
                     field_int(f, "abandoned").value_or(0),
                     field_int(f, "short_abandoned").value_or(0),
                     field_int(f, "answered_within_target").value_or(0)});
        }
    }
    return figures_ != before || figures_since_ != since_before;
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

void Wallboard::disconnected(SteadyTime at, const std::string& clock, const std::string& why) {
    if (!loss_) loss_ = Loss{at, clock, why};
    loss_->why = why;
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
    // The deadline counts from the call's arrival in its queue: it holds while the call waits,
    // queued or ringing, in the same queue with the same class.
    const auto waiting = [](const std::string& s) { return s == "queued" || s == "offering"; };
    const bool same_deadline = waiting(call.state) && waiting(state) &&
                               call.specialty == specialty && call.call_class == call_class;
    if (!same_deadline) call.deadline_in.reset();
    if (state == "queued") stale_.insert(specialty);
    call.specialty = specialty;
    call.call_class = call_class;
    call.state = state;
    call.agent = field_string(c, "agent");
    call.team = field_string(c, "team");
    // The daemon counts the wait up to the answer: it stops once the call is connected.
    call.wait = {field_int(c, "wait_s"), at, waiting(state)};
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

// The title, the stale banner, the counts, today's totals, the notice and the alerts.
std::vector<Line> Wallboard::top_lines(const Frame& frame, SteadyTime now) const {
    std::vector<Line> top;
    top.push_back({frame.title, Style::title});
    if (loss_) {
        const std::string banner =
            has_picture_
                ? fmt::format(
                      "DISCONNECTED — figures stale since {} ({} ago): {}", loss_->clock,
                      format_duration(std::max<std::int64_t>(0, whole_seconds(loss_->at, now))),
                      loss_->why)
                : "DISCONNECTED — no figures yet: " + loss_->why;
        for (std::string& l : wrap(banner, frame.width))
            top.push_back({std::move(l), Style::alert});
    }
    std::map<std::string, int> call_states;
    for (const auto& [id, c] : calls_)
        ++call_states[c.state];
    std::map<std::string, int> agent_states;
    for (const auto& [id, a] : agents_)
        ++agent_states[a.state];
    std::vector<std::string> agent_counts;
    for (const std::string& s : kAgentStates)
        agent_counts.push_back(fmt::format("{} {}", agent_states[s], s));
    top.push_back({fmt::format("{}calls: {} waiting, {} ringing, {} talking    agents: {}",
                               loss_ && has_picture_ ? "as of " + loss_->clock + ": " : "",
                               call_states["queued"], call_states["offering"],
                               call_states["connected"], fmt::join(agent_counts, ", ")),
                   Style::plain});
    if (figures_since_) {
        Figures day;
        for (const auto& [specialty, f] : figures_)
            day.add(f);
        // The site's clock time of the start of the period (RFC 3339: characters 11 to 15).
        const std::string since =
            figures_since_->size() >= 16 ? figures_since_->substr(11, 5) : *figures_since_;
        top.push_back({fmt::format("today since {}: {} calls, {} answered, {} abandoned, service "
                                   "level {}",
                                   since, day.offered, day.answered, day.abandoned,
                                   format_percent(day.service_level())),
                       Style::plain});
    }
    for (std::string& l : wrap(frame.notice, frame.width)) {
        if (!l.empty()) top.push_back({std::move(l), Style::notice});
    }
    // A crowd of alerts must not push the calls off a small screen: the calls list shows every
    // late call anyway.
    const std::size_t max_alerts =
        frame.height > 0 ? std::max<std::size_t>(1, frame.height / 5) : alerts_.size();
    std::size_t shown_alerts = 0;
    for (const auto& [key, alert] : alerts_) {
        if (shown_alerts + 1 == max_alerts && alerts_.size() > max_alerts) {
            top.push_back({fmt::format("... and {} more alerts", alerts_.size() - shown_alerts),
                           Style::alert});
            break;
        }
        top.push_back({alert_text(alert), Style::alert});
        ++shown_alerts;
    }
    top.push_back({"", Style::plain});
    return top;
}

// Calls not answered yet, queued or ringing: the most overdue first, then the nearest deadline;
// those whose deadline is not known yet after them, urgent first, the longest wait first.
Wallboard::Block Wallboard::calls_block(SteadyTime now) const {
    std::vector<const Call*> waiting;
    for (const auto& [id, c] : calls_) {
        if (c.state == "queued" || c.state == "offering") waiting.push_back(&c);
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
        const auto ca = rank_in(kClasses, a->call_class);
        const auto cb = rank_in(kClasses, b->call_class);
        if (!la && ca != cb) return ca < cb;
        const auto wa = a->wait.at_time(now).value_or(0);
        const auto wb = b->wait.at_time(now).value_or(0);
        if (wa != wb) return wa > wb;
        return a->arrival < b->arrival;
    });
    Block block{fmt::format("WAITING CALLS ({})", waiting.size()), {}, {}};
    Table t({{"CALL"},
             {"SPECIALTY"},
             {"CLASS"},
             {"WAIT", Align::right},
             {"DEADLINE", Align::right},
             {"AT"},
             {""}});
    std::vector<Style> styles;
    for (const Call* c : waiting) {
        const auto wait = c->wait.at_time(now);
        const auto left = left_of(*c);
        std::string deadline = c->state == "queued" ? "?" : "-";
        std::string bar;
        if (left) {
            deadline =
                *left >= 0 ? "in " + format_duration(*left) : "LATE " + format_duration(-*left);
            bar = progress_bar(wait.value_or(0), *left);
        }
        std::string where = "queue";
        if (c->state == "offering") {
            where = "ringing " + (c->team.empty() ? c->agent : "team " + c->team);
        }
        t.add({c->id, c->specialty, c->call_class, format_duration(wait), deadline, where, bar});
        styles.push_back(left && *left < 0 ? Style::alert : Style::plain);
    }
    if (waiting.empty()) {
        block.header.push_back({"no calls waiting", Style::plain});
    } else {
        fill(block, t, styles);
    }
    return block;
}

// Queues in the configuration's order, with today's figures of each specialty.
Wallboard::Block Wallboard::queues_block(SteadyTime now) const {
    Block block{"QUEUES AND TODAY", {}, {}};
    Table t({{"SPECIALTY"},
             {"QUEUED", Align::right},
             {"OLDEST", Align::right},
             {"READY", Align::right},
             {"BUSY", Align::right},
             {"CALLS", Align::right},
             {"ANSW", Align::right},
             {"ABAND", Align::right},
             {"SL", Align::right},
             {""}});
    std::vector<Style> styles;
    for (const Queue& q : queues_) {
        const auto f = figures_.find(q.specialty);
        const bool known = f != figures_.end();
        const auto count = [&](std::int64_t Figures::*field) {
            return known ? std::to_string(f->second.*field) : std::string("-");
        };
        t.add({q.specialty, std::to_string(q.queued), format_duration(q.oldest_wait.at_time(now)),
               std::to_string(q.ready), std::to_string(q.busy), count(&Figures::offered),
               count(&Figures::answered), count(&Figures::abandoned),
               known ? format_percent(f->second.service_level()) : "-",
               q.exceeds_threshold ? "OVER THRESHOLD" : ""});
        styles.push_back(q.exceeds_threshold ? Style::alert : Style::plain);
    }
    if (queues_.empty()) {
        block.header.push_back({"no queues", Style::plain});
    } else {
        fill(block, t, styles);
    }
    return block;
}

// Overflow teams: the calls ringing or connected at each against its max_concurrent.
Wallboard::Block Wallboard::teams_block() const {
    std::vector<Team> teams = teams_;
    std::map<std::string, std::vector<const Call*>> held;
    for (const auto& [id, c] : calls_) {
        if (c.team.empty()) continue;
        held[c.team].push_back(&c);
        const bool known =
            std::any_of(teams.begin(), teams.end(), [&](const Team& t) { return t.id == c.team; });
        if (!known) teams.push_back({c.team, std::nullopt});
    }
    Block block{fmt::format("TEAMS ({})", teams.size()), {}, {}};
    Table t({{"TEAM"}, {"LOAD", Align::right}, {"CALLS"}});
    std::vector<Style> styles;
    for (const Team& team : teams) {
        const auto& calls = held[team.id];
        std::vector<std::string> parts;
        for (const Call* c : calls)
            parts.push_back(c->id + (c->state == "offering" ? " ringing" : " talking"));
        const auto load = static_cast<std::int64_t>(calls.size());
        const bool full = team.max_concurrent && load >= *team.max_concurrent;
        t.add({team.id,
               fmt::format("{}/{}", load,
                           team.max_concurrent ? std::to_string(*team.max_concurrent) : "?"),
               fmt::format("{}{}", full ? "FULL  " : "", fmt::join(parts, ", "))});
        styles.push_back(full ? Style::alert : Style::plain);
    }
    if (teams.empty()) {
        block.header.push_back({"no overflow teams", Style::plain});
    } else {
        fill(block, t, styles);
    }
    return block;
}

// Agents by state, in the order people read them; within a state the longest in it first
// (for ready agents that is who gets the next call). Logged-out agents are only counted.
Wallboard::Block Wallboard::agents_block(SteadyTime now) const {
    std::vector<const Agent*> present;
    for (const auto& [id, a] : agents_) {
        if (a.state != "logged_out") present.push_back(&a);
    }
    std::sort(present.begin(), present.end(), [&](const Agent* a, const Agent* b) {
        if (a->state != b->state) {
            return rank_in(kAgentStates, a->state) < rank_in(kAgentStates, b->state);
        }
        const auto fa = a->state_for.at_time(now).value_or(0);
        const auto fb = b->state_for.at_time(now).value_or(0);
        if (fa != fb) return fa > fb;
        return a->rank < b->rank;
    });
    Block block{fmt::format("AGENTS ({} logged in)", present.size()), {}, {}};
    Table t({{"AGENT"}, {"STATE"}, {"FOR", Align::right}, {"DETAIL"}});
    for (const Agent* a : present) {
        std::string detail = a->reason;
        if (!a->call_id.empty()) detail = "call " + a->call_id;
        t.add({a->id, a->state, format_duration(a->state_for.at_time(now)), detail});
    }
    if (present.empty()) {
        block.header.push_back({"no agent logged in", Style::plain});
    } else {
        fill(block, t, std::vector<Style>(present.size(), Style::plain));
    }
    return block;
}

std::vector<Line> Wallboard::draw(const Frame& frame, SteadyTime now) const {
    // A stale picture stays as it was when acdd went away: its clocks stop there.
    const SteadyTime shown = loss_ ? std::min(now, loss_->at) : now;
    std::vector<Line> out = top_lines(frame, now);
    const Block calls = calls_block(shown);
    const Block queues = queues_block(shown);
    const Block teams = teams_block();
    const Block agents = agents_block(shown);
    // Screen order is priority order: on a short screen the calls at risk stay in sight.
    const std::vector<const Block*> blocks = {&calls, &queues, &teams, &agents};
    std::vector<std::size_t> rows(blocks.size(), SIZE_MAX);
    if (frame.height > 0)
        rows = fit(blocks, frame.height > out.size() ? frame.height - out.size() : 0);
    const std::string stale = loss_ && has_picture_ ? " — STALE" : "";
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if (i > 0) out.push_back({"", Style::plain});
        append_block(out, *blocks[i], rows[i], stale);
    }
    if (frame.height > 0 && out.size() > frame.height) out.resize(frame.height);
    if (frame.width > 0) {
        for (Line& l : out)
            l.text = truncate_to_width(l.text, frame.width);
    }
    return out;
}

}  // namespace acd::ctl
