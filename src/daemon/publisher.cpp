#include "publisher.hpp"

#include <set>

#include "acd/codec.hpp"
#include "acd/site_time.hpp"
#include "acd/views.hpp"
#include "alerts.hpp"
#include "scripts.hpp"

namespace acd {
void publish_output(control::Hub& hub, const Engine& engine, Time now, const Output& output,
                    const std::function<std::optional<Json>(const std::string&)>& caller_summary) {
    if (output.changes.empty()) return;
    const bool calls_watched = hub.watched("calls");
    if (!calls_watched && !hub.watched("agents") && !hub.watched("queues") &&
        !hub.watched("alerts")) {
        return;
    }
    const ZoneRules& zone = engine.config().zone;        // the times shown are the site's
    std::vector<std::pair<std::string, Json>> messages;  // (topic, message)
    std::set<std::string> specialties;
    for (const Change& change : output.changes) {
        if (const auto* c = std::get_if<CallChange>(&change)) {
            Json message = {{"topic", "calls"},
                            {"event", change_type(change)},
                            {"at", format_site_time(zone, c->at)},
                            {"call", call_json(c->call, now)}};
            add_script(message["call"], engine.config(), c->call);
            // What an agent desktop pops: when the call arrives and when it rings an agent.
            if (calls_watched && caller_summary &&
                (c->cause == Cause::offered || c->cause == Cause::routed)) {
                if (auto summary = caller_summary(c->call.caller)) {
                    message["caller"] = std::move(*summary);
                }
            }
            messages.emplace_back("calls", std::move(message));
            if (!c->call.specialty.empty()) specialties.insert(c->call.specialty);
        } else if (const auto* a = std::get_if<AgentChange>(&change)) {
            const auto view = find_agent(engine, a->agent);
            Json agent = view ? agent_json(*view, now)
                              : Json{{"agent", a->agent}, {"state", to_string(a->state)}};
            agent["state"] = to_string(a->state);  // as of this change, not the end of the step
            messages.emplace_back("agents", Json{{"topic", "agents"},
                                                 {"event", "agent.state"},
                                                 {"at", format_site_time(zone, a->at)},
                                                 {"cause", to_string(a->cause)},
                                                 {"agent", agent}});
            if (view) specialties.insert(view->skills.begin(), view->skills.end());
        } else if (const auto* alert = std::get_if<AlertChange>(&change)) {
            messages.emplace_back("alerts", Json{{"topic", "alerts"},
                                                 {"event", change_type(change)},
                                                 {"at", format_site_time(zone, alert->at)},
                                                 {"alert", alert_json(alert->alert, zone)}});
        }
    }
    if (!specialties.empty()) {
        for (const QueueView& q : engine.queues()) {
            if (specialties.contains(q.specialty)) {
                messages.emplace_back("queues", Json{{"topic", "queues"},
                                                     {"event", "queue.state"},
                                                     {"queue", queue_json(q, now)}});
            }
        }
    }
    hub.publish(messages);
}

}  // namespace acd
