#include "control_plane.hpp"

#include <unistd.h>

#include <set>

#include "acd/site_time.hpp"
#include "alerts.hpp"
#include "metrics.hpp"
#include "publisher.hpp"
#include "users/roles.hpp"

namespace acd {

ControlPlane::ControlPlane(asio::io_context& io, Service& service, Store& store,
                           std::string config_file, Notifier& notifier,
                           std::function<void()> shutdown)
    : service_(service),
      store_(store),
      hub_({"calls", "agents", "queues", "alerts", "agenda"}),
      operations_(io, service, store, std::move(config_file), notifier, std::move(shutdown)) {}

Result<std::unique_ptr<ControlPlane>> ControlPlane::open(asio::io_context& io, Service& service,
                                                         Store& store, std::string config_file,
                                                         Notifier& notifier,
                                                         std::function<void()> shutdown) {
    std::unique_ptr<ControlPlane> plane(new ControlPlane(io, service, store, std::move(config_file),
                                                         notifier, std::move(shutdown)));
    auto agenda = agenda::Commands::open(
        agenda::Context{io, store, service.pii_key(), service.config().store.path, plane->hub_,
                        [&service] { return service.now(); },
                        [&service]() -> const RoutingConfig& { return service.engine().config(); },
                        [&service](const std::string& call_id,
                                   const std::string& gateway) -> std::optional<CallSnapshot> {
                            input::CallSelector selector{call_id, std::nullopt};
                            if (!gateway.empty()) selector.gateway = gateway;
                            return service.engine().find_call(selector);
                        },
                        [&service](std::uint64_t ticket, std::function<void()> fn) {
                            service.when_durable(ticket, std::move(fn));
                        },
                        [&service](const std::string& pseudonym, const std::string& unlinked) {
                            return service.unlink_live_calls(pseudonym, unlinked);
                        }});
    if (!agenda) return agenda.error();
    plane->agenda_ = std::move(*agenda);
    auto users = users::Users::open(
        users::Context{io, store, service.pii_key(), service.config().store.path,
                       [&service] { return service.now(); },
                       [&service](std::uint64_t ticket, std::function<void()> fn) {
                           service.when_durable(ticket, std::move(fn));
                       },
                       [&service](const std::string& agent) {
                           for (const AgentConfig& a : service.engine().config().agents) {
                               if (a.id == agent) return true;
                           }
                           return false;
                       },
                       [&service] { return service.engine().config().zone; }});
    if (!users) return users.error();
    plane->users_ = std::move(*users);
    auto figures = CallFigures::load(store, service.engine().config(), service.now());
    if (!figures) return figures.error();
    plane->figures_ = std::make_unique<CallFigures>(std::move(*figures));

    plane->quality_ = std::make_unique<quality::Quality>(quality::Context{
        store, service.config().store.path, [&service] { return service.now(); },
        [&service]() -> const RoutingConfig& { return service.engine().config(); },
        [&service](std::uint64_t ticket, std::function<void()> fn) {
            service.when_durable(ticket, std::move(fn));
        },
        [&service, &store](const control::Request& request, const control::Answer& answer) {
            audit_command(store, service.now(), request, answer);
        }});

    // Today's quality figures, counted from the table now, before any evaluation is under way.
    const RoutingConfig& routing = service.engine().config();
    if (auto today = plane->quality_->figures(site_midnight(routing.zone, service.now())); !today) {
        return today.error();
    }

    control::Registry& r = plane->registry_;
    add_engine_commands(r, service);
    agenda::Commands& a = *plane->agenda_;
    quality::Quality& q = *plane->quality_;
    add_status_commands(
        r, service, store, *plane->figures_, [&a] { return a.urgent_overdue_count(); },
        [&q](Time since) { return q.figures(since); });
    plane->operations_.add_to(r);
    a.add_to(r);
    q.add_to(r);
    plane->hub_.add_commands(r);
    plane->users_->add_to(r);
    ControlPlane* raw = plane.get();
    r.set_permission([raw](const control::Request& request, const control::Command& command) {
        return users::permit(
            request, command,
            users::RoleFacts{[raw](const std::string& call, const std::string& agent) {
                return raw->call_of_agent(call, agent);
            }});
    });
    r.set_answered([raw](const control::Request& request, const control::Answer& answer) {
        raw->trace_access(request, answer);
    });
    r.set_audit([&service, &store](const control::Request& request, const control::Answer& answer) {
        audit_command(store, service.now(), request, answer);
    });

    ControlPlane* self = plane.get();
    service.set_caller_summary(
        [self](const std::string& caller) { return self->agenda_->caller_summary(caller); });
    service.set_call_finished([self](const CallSnapshot& c) {
        self->agenda_->call_finished(c);
        self->call_ended(c);
    });
    service.set_output_job([self](const Output& out) { return self->quality_->job_for(out); });
    service.set_observer([self](const Output& out) {
        self->figures_->output(out, self->service_.engine().config(), self->service_.now());
        log_alerts(out, self->service_.engine().config().zone);
        publish_output(
            self->hub_, self->service_.engine(), self->service_.now(), out,
            [self](const std::string& caller) { return self->agenda_->caller_summary(caller); });
    });
    return plane;
}

ControlPlane::~ControlPlane() {
    service_.set_caller_summary(nullptr);
    service_.set_call_finished(nullptr);
    service_.set_output_job(nullptr);
    service_.set_observer(nullptr);
}

std::string ControlPlane::metrics_text() const {
    return Metrics(*figures_, store_.commit_times()).text(service_.engine(), service_.now());
}

namespace {

// The phone numbers in an answer: every string member called "phone", at any depth.
void phones_in(const Json& j, std::set<std::string>& out) {
    if (j.is_object()) {
        for (const auto& [key, value] : j.items()) {
            if (key == "phone" && value.is_string()) {
                out.insert(value.get<std::string>());
            } else {
                phones_in(value, out);
            }
        }
    } else if (j.is_array()) {
        for (const Json& item : j)
            phones_in(item, out);
    }
}

}  // namespace

void ControlPlane::trace_access(const control::Request& request, const control::Answer& answer) {
    static const std::set<std::string, std::less<>> kShowsPersonalData = {
        "caller-history", "appointment-list", "waitlist-list", "message-list", "call-list"};
    if (!answer.ok() || !kShowsPersonalData.contains(request.command)) return;
    std::set<std::string> phones;
    phones_in(answer.arguments, phones);
    if (phones.empty()) return;
    Json patients = Json::array();
    for (const std::string& phone : phones)
        patients.push_back(service_.pii_key().pseudonym(phone));
    record_access(request.caller, request.command, std::move(patients));
}

void ControlPlane::record_access(const control::Caller& caller, const std::string& command,
                                 Json patients) {
    AuditRecord r;
    r.at = service_.now();
    r.kind = RecordKind::action;
    r.type = "access";
    Json body = {{"command", command}, {"patients", std::move(patients)}};
    if (caller.channel == control::Caller::Channel::web) {
        body["user"] = caller.user;
    } else {
        r.uid = caller.uid;
        r.gid = caller.gid;
    }
    r.body = body.dump();
    WriteBatch batch;
    batch.records.push_back(std::move(r));
    store_.append(std::move(batch));
}

Json ControlPlane::screen_pop(const Json& message, const control::Caller& caller) {
    const Json& call = message.at("call");
    input::CallSelector selector{call.value("call_id", ""), std::nullopt};
    if (call.contains("gateway") && call["gateway"].is_string()) selector.gateway = call["gateway"];
    if (auto live = service_.engine().find_call(selector); live && !live->caller.empty()) {
        record_access(caller, "screen_pop", Json::array({live->caller}));
    }
    Json pop = {{"call_id", call.value("call_id", "")},
                {"specialty", call.value("specialty", Json())},
                {"class", call.value("class", "")},
                {"wait_s", call.value("wait_s", Json())},
                {"caller", message.value("caller", Json())}};
    const RoutingConfig& routing = service_.engine().config();
    std::vector<std::string> script;
    if (auto cls = parse_call_class(call.value("class", ""))) {
        const auto& lines = routing.policy(*cls).script;
        script.insert(script.end(), lines.begin(), lines.end());
    }
    for (const SpecialtyConfig& s : routing.specialties) {
        if (call.contains("specialty") && call["specialty"] == s.id) {
            script.insert(script.end(), s.script.begin(), s.script.end());
        }
    }
    pop["script"] = script;
    return pop;
}

void ControlPlane::call_ended(const CallSnapshot& call) {
    if (call.agent.empty()) return;
    recently_ended_.push_back({call.call_id, call.agent, service_.now()});
    const Time horizon = service_.now() - std::chrono::minutes(10);
    while (!recently_ended_.empty() && recently_ended_.front().at < horizon)
        recently_ended_.pop_front();
}

bool ControlPlane::call_of_agent(const std::string& call_id, const std::string& agent) {
    if (agent.empty()) return false;
    input::CallSelector selector{call_id, std::nullopt};
    if (auto live = service_.engine().find_call(selector)) return live->agent == agent;
    const Time horizon = service_.now() - std::chrono::minutes(10);
    for (const Ended& e : recently_ended_) {
        if (e.call_id == call_id && e.agent == agent && e.at >= horizon) return true;
    }
    return false;
}

void ControlPlane::start(std::function<void()> ready) {
    agenda_->start(std::move(ready));
}

void ControlPlane::run_as_daemon(std::string command) {
    control::Caller self;
    self.channel = control::Caller::Channel::internal;
    self.uid = static_cast<std::int64_t>(::getuid());
    self.gid = static_cast<std::int64_t>(::getgid());
    registry_.run({std::move(command), Json::object(), self, nullptr}, [](control::Answer) {});
}

void ControlPlane::on_request(const std::shared_ptr<net::AdminLink>& link, const Json& request) {
    const net::PeerCredentials& p = link->peer();
    control::Caller caller;
    caller.channel = control::Caller::Channel::socket;
    caller.uid = p.uid;
    caller.gid = p.gid;
    registry_.execute(request, caller, link, [link](Json response) { link->respond(response); });
}

void ControlPlane::on_closed(net::AdminLink& link) {
    hub_.unsubscribe(link);
}

}  // namespace acd
