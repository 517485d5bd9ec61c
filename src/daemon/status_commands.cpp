// What the engine shows: status-get, queue-list, queue-get, agent-list, call-list,
// overflow-get, stats-get, version-get.
#include <fmt/format.h>

#include "acd/site_time.hpp"
#include "acd/stats.hpp"
#include "acd/version.hpp"
#include "acd/views.hpp"
#include "alerts.hpp"
#include "commands.hpp"
#include "scripts.hpp"

namespace acd {
namespace {

using control::Answer;

Answer status(const Engine& engine, std::chrono::seconds uptime,
              std::optional<std::int64_t> urgent_overdue) {
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
    Json alerts = Json::array();
    for (const Alert& a : engine.alerts())
        alerts.push_back(alert_json(a, engine.config().zone));
    return Answer::success(
        fmt::format("acdd {} up {} s", kVersion, uptime.count()),
        {{"version", kVersion},
         {"uptime_s", uptime.count()},
         {"calls_queued", calls[CallState::queued]},
         {"calls_offering", calls[CallState::offering]},
         {"calls_connected", calls[CallState::connected]},
         {"agents", agents},
         {"alerts", alerts},
         {"urgent_messages_overdue", urgent_overdue ? Json(*urgent_overdue) : Json(nullptr)}});
}

Answer queue_get(const Engine& engine, const Json& args, Time now) {
    json::Problems problems;
    json::Reader r = json::Reader::named(args, "argument", problems);
    const auto specialty = r.string("specialty", json::required);
    if (!specialty) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    const auto queue = engine.queue(*specialty);
    if (!queue) {
        return Answer::failure(ErrorCode::unknown_specialty,
                               "unknown specialty '" + *specialty + "'");
    }
    Json calls = Json::array();
    for (const CallSnapshot& c : *queue)
        calls.push_back(queued_call_json(c, now));
    return Answer::listing(calls.empty(),
                           fmt::format("{} calls queued for {}", calls.size(), *specialty),
                           {{"specialty", *specialty}, {"calls", calls}});
}

Answer overflow_get(const Engine& engine) {
    Json specialties = Json::array();
    for (const OverflowSetting& s : engine.overflow_settings()) {
        specialties.push_back(
            {{"specialty", s.specialty}, {"threshold", s.threshold}, {"enabled", s.enabled}});
    }
    Json teams = Json::array();
    for (const TeamView& t : engine.teams()) {
        teams.push_back(
            {{"team", t.id}, {"active", t.active}, {"max_concurrent", t.max_concurrent}});
    }
    return Answer::success(
        fmt::format("{} specialties, {} teams", specialties.size(), teams.size()),
        {{"specialties", specialties}, {"teams", teams}});
}

// The figures of the calls finished since `since`: today's as counted (CallFigures), another
// time's from the store (a scan of its calls: docs/admin.md says what it costs).
Result<ServiceStats> finished_since(Store& store, CallFigures& figures, const RoutingConfig& config,
                                    Time since, Time now) {
    auto today = figures.today(since, config, now);
    if (!today) return today.error();
    if (*today) return std::move(**today);
    auto finished = store.finished_calls(since);
    if (!finished) return finished.error();
    ServiceStats stats;
    for (const CallSnapshot& c : *finished)
        stats.add(c, config, now);
    return stats;
}

Answer stats_get(const Engine& engine, Store& store, CallFigures& figures,
                 const QualityFigures& quality_figures, const Json& args, Time now) {
    const RoutingConfig& config = engine.config();
    json::Problems problems;
    json::Reader r = json::Reader::named(args, "argument", problems);
    // "Today" is the site's (config.md v1.1 site.timezone), whatever the machine's TZ.
    const Time since = r.time("since").value_or(site_midnight(config.zone, now));
    if (!problems.empty()) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    auto finished = finished_since(store, figures, config, since, now);
    if (!finished) return Answer::failure(finished.error());
    auto quality = quality_figures(since);
    if (!quality) return Answer::failure(quality.error());
    ServiceStats& stats = *finished;
    for (const CallSnapshot& c : engine.calls()) {
        if (c.enqueued_at >= since) stats.add(c, config, now);
    }
    std::int64_t rejected = 0;
    std::map<std::string, Json> by_specialty;
    for (const SpecialtyConfig& s : config.specialties) {
        Json classes = Json::object();
        for (CallClass c : kCallClasses) {
            classes[std::string(to_string(c))] = figures_json(ServiceTally().figures());
            quality::add_figures_json(classes[std::string(to_string(c))], {});
        }
        by_specialty[s.id] = classes;
    }
    for (const auto& [key, tally] : stats.buckets()) {
        if (key.first.empty()) {
            rejected += tally.figures().rejected;
            continue;
        }
        if (!by_specialty.contains(key.first)) by_specialty[key.first] = Json::object();
        Json& figures = by_specialty[key.first][std::string(to_string(key.second))];
        figures = figures_json(tally.figures());
        quality::add_figures_json(figures, {});
    }
    for (const auto& [key, q] : *quality) {
        Json& figures = by_specialty[key.first][std::string(to_string(key.second))];
        if (figures.is_null()) figures = figures_json(ServiceTally().figures());
        quality::add_figures_json(figures, q);
    }
    Json rows = Json::array();
    for (const SpecialtyConfig& s : config.specialties) {
        rows.push_back({{"specialty", s.id}, {"classes", by_specialty[s.id]}});
        by_specialty.erase(s.id);
    }
    for (const auto& [id, classes] : by_specialty) {  // specialties since removed
        rows.push_back({{"specialty", id}, {"classes", classes}});
    }
    const std::string shown = format_site_time(config.zone, since);
    return Answer::success("service figures since " + shown, {{"since", shown},
                                                              {"timezone", config.zone.name},
                                                              {"specialties", rows},
                                                              {"rejected", rejected}});
}

// A command that answers at once from the engine.
control::Handler now(std::function<Answer(const control::Request&)> f) {
    return [f = std::move(f)](control::Request& request, control::Done done) { done(f(request)); };
}

}  // namespace

void add_status_commands(control::Registry& registry, Service& service, Store& store,
                         CallFigures& figures,
                         std::function<std::optional<std::int64_t>()> urgent_overdue,
                         QualityFigures quality_figures) {
    using control::Access;
    const auto started = std::chrono::steady_clock::now();
    registry.add(
        {"version-get", Access::reads, now([](const control::Request&) {
             return Answer::success(std::string("acdd ") + kVersion, {{"version", kVersion}});
         })});
    registry.add({"status-get", Access::reads,
                  now([&service, started, urgent_overdue](const control::Request&) {
                      const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - started);
                      return status(service.engine(), uptime, urgent_overdue());
                  })});
    registry.add(
        {"queue-list", Access::reads, now([&service](const control::Request&) {
             Json queues = Json::array();
             for (const QueueView& q : service.engine().queues())
                 queues.push_back(queue_json(q, service.now()));
             return Answer::success(fmt::format("{} queues", queues.size()), {{"queues", queues}});
         })});
    registry.add({"queue-get", Access::reads, now([&service](const control::Request& r) {
                      return queue_get(service.engine(), r.arguments, service.now());
                  })});
    registry.add(
        {"agent-list", Access::reads, now([&service](const control::Request&) {
             Json agents = Json::array();
             for (const AgentView& a : service.engine().agents())
                 agents.push_back(agent_json(a, service.now()));
             return Answer::success(fmt::format("{} agents", agents.size()), {{"agents", agents}});
         })});
    registry.add({"call-list", Access::reads, now([&service](const control::Request&) {
                      Json calls = Json::array();
                      for (const CallSnapshot& c : service.engine().calls()) {
                          calls.push_back(call_json(c, service.now()));
                          add_script(calls.back(), service.engine().config(), c);
                      }
                      return Answer::listing(calls.empty(), fmt::format("{} calls", calls.size()),
                                             {{"calls", calls}});
                  })});
    registry.add({"overflow-get", Access::reads, now([&service](const control::Request&) {
                      return overflow_get(service.engine());
                  })});
    registry.add({"stats-get", Access::reads,
                  now([&service, &store, &figures, quality_figures](const control::Request& r) {
                      return stats_get(service.engine(), store, figures, quality_figures,
                                       r.arguments, service.now());
                  })});
}

}  // namespace acd
