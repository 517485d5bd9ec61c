#include "admin.hpp"

#include <fmt/format.h>

#include <ctime>

#include "acd/version.hpp"
#include "acd/views.hpp"
#include "agenda_commands.hpp"
#include "logging.hpp"

namespace acd {
namespace {

const std::set<std::string> kTopics = {"calls", "agents", "queues", "agenda"};

Admin::Answer error(ErrorCode code, std::string text) {
    return {1, std::move(text), {{"code", to_string(code)}}};
}
Admin::Answer error(std::string_view code, std::string text) {
    return {1, std::move(text), {{"code", code}}};
}

// Today 00:00 in the local time zone.
Time local_midnight(Time now) {
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    local.tm_hour = local.tm_min = local.tm_sec = 0;
    local.tm_isdst = -1;
    return std::chrono::time_point_cast<Duration>(
        std::chrono::system_clock::from_time_t(std::mktime(&local)));
}

std::optional<AgentView> find_agent(const Engine& engine, const std::string& id) {
    for (AgentView& a : engine.agents()) {
        if (a.id == id) return std::move(a);
    }
    return std::nullopt;
}

// The agent or call an engine command was about, as its result (spec: "the agent", "the call").
Json subject_of(const Engine& engine, const Input& input, Time now) {
    return std::visit(
        [&](const auto& in) -> Json {
            using T = std::decay_t<decltype(in)>;
            if constexpr (requires { in.agent; }) {
                const auto a = find_agent(engine, in.agent);
                return a ? agent_json(*a, now) : Json::object();
            } else if constexpr (requires { in.call; }) {
                const auto c = engine.find_call(in.call);
                return c ? call_json(*c, now) : Json::object();
            } else if constexpr (std::is_same_v<T, input::OverflowSet>) {
                for (const OverflowSetting& s : engine.overflow_settings()) {
                    if (s.specialty == in.specialty) {
                        return {{"specialty", s.specialty},
                                {"threshold", s.threshold},
                                {"enabled", s.enabled}};
                    }
                }
            }
            return Json::object();
        },
        input);
}

std::string done_text(const std::string& command, const Json& args) {
    const std::string agent = args.value("agent", "");
    if (command == "agent-login") return "agent " + agent + " logged in";
    if (command == "agent-logout") return "agent " + agent + " logged out";
    if (command == "agent-pause") return "agent " + agent + " paused";
    if (command == "agent-ready") return "agent " + agent + " ready";
    if (command == "call-reclassify") {
        return fmt::format("call {} is now {}", args.value("call_id", ""), args.value("class", ""));
    }
    if (command == "call-transfer") {
        return fmt::format("call {} transferred to {}", args.value("call_id", ""),
                           args.value("specialty", ""));
    }
    return "overflow of " + args.value("specialty", std::string()) + " set";
}

// Settings that a reload cannot change while acdd runs: they are reported, not applied.
std::vector<std::string> needing_restart(const Config& running, const Config& next) {
    std::vector<std::string> keys;
    if (running.gateway.listen != next.gateway.listen) keys.push_back("gateway.listen");
    if (running.gateway.tls != next.gateway.tls) keys.push_back("gateway.tls");
    if (running.admin != next.admin) keys.push_back("admin");
    if (running.store.path != next.store.path) keys.push_back("store.path");
    if (running.store.synchronous != next.store.synchronous) keys.push_back("store.synchronous");
    if (running.store.pii_key_file != next.store.pii_key_file) keys.push_back("store.pii_key_file");
    return keys;
}

}  // namespace

Admin::Admin(asio::io_context& io, Service& service, Store& store, std::string config_file,
             std::function<void()> shutdown)
    : io_(io),
      service_(service),
      store_(store),
      config_file_(std::move(config_file)),
      shutdown_(std::move(shutdown)),
      agenda_(std::make_unique<AgendaCommands>(io, service, store, [this](const Json& message) {
          broadcast({{"agenda", message}});
      })) {
    register_commands();
    service_.set_caller_summary(
        [this](const std::string& caller) { return agenda_->caller_summary(caller); });
    agenda_->start();
}

Admin::~Admin() {
    service_.set_caller_summary(nullptr);
    background_.join();
}

void Admin::add(std::string name, bool changes_state, Handler run, bool audited_by_handler) {
    registry_.emplace(std::move(name), Command{changes_state, std::move(run), audited_by_handler});
}

void Admin::register_commands() {
    const auto now_answer = [](auto f) {
        return [f](const Json& args, const Peer& peer, Done done) { done(f(args, peer)); };
    };
    add("list-commands", false, now_answer([this](const Json&, const Peer&) {
            Json names = Json::array();
            for (const auto& [name, command] : registry_)
                names.push_back(name);
            return Answer{0, fmt::format("{} commands", names.size()), {{"commands", names}}};
        }));
    add("version-get", false, now_answer([](const Json&, const Peer&) {
            return Answer{0, std::string("acdd ") + kVersion, {{"version", kVersion}}};
        }));
    add("status-get", false, now_answer([this](const Json& a, const Peer&) { return status(a); }));
    add("queue-list", false, now_answer([this](const Json&, const Peer&) {
            Json queues = Json::array();
            for (const QueueView& q : service_.engine().queues()) {
                queues.push_back(queue_json(q, service_.now()));
            }
            return Answer{0, fmt::format("{} queues", queues.size()), {{"queues", queues}}};
        }));
    add("queue-get", false,
        now_answer([this](const Json& a, const Peer&) { return queue_get(a); }));
    add("agent-list", false, now_answer([this](const Json&, const Peer&) {
            Json agents = Json::array();
            for (const AgentView& a : service_.engine().agents()) {
                agents.push_back(agent_json(a, service_.now()));
            }
            return Answer{0, fmt::format("{} agents", agents.size()), {{"agents", agents}}};
        }));
    add("call-list", false, now_answer([this](const Json&, const Peer&) {
            Json calls = Json::array();
            for (const CallSnapshot& c : service_.engine().calls()) {
                calls.push_back(call_json(c, service_.now()));
            }
            return Answer{
                calls.empty() ? 3 : 0, fmt::format("{} calls", calls.size()), {{"calls", calls}}};
        }));
    for (const char* name : {"agent-login", "agent-logout", "agent-pause", "agent-ready",
                             "call-reclassify", "call-transfer", "overflow-set"}) {
        add(name, true, now_answer([this, name](const Json& a, const Peer& p) {
                return engine_command(name, a, p);
            }));
    }
    add("overflow-get", false,
        now_answer([this](const Json&, const Peer&) { return overflow_get(); }));
    add("stats-get", false,
        now_answer([this](const Json& a, const Peer&) { return stats_get(a); }));
    add("config-test", false,
        now_answer([this](const Json& a, const Peer&) { return config_test(a); }));
    add("config-reload", true, now_answer([this](const Json&, const Peer& p) {
            if (notifier_ != nullptr) notifier_->reloading();
            Answer a = config_reload(p);
            if (notifier_ != nullptr) notifier_->ready(a.text);
            return a;
        }));
    add("audit-verify", false, [this](const Json&, const Peer&, Done done) { audit_verify(done); });
    add("backup", true, [this](const Json& args, const Peer&, Done done) { backup(args, done); });
    add("subscribe", false, now_answer([this](const Json& args, const Peer&) {
            std::set<std::string> topics = kTopics;
            if (args.contains("topics")) {
                const Json& t = args["topics"];
                if (!t.is_array() || t.empty()) {
                    return error(ErrorCode::bad_request,
                                 "argument 'topics' must be a list of topics");
                }
                topics.clear();
                for (const Json& topic : t) {
                    if (!topic.is_string() || !kTopics.contains(topic.get<std::string>())) {
                        return error(
                            ErrorCode::bad_request,
                            "unknown topic " + topic.dump() + " (calls, agents, queues, agenda)");
                    }
                    topics.insert(topic.get<std::string>());
                }
            }
            if (!current_link_)
                return error(ErrorCode::bad_request, "subscribe needs a connection");
            subscribers_.push_back({current_link_, topics});
            current_link_->start_stream();
            if (topics.contains("agenda")) {
                // After the response: the urgent messages already overdue, so that a desk that
                // connects late learns of them.
                asio::post(io_, [this, link = current_link_] {
                    for (const Json& m : agenda_->overdue_now()) {
                        if (!link->stream(m)) return;
                    }
                });
            }
            return Answer{0, "subscribed", {{"topics", topics}}};
        }));
    add("shutdown", true, now_answer([this](const Json&, const Peer&) {
            asio::post(io_, shutdown_);
            return Answer{0, "acdd is stopping", {}};
        }));
    agenda_->register_commands([this](std::string name, bool changes_state, Handler run) {
        add(std::move(name), changes_state, std::move(run), /*audited_by_handler=*/changes_state);
    });
}

void Admin::execute(const Json& request, const Peer& peer, std::function<void(Json)> respond) {
    const Json id = request.is_object() ? request.value("id", Json()) : Json();
    auto reply = [id, respond](const Answer& a) {
        Json r = {{"result", a.result}, {"text", a.text}, {"arguments", a.arguments}};
        if (!id.is_null()) r["id"] = id;
        respond(r);
    };
    const auto command = request.find("command");
    if (command == request.end() || !command->is_string()) {
        return reply(error(ErrorCode::bad_request, "a request needs 'command': a string"));
    }
    const std::string name = command->get<std::string>();
    const Json args = request.value("arguments", Json::object());
    if (!args.is_object()) {
        return reply(error(ErrorCode::bad_request, "'arguments' must be an object"));
    }
    const auto it = registry_.find(name);
    if (it == registry_.end()) {
        return reply({2, fmt::format("unsupported command '{}'", name), {{"code", "unsupported"}}});
    }
    const bool audit_here = it->second.changes_state && !it->second.audited_by_handler;
    it->second.run(args, peer, [this, name, args, peer, audit_here, reply](Answer a) {
        log_event("admin.command", "{} by uid {} gid {}: result {}: {}", name, peer.uid, peer.gid,
                  a.result, a.text);
        if (audit_here) audit(name, args, peer, a);
        reply(a);
    });
}

void Admin::audit(const std::string& command, const Json& args, const Peer& peer, const Answer& a) {
    AuditRecord r;
    r.at = service_.now();
    r.kind = RecordKind::action;
    r.type = command;
    r.uid = peer.uid;
    r.gid = peer.gid;
    if (args.contains("agent") && args["agent"].is_string()) r.agent = args["agent"];
    if (args.contains("call_id") && args["call_id"].is_string()) r.call_id = args["call_id"];
    r.body = Json{{"arguments", args}, {"result", a.result}, {"text", a.text}}.dump();
    WriteBatch batch;
    batch.records.push_back(std::move(r));
    store_.append(std::move(batch));
}

void Admin::on_request(const std::shared_ptr<net::AdminLink>& link, const Json& request) {
    const net::PeerCredentials& p = link->peer();
    current_link_ = link;
    execute(request, Peer{p.uid, p.gid}, [link](Json response) { link->respond(response); });
    current_link_.reset();
}

void Admin::on_closed(net::AdminLink& link) {
    std::erase_if(subscribers_, [&](const Subscriber& s) { return s.link.get() == &link; });
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

Admin::Answer Admin::status(const Json&) {
    const Engine& engine = service_.engine();
    std::map<CallState, std::int64_t> calls;
    for (const CallSnapshot& c : engine.calls())
        ++calls[c.state];
    Json agents = Json::object();
    for (int s = 0; s < kAgentStateCount; ++s)
        agents[std::string(to_string(AgentState(s)))] = 0;
    for (const AgentView& a : engine.agents()) {
        agents[std::string(to_string(a.state))] =
            agents[std::string(to_string(a.state))].get<int>() + 1;
    }
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started_);
    const auto overdue = agenda_->urgent_overdue_count();
    return {0,
            fmt::format("acdd {} up {} s", kVersion, uptime.count()),
            {{"version", kVersion},
             {"uptime_s", uptime.count()},
             {"calls_queued", calls[CallState::queued]},
             {"calls_offering", calls[CallState::offering]},
             {"calls_connected", calls[CallState::connected]},
             {"agents", agents},
             {"urgent_messages_overdue", overdue ? Json(*overdue) : Json(nullptr)}}};
}

Admin::Answer Admin::queue_get(const Json& args) {
    if (!args.contains("specialty") || !args["specialty"].is_string()) {
        return error(ErrorCode::bad_request, "missing argument 'specialty'");
    }
    const std::string specialty = args["specialty"];
    const auto queue = service_.engine().queue(specialty);
    if (!queue) return error(ErrorCode::unknown_specialty, "unknown specialty '" + specialty + "'");
    Json calls = Json::array();
    for (const CallSnapshot& c : *queue)
        calls.push_back(queued_call_json(c, service_.now()));
    return {calls.empty() ? 3 : 0,
            fmt::format("{} calls queued for {}", calls.size(), specialty),
            {{"specialty", specialty}, {"calls", calls}}};
}

Admin::Answer Admin::overflow_get() {
    Json specialties = Json::array();
    for (const OverflowSetting& s : service_.engine().overflow_settings()) {
        specialties.push_back(
            {{"specialty", s.specialty}, {"threshold", s.threshold}, {"enabled", s.enabled}});
    }
    Json teams = Json::array();
    for (const TeamView& t : service_.engine().teams()) {
        teams.push_back(
            {{"team", t.id}, {"active", t.active}, {"max_concurrent", t.max_concurrent}});
    }
    return {0,
            fmt::format("{} specialties, {} teams", specialties.size(), teams.size()),
            {{"specialties", specialties}, {"teams", teams}}};
}

Admin::Answer Admin::engine_command(const std::string& command, const Json& args,
                                    const Peer& peer) {
    auto parsed = parse_engine_command(command, args);
    if (!parsed) return error(parsed.error().code, parsed.error().message);
    const Input& input = *parsed;
    const Reply reply = service_.apply(input, peer).output.reply;
    if (!reply.ok()) return error(reply.code, reply.message);
    return {0, done_text(command, args), subject_of(service_.engine(), input, service_.now())};
}

Admin::Answer Admin::stats_get(const Json& args) {
    const Time now = service_.now();
    Time since = local_midnight(now);
    if (args.contains("since")) {
        const auto t =
            args["since"].is_string() ? parse_time(args["since"].get<std::string>()) : std::nullopt;
        if (!t) return error(ErrorCode::bad_request, "argument 'since' must be an RFC 3339 time");
        since = *t;
    }
    auto finished = store_.finished_calls(since);
    if (!finished) return error("store", finished.error().message);
    const RoutingConfig& config = service_.engine().config();
    ServiceStats stats;
    for (const CallSnapshot& c : *finished)
        stats.add(c, config, now);
    for (const CallSnapshot& c : service_.engine().calls()) {
        if (c.enqueued_at >= since) stats.add(c, config, now);
    }
    std::int64_t rejected = 0;
    std::map<std::string, Json> by_specialty;
    for (const SpecialtyConfig& s : config.specialties) {
        Json classes = Json::object();
        for (CallClass c : kCallClasses)
            classes[std::string(to_string(c))] = figures_json(ServiceTally().figures());
        by_specialty[s.id] = classes;
    }
    for (const auto& [key, tally] : stats.buckets()) {
        if (key.first.empty()) {
            rejected += tally.figures().rejected;
            continue;
        }
        if (!by_specialty.contains(key.first)) by_specialty[key.first] = Json::object();
        by_specialty[key.first][std::string(to_string(key.second))] = figures_json(tally.figures());
    }
    Json rows = Json::array();
    for (const SpecialtyConfig& s : config.specialties) {
        rows.push_back({{"specialty", s.id}, {"classes", by_specialty[s.id]}});
        by_specialty.erase(s.id);
    }
    for (const auto& [id, classes] : by_specialty) {  // specialties since removed
        rows.push_back({{"specialty", id}, {"classes", classes}});
    }
    return {0,
            "service figures since " + format_time(since),
            {{"since", format_time(since)}, {"specialties", rows}, {"rejected", rejected}}};
}

Admin::Answer Admin::config_test(const Json& args) {
    std::string path = config_file_;
    if (args.contains("path")) {
        if (!args["path"].is_string())
            return error(ErrorCode::bad_request, "argument 'path' must be a string");
        path = args["path"];
    }
    const ConfigResult r = load_config(path);
    if (r.ok()) return {0, "ok: " + path, {{"path", path}}};
    Json errors = Json::array();
    for (const ConfigError& e : r.error())
        errors.push_back(e.to_string());
    return {1,
            fmt::format("{} error(s) in {}", errors.size(), path),
            {{"code", "invalid_config"}, {"path", path}, {"errors", errors}}};
}

Admin::Answer Admin::config_reload(const Peer& peer) {
    const ConfigResult r = load_config(config_file_);
    if (!r.ok()) {
        Json errors = Json::array();
        for (const ConfigError& e : r.error())
            errors.push_back(e.to_string());
        return {1,
                fmt::format("{} error(s) in {}: the running configuration stays", errors.size(),
                            config_file_),
                {{"code", "invalid_config"}, {"errors", errors}}};
    }
    const Config& next = *r;
    const auto restart = needing_restart(service_.config(), next);
    const Reply reply = service_.apply(input::Reconfigure{next.routing}, peer).output.reply;
    if (!reply.ok()) {
        return error(reply.code, reply.message + ": the running configuration stays");
    }
    service_.update_config(next);  // the live parts: tokens, retention, log level
    std::string text = "configuration reloaded";
    if (!restart.empty()) {
        text += "; a restart is needed to apply: " + fmt::format("{}", fmt::join(restart, ", "));
    }
    return {0, text, {{"needs_restart", restart}}};
}

void Admin::audit_verify(Done done) {
    // Walking a long chain takes seconds: not on the engine's thread.
    asio::post(background_, [this, done] {
        store_.flush();  // covers every record appended before the command
        auto verified = store_.verify();
        asio::post(io_, [verified = std::move(verified), done] {
            if (!verified) return done(error("store", verified.error().message));
            Json args = {{"ok", verified->ok}, {"records", verified->records}};
            if (!verified->ok) {
                args["first_bad_id"] = *verified->first_bad_id;
                args["reason"] = verified->reason;
            }
            done({0,
                  verified->ok
                      ? fmt::format("the audit chain of {} records verifies", verified->records)
                      : fmt::format("record {} is bad: {}", *verified->first_bad_id,
                                    verified->reason),
                  args});
        });
    });
}

void Admin::backup(const Json& args, Done done) {
    const auto path = args.find("path");
    if (path == args.end() || !path->is_string() || path->get<std::string>().empty() ||
        path->get<std::string>().front() != '/') {
        return done(error(ErrorCode::bad_request, "argument 'path' must be an absolute file path"));
    }
    const std::string target = *path;
    asio::post(background_, [this, target, done] {
        auto copied = store_.backup(target);
        asio::post(io_, [copied = std::move(copied), target, done] {
            if (!copied) return done(error("store", copied.error().message));
            done({0,
                  fmt::format("backed up {} audit records to {}", *copied, target),
                  {{"path", target}, {"records", *copied}}});
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

void Admin::publish(const Output& output) {
    if (subscribers_.empty() || output.changes.empty()) return;
    const bool calls_watched =
        std::any_of(subscribers_.begin(), subscribers_.end(),
                    [](const Subscriber& s) { return s.topics.contains("calls"); });
    const Engine& engine = service_.engine();
    const Time now = service_.now();
    std::vector<std::pair<std::string, Json>> messages;  // (topic, message)
    std::set<std::string> specialties;
    for (const Change& change : output.changes) {
        if (const auto* c = std::get_if<CallChange>(&change)) {
            Json message = {{"topic", "calls"},
                            {"event", change_type(change)},
                            {"at", format_time(c->at)},
                            {"call", call_json(c->call, now)}};
            // What an agent desktop pops: when the call arrives and when it rings an agent.
            if (calls_watched && (c->cause == Cause::offered || c->cause == Cause::routed)) {
                if (auto summary = agenda_->caller_summary(c->call.caller)) {
                    message["caller"] = std::move(*summary);
                }
            }
            messages.push_back({"calls", std::move(message)});
            if (!c->call.specialty.empty()) specialties.insert(c->call.specialty);
        } else if (const auto* a = std::get_if<AgentChange>(&change)) {
            const auto view = find_agent(engine, a->agent);
            Json agent = view ? agent_json(*view, now)
                              : Json{{"agent", a->agent}, {"state", to_string(a->state)}};
            agent["state"] = to_string(a->state);  // as of this change, not the end of the step
            messages.push_back({"agents",
                                {{"topic", "agents"},
                                 {"event", "agent.state"},
                                 {"at", format_time(a->at)},
                                 {"cause", to_string(a->cause)},
                                 {"agent", agent}}});
            if (view) specialties.insert(view->skills.begin(), view->skills.end());
        }
    }
    if (!specialties.empty()) {
        for (const QueueView& q : engine.queues()) {
            if (specialties.contains(q.specialty)) {
                messages.push_back({"queues",
                                    {{"topic", "queues"},
                                     {"event", "queue.state"},
                                     {"queue", queue_json(q, now)}}});
            }
        }
    }
    broadcast(messages);
}

void Admin::broadcast(const std::vector<std::pair<std::string, Json>>& messages) {
    std::erase_if(subscribers_, [&](Subscriber& s) {
        for (const auto& [topic, message] : messages) {
            if (s.topics.contains(topic) && !s.link->stream(message)) return true;  // dropped
        }
        return false;
    });
}

}  // namespace acd
