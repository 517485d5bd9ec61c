// The skeleton around the agenda's commands (changes.cpp, reads.cpp): arguments, the call a
// change is made during, the specialty, the writer job with its audit record, the reader thread,
// and the answer. See commands.hpp.
#include "commands.hpp"

#include <fmt/format.h>

#include "acd/agenda_views.hpp"
#include "acd/log.hpp"
#include "acd/site_time.hpp"
#include "command_parts.hpp"
#include "store/module.hpp"

namespace acd::agenda {
namespace {

using control::Answer;

Json error_facts(const Answer& a) {
    return a.arguments.contains("code") ? Json{{"code", a.arguments["code"]}} : Json::object();
}

// The audit record of an agenda change, before its result: the command, who ran it, the call it
// was made during, the arguments without personal data.
AuditRecord audit_base(const control::Request& request, const Actor& actor, const PiiKey& key,
                       const RoutingConfig& routing) {
    AuditRecord r;
    r.at = actor.at;
    r.kind = RecordKind::action;
    r.type = request.command;
    r.uid = request.caller.uid;
    r.gid = request.caller.gid;
    r.call_id = actor.call_id;
    r.gateway = actor.gateway;
    // Indexed by agent: what an agent did is one query away (docs/storage.md).
    for (const AgentConfig& a : routing.agents) {
        if (a.id == actor.by) r.agent = a.id;
    }
    r.body = Json{{"arguments", redacted(request.arguments, key)}}.dump();
    return r;
}

// The record's body: its arguments, then the result and what the change adds.
std::string audit_body(const std::string& base, const Answer& answer, const Json& facts) {
    Json body = Json::parse(base);
    body["result"] = static_cast<int>(answer.result);
    body["text"] = answer.text;
    body.update(facts);
    return body.dump();
}

}  // namespace

Result<std::unique_ptr<Commands>> Commands::open(Context context) {
    auto reader = std::make_unique<Reader>(context.database, context.key);
    auto summaries = Summaries::load(*reader, context.now());
    if (!summaries) return summaries.error();
    return std::unique_ptr<Commands>(
        new Commands(std::move(context), std::move(reader), std::move(*summaries)));
}

Commands::Commands(Context context, std::unique_ptr<Reader> reader, Summaries summaries)
    : ctx_(std::move(context)),
      reader_(std::move(reader)),
      summaries_(std::move(summaries)),
      overdue_timer_(ctx_.io) {}

Commands::~Commands() {
    overdue_timer_.cancel();
    reader_thread_.join();
    background_.join();
}

struct Commands::Impl {
    static void change(Commands& self, ChangeParser parse, control::Request& request,
                       control::Done done);
    static void read(Commands& self, ReadParser parse, control::Request& request,
                     control::Done done);
    static void write(Commands& self, const control::Request& request, Actor actor,
                      bool resolve_finished, Work work, control::Done done);
    static void refuse(Commands& self, const control::Request& request, const Actor& actor,
                       const Answer& answer, const control::Done& done);
    static std::optional<Answer> check_specialty(const Commands& self,
                                                 const std::optional<std::string>& specialty);
};

void Commands::add_to(control::Registry& registry) {
    for (const NamedChange& c : kChanges) {
        registry.add({c.name, control::Access::changes,
                      [this, parse = c.parse](control::Request& r, control::Done done) {
                          Impl::change(*this, parse, r, std::move(done));
                      },
                      /*audits_itself=*/true});
    }
    for (const NamedRead& c : kReads) {
        registry.add({c.name, control::Access::reads,
                      [this, parse = c.parse](control::Request& r, control::Done done) {
                          Impl::read(*this, parse, r, std::move(done));
                      }});
    }
    ctx_.hub.set_greeting("agenda", [this] { return overdue_messages_; });
}

std::optional<Answer> Commands::Impl::check_specialty(const Commands& self,
                                                      const std::optional<std::string>& specialty) {
    if (!specialty) return std::nullopt;
    for (const SpecialtyConfig& s : self.ctx_.routing().specialties) {
        if (s.id == *specialty) return std::nullopt;
    }
    return Answer::failure(ErrorCode::unknown_specialty, "unknown specialty '" + *specialty + "'");
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

void Commands::Impl::change(Commands& self, ChangeParser parse, control::Request& request,
                            control::Done done) {
    const ParseEnv env{self.ctx_.now(), self.ctx_.key, self.ctx_.live_call, self.ctx_.erasing,
                       self.ctx_.routing().zone};
    Arguments args(request.arguments);
    Change change = parse(args, env);
    Actor actor = args.actor(env.now, change.by_required);
    if (args.failed()) return refuse(self, request, actor, args.refusal(), done);
    if (auto e = check_specialty(self, change.specialty)) {
        return refuse(self, request, actor, *e, done);
    }
    bool resolve_finished = false;
    if (change.during_call && !actor.call_id.empty()) {
        if (const auto live = self.ctx_.live_call(actor.call_id, actor.gateway)) {
            actor.gateway = live->gateway;
        } else {
            resolve_finished = true;  // in the job, on the writer's connection
        }
    }
    write(self, request, std::move(actor), resolve_finished, std::move(change.work),
          std::move(done));
}

void Commands::Impl::write(Commands& self, const control::Request& request, Actor actor,
                           bool resolve_finished, Work work, control::Done done) {
    auto written = std::make_shared<Written>();
    WriteBatch batch;
    // Everything the job needs is copied in: it runs on the writer thread.
    batch.job = [work = std::move(work), written, actor, resolve_finished,
                 base = audit_base(request, actor, self.ctx_.key, self.ctx_.routing())](
                    WriteContext& ctx) -> Status {
        AuditRecord record = base;
        Actor resolved = actor;
        std::optional<Written> refusal;
        if (resolve_finished) {
            auto call =
                store::find_finished_call(store::connection(ctx), actor.call_id, actor.gateway);
            if (!call) return call.error();
            if (*call) {
                resolved.gateway = (*call)->gateway;
                record.gateway = resolved.gateway;
            } else {
                refusal = refused({ErrorCode::unknown_call, "no call '" + actor.call_id + "'"});
            }
        }
        Result<Written> w = refusal ? Result<Written>(std::move(*refusal)) : work(ctx, resolved);
        if (!w) {
            // The store rolls the job back and logs it; the request fails alone.
            written->answer = Answer::failure(w.error());
            return w.error();
        }
        *written = std::move(*w);
        record.body = audit_body(record.body, written->answer, written->facts);
        return ctx.append(std::move(record));
    };
    const std::uint64_t ticket = self.ctx_.store.append(std::move(batch));
    self.ctx_.when_durable(ticket, [&self, written, done = std::move(done)] {
        if (written->remember) written->remember(self.summaries_);
        self.ctx_.hub.publish([&] {
            std::vector<std::pair<std::string, Json>> messages;
            for (const Json& event : written->events)
                messages.emplace_back("agenda", event);
            return messages;
        }());
        // An erasure empties the write-ahead log before it is answered: the old versions of the
        // pages it rewrote (free text, in clear) are then gone from the files too.
        auto finish = [&self, written, done] {
            if (!written->truncate_wal) return done(written->answer);
            asio::post(self.background_, [&self, written, done] {
                Status s = truncate_wal(self.ctx_.database);
                asio::post(self.ctx_.io, [s, written, done] {
                    if (!s) {
                        log_warning("agenda.erase",
                                    "the write-ahead log was not emptied ({}): old page versions "
                                    "stay until SQLite reuses them",
                                    s.message());
                    }
                    done(written->answer);
                });
            });
        };
        // The count of overdue messages is right when a change to messages is answered.
        if (written->messages_changed) return self.check_overdue(std::move(finish));
        finish();
    });
}

void Commands::Impl::refuse(Commands& self, const control::Request& request, const Actor& actor,
                            const Answer& answer, const control::Done& done) {
    AuditRecord r = audit_base(request, actor, self.ctx_.key, self.ctx_.routing());
    r.body = audit_body(r.body, answer, error_facts(answer));
    WriteBatch batch;
    batch.records.push_back(std::move(r));
    self.ctx_.store.append(std::move(batch));
    done(answer);
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

void Commands::Impl::read(Commands& self, ReadParser parse, control::Request& request,
                          control::Done done) {
    const ParseEnv env{self.ctx_.now(), self.ctx_.key, self.ctx_.live_call, self.ctx_.erasing,
                       self.ctx_.routing().zone};
    Arguments args(request.arguments);
    Read read = parse(args, env);
    if (args.failed()) return done(args.refusal());
    if (auto e = check_specialty(self, read.specialty)) return done(*e);
    asio::post(self.reader_thread_, [&self, work = std::move(read.work), done = std::move(done)] {
        Result<Answer> answer = work(*self.reader_);
        asio::post(self.ctx_.io, [answer = std::move(answer), done] {
            if (answer) return done(*answer);
            log_error("agenda.read", "{}", answer.error().message);
            done(Answer::failure(answer.error()));
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Summaries and overdue messages
// ---------------------------------------------------------------------------------------------

std::optional<Json> Commands::caller_summary(const std::string& caller) {
    auto summary = summaries_.get(caller, ctx_.now());
    if (!summary) return std::nullopt;
    return summary_json(*summary, ctx_.routing().zone);
}

void Commands::start(std::function<void()> ready) {
    check_overdue(std::move(ready));
}

// Announces the urgent messages that became overdue since the last look, once each, then sleeps
// until the next one is due (or until a message is created or acknowledged). The database is
// read on the reader thread.
void Commands::check_overdue(std::function<void()> then) {
    const Time now = ctx_.now();
    const Time cutoff = now - kUrgentMessageOverdue;
    asio::post(reader_thread_, [this, now, cutoff, then = std::move(then)] {
        auto overdue = reader_->overdue_messages(cutoff);
        Result<std::optional<Time>> next = overdue ? reader_->next_urgent_after(cutoff)
                                                   : Result<std::optional<Time>>(overdue.error());
        asio::post(ctx_.io,
                   [this, now, overdue = std::move(overdue), next = std::move(next), then] {
                       if (then) asio::post(ctx_.io, then);
                       if (!overdue || !next) {
                           log_warning("agenda.read", "{}",
                                       (!overdue ? overdue.error() : next.error()).message);
                           return;
                       }
                       std::set<std::int64_t> still_overdue;
                       std::vector<Json> messages;
                       std::vector<std::pair<std::string, Json>> fresh;
                       const ZoneRules& zone = ctx_.routing().zone;
                       for (const Message& m : *overdue) {
                           Json event = {{"topic", "agenda"},
                                         {"event", "message.overdue"},
                                         {"at", format_site_time(zone, now)},
                                         {"message", message_json(m, now, zone)}};
                           still_overdue.insert(m.id);
                           if (!overdue_.contains(m.id)) fresh.emplace_back("agenda", event);
                           messages.push_back(std::move(event));
                       }
                       overdue_ = std::move(still_overdue);  // acknowledged ones leave
                       overdue_messages_ = std::move(messages);
                       ctx_.hub.publish(fresh);
                       if (!*next) {
                           overdue_timer_.cancel();
                           return;
                       }
                       const Duration wait = **next + kUrgentMessageOverdue - now + Duration(1);
                       overdue_timer_.expires_after(std::max(wait, Duration(1)));
                       overdue_timer_.async_wait([this](std::error_code ec) {
                           if (!ec) check_overdue();
                       });
                   });
    });
}

}  // namespace acd::agenda
