#include "quality.hpp"

#include <fmt/format.h>

#include "acd/site_time.hpp"
#include "store/module.hpp"

namespace acd::quality {
namespace {

using control::Answer;

constexpr std::size_t kMaxComment = 2000;
constexpr std::size_t kMaxBy = 128;

std::int64_t ms(Time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Time from_ms(std::int64_t v) {
    return Time(std::chrono::milliseconds(v));
}

// One row of quality_calls, as read.
struct Row {
    std::int64_t id = 0;
    std::string gateway;
    std::string call_id;
    std::string specialty;
    std::string call_class;
    std::string agent;
    Time answered_at{};
    std::optional<std::int64_t> score;
    std::string comment;
    std::string by;
    std::optional<Time> evaluated_at;
};

constexpr std::string_view kRowColumns =
    "id, gateway, call_id, specialty, class, agent, answered_at, score, comment, evaluated_by, "
    "evaluated_at";

Row read_row(const sql::Statement& s) {
    Row r;
    r.id = s.int64(0);
    r.gateway = s.text(1);
    r.call_id = s.text(2);
    r.specialty = s.text(3);
    r.call_class = s.text(4);
    r.agent = s.text(5);
    r.answered_at = from_ms(s.int64(6));
    if (!s.is_null(7)) r.score = s.int64(7);
    if (!s.is_null(8)) r.comment = s.text(8);
    if (!s.is_null(9)) r.by = s.text(9);
    if (!s.is_null(10)) r.evaluated_at = from_ms(s.int64(10));
    return r;
}

Json row_json(const Row& r, const ZoneRules& zone) {
    Json evaluation = nullptr;
    if (r.score) {
        evaluation = {
            {"score", *r.score},
            {"comment", r.comment},
            {"by", r.by},
            {"at", r.evaluated_at ? Json(format_site_time(zone, *r.evaluated_at)) : Json(nullptr)}};
    }
    return {{"call_id", r.call_id},     {"gateway", r.gateway},
            {"specialty", r.specialty}, {"class", r.call_class},
            {"agent", r.agent},         {"answered_at", format_site_time(zone, r.answered_at)},
            {"evaluation", evaluation}};
}

Status record_answered(WriteContext& ctx, const std::vector<CallSnapshot>& calls) {
    sql::Db& db = store::connection(ctx);
    auto stmt = db.prepare(
        "INSERT INTO quality_calls (gateway, call_id, specialty, class, agent, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!stmt) return stmt.error();
    for (const CallSnapshot& c : calls) {
        stmt->reset();
        stmt->bind(1, c.gateway)
            .bind(2, c.call_id)
            .bind(3, c.specialty)
            .bind(4, to_string(c.call_class))
            .bind(5, c.agent)
            .bind(6, ms(*c.answered_at));
        if (Status s = stmt->run(); !s) return s;
    }
    return {};
}

// The arguments of quality-evaluate as the audit log keeps them: the comment's length only.
Json audited_arguments(const Json& args) {
    Json a = args.is_object() ? args : Json::object();
    if (a.contains("comment")) {
        const Json& c = a["comment"];
        a["comment_chars"] = c.is_string() ? Json(c.get<std::string>().size()) : Json(nullptr);
        a.erase("comment");
    }
    return a;
}

AuditRecord audit_record(const control::Request& request, Time at, const Answer& answer) {
    AuditRecord r;
    r.at = at;
    r.kind = RecordKind::action;
    r.type = request.command;
    r.uid = request.caller.uid;
    r.gid = request.caller.gid;
    const Json& args = request.arguments;
    if (args.contains("call_id") && args["call_id"].is_string()) r.call_id = args["call_id"];
    r.body = Json{{"arguments", audited_arguments(args)},
                  {"result", static_cast<int>(answer.result)},
                  {"text", answer.text}}
                 .dump();
    return r;
}

struct Evaluation {
    std::string call_id;
    std::int64_t score = 0;
    std::string comment;
    std::string by;
    Time at{};
};

// The outcome of an evaluation job, handed from the writer thread to the engine's thread (the
// durability callback orders the two).
struct Outcome {
    std::optional<Row> row;  // the evaluated call; none when the call is not in the sample
    std::optional<std::int64_t> previous_score;  // an evaluation made again replaces it
    std::optional<Error> error;
};

Status evaluate_job(WriteContext& ctx, const Evaluation& e, Outcome& out) {
    sql::Db& db = store::connection(ctx);
    auto find = db.prepare(fmt::format(
        "SELECT {} FROM quality_calls WHERE call_id = ? ORDER BY answered_at DESC, id DESC LIMIT 1",
        kRowColumns));
    if (!find) return find.error();
    find->bind(1, e.call_id);
    if (find->step()) out.row = read_row(*find);
    if (find->failed()) return find->error();
    if (!out.row) return {};
    auto update = db.prepare(
        "UPDATE quality_calls SET score = ?, comment = ?, evaluated_by = ?, evaluated_at = ? "
        "WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, e.score)
        .bind(2, e.comment)
        .bind(3, e.by)
        .bind(4, ms(e.at))
        .bind(5, out.row->id);
    if (Status s = update->run(); !s) return s;
    out.previous_score = out.row->score;
    out.row->score = e.score;
    out.row->comment = e.comment;
    out.row->by = e.by;
    out.row->evaluated_at = e.at;
    return {};
}

Answer refused_not_sampled(const std::string& call_id) {
    return Answer::failure(ErrorCode::invalid_state,
                           fmt::format("call '{}' is not in the quality sample or was not "
                                       "answered by an agent",
                                       call_id));
}

}  // namespace

SchemaModule schema() {
    return {"quality", {R"sql(
CREATE TABLE quality_calls (
  id           INTEGER PRIMARY KEY,
  gateway      TEXT NOT NULL,
  call_id      TEXT NOT NULL,
  specialty    TEXT NOT NULL,
  class        TEXT NOT NULL,
  agent        TEXT NOT NULL,
  answered_at  INTEGER NOT NULL,
  score        INTEGER CHECK (score BETWEEN 1 AND 5),
  comment      TEXT,
  evaluated_by TEXT,
  evaluated_at INTEGER
);
CREATE INDEX quality_calls_by_answer ON quality_calls (answered_at);
CREATE INDEX quality_calls_by_call ON quality_calls (call_id);
)sql"}};
}

struct Quality::Reader : sql::LazyReader {
    using LazyReader::LazyReader;
};

Quality::Quality(Context context)
    : context_(std::move(context)), reader_(std::make_unique<Reader>(context_.database)) {}
Quality::~Quality() = default;

std::function<Status(WriteContext&)> Quality::job_for(const Output& output) {
    std::vector<CallSnapshot> answered;
    for (const Change& change : output.changes) {
        const auto* c = std::get_if<CallChange>(&change);
        if (c == nullptr || c->cause != Cause::answered) continue;
        const CallSnapshot& call = c->call;
        if (call.quality_sample && !call.agent.empty() && call.answered_at) {
            answered.push_back(call);
        }
    }
    if (answered.empty()) return nullptr;
    if (Day* day = this_day()) {
        for (const CallSnapshot& c : answered) {
            if (*c.answered_at >= day->start) ++day->tallies[{c.specialty, c.call_class}].selected;
        }
    }
    return [answered = std::move(answered)](WriteContext& ctx) {
        return record_answered(ctx, answered);
    };
}

void Quality::add_to(control::Registry& registry) {
    registry.add({"quality-list", control::Access::reads,
                  [this](control::Request& request, control::Done done) { done(list(request)); }});
    registry.add({"quality-evaluate", control::Access::changes,
                  [this](control::Request& request, control::Done done) {
                      evaluate(request, std::move(done));
                  },
                  /*audits_itself=*/true});
}

Answer Quality::list(const control::Request& request) {
    const ZoneRules& zone = context_.routing().zone;
    json::Problems problems;
    json::Reader r = json::Reader::named(request.arguments, "argument", problems);
    const Time since = r.time("since").value_or(site_midnight(zone, context_.now()));
    if (!problems.empty()) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    auto db = reader_->connection();
    if (!db) return Answer::failure(db.error());
    auto stmt = (*db)->prepare(
        fmt::format("SELECT {} FROM quality_calls WHERE answered_at >= ? ORDER BY answered_at, id",
                    kRowColumns));
    if (!stmt) return Answer::failure(stmt.error());
    stmt->bind(1, ms(since));
    Json calls = Json::array();
    while (stmt->step())
        calls.push_back(row_json(read_row(*stmt), zone));
    if (stmt->failed()) return Answer::failure(stmt->error());
    return Answer::listing(calls.empty(),
                           fmt::format("{} calls of the quality sample since {}", calls.size(),
                                       format_site_time(zone, since)),
                           {{"since", format_site_time(zone, since)}, {"calls", calls}});
}

void Quality::evaluate(control::Request& request, control::Done done) {
    json::Problems problems;
    json::Reader r = json::Reader::named(request.arguments, "argument", problems);
    Evaluation e;
    e.call_id = r.bytes("call_id", 128, json::required).value_or("");
    e.score = r.integer("score", 1, 5, json::required).value_or(0);
    e.comment = r.text("comment", kMaxComment, json::required).value_or("");
    e.by = r.text("by", kMaxBy, json::required).value_or("");
    if (!problems.empty()) {
        Answer answer = Answer::failure(ErrorCode::bad_request, problems.front().message);
        control::Request audited = request;
        audited.arguments = audited_arguments(request.arguments);
        context_.audit(audited, answer);
        done(std::move(answer));
        return;
    }
    e.at = context_.now();
    auto outcome = std::make_shared<Outcome>();
    // The job runs on the writer thread: it takes the request without its connection.
    control::Request audited = request;
    audited.stream = nullptr;
    WriteBatch batch;
    batch.job = [e, outcome, audited = std::move(audited)](WriteContext& ctx) -> Status {
        if (Status s = evaluate_job(ctx, e, *outcome); !s) {
            outcome->error = s.error();
            return s;
        }
        const Answer answer =
            outcome->row ? Answer::success("evaluated") : refused_not_sampled(e.call_id);
        return ctx.append(audit_record(audited, e.at, answer));
    };
    const std::uint64_t ticket = context_.store.append(std::move(batch));
    context_.when_durable(ticket, [this, outcome, e, done = std::move(done)] {
        if (outcome->error) {
            done(Answer::failure(*outcome->error));
        } else if (!outcome->row) {
            done(refused_not_sampled(e.call_id));
        } else {
            const Row& row = *outcome->row;
            if (const auto cls = parse_call_class(row.call_class)) {
                count_evaluation({row.specialty, *cls}, row.answered_at, e.score,
                                 outcome->previous_score);
            }
            done(Answer::success(fmt::format("call {} evaluated {}/5", e.call_id, e.score),
                                 row_json(*outcome->row, context_.routing().zone)));
        }
    });
}

Quality::Day* Quality::this_day() {
    if (!day_) return nullptr;
    const RoutingConfig& routing = context_.routing();
    if (day_->zone != routing.zone.name) {
        day_.reset();  // counted again, from the table, at the next read
        return nullptr;
    }
    const Time start = site_midnight(routing.zone, context_.now());
    if (start > day_->start) *day_ = Day{start, routing.zone.name, {}};
    return &*day_;
}

void Quality::count_evaluation(const FigureKey& key, Time answered_at, std::int64_t score,
                               std::optional<std::int64_t> previous) {
    Day* day = this_day();
    if (day == nullptr || answered_at < day->start) return;
    Tally& t = day->tallies[key];
    if (previous) {
        t.score_sum -= *previous;
    } else {
        ++t.evaluated;
    }
    t.score_sum += score;
}

Result<std::map<FigureKey, Figures>> Quality::figures(Time since) {
    const RoutingConfig& routing = context_.routing();
    const Time start = site_midnight(routing.zone, context_.now());
    if (since != start) return query(since);
    if (Day* day = this_day(); day != nullptr && day->start == start) {
        std::map<FigureKey, Figures> out;
        for (const auto& [key, t] : day->tallies) {
            Figures& f = out[key];
            f.selected = t.selected;
            f.evaluated = t.evaluated;
            if (t.evaluated > 0) {
                f.mean_score = static_cast<double>(t.score_sum) / static_cast<double>(t.evaluated);
            }
        }
        return out;
    }
    // The first read, or the zone changed: today from the table, then counted as it goes.
    context_.store.flush();
    auto sums = sums_since(start);
    if (!sums) return sums.error();
    day_ = Day{start, routing.zone.name, std::move(*sums)};
    return figures(since);
}

Result<std::map<FigureKey, Figures>> Quality::query(Time since) {
    auto sums = sums_since(since);
    if (!sums) return sums.error();
    std::map<FigureKey, Figures> out;
    for (const auto& [key, t] : *sums) {
        Figures& f = out[key];
        f.selected = t.selected;
        f.evaluated = t.evaluated;
        if (t.evaluated > 0) {
            f.mean_score = static_cast<double>(t.score_sum) / static_cast<double>(t.evaluated);
        }
    }
    return out;
}

Result<std::map<FigureKey, Quality::Tally>> Quality::sums_since(Time since) {
    auto db = reader_->connection();
    if (!db) return db.error();
    auto stmt = (*db)->prepare(
        "SELECT specialty, class, COUNT(*), COUNT(score), COALESCE(SUM(score), 0) FROM "
        "quality_calls "
        "WHERE answered_at >= ? GROUP BY specialty, class");
    if (!stmt) return stmt.error();
    stmt->bind(1, ms(since));
    std::map<FigureKey, Tally> out;
    while (stmt->step()) {
        const auto cls = parse_call_class(stmt->text(1));
        if (!cls) continue;
        out[{std::string(stmt->text(0)), *cls}] =
            Tally{stmt->int64(2), stmt->int64(3), stmt->int64(4)};
    }
    if (stmt->failed()) return stmt->error();
    return out;
}

void add_figures_json(Json& figures, const Figures& q) {
    figures["quality_selected"] = q.selected;
    figures["quality_evaluated"] = q.evaluated;
    figures["quality_mean_score"] = q.mean_score ? Json(*q.mean_score) : Json(nullptr);
}

}  // namespace acd::quality
