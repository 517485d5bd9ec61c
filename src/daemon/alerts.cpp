#include "alerts.hpp"

#include "acd/log.hpp"
#include "acd/site_time.hpp"

namespace acd {
namespace {

Json or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

}  // namespace

Json alert_json(const Alert& a, const ZoneRules& zone) {
    return {{"alert", to_string(a.kind)},
            {"specialty", a.specialty},
            {"gateway", or_null(a.gateway)},
            {"call_id", or_null(a.call_id)},
            {"raised_at", format_site_time(zone, a.raised_at)}};
}

void log_alerts(const Output& output, const ZoneRules& zone) {
    for (const Change& change : output.changes) {
        const auto* a = std::get_if<AlertChange>(&change);
        if (a == nullptr) continue;
        const Alert& alert = a->alert;
        const std::string call =
            alert.call_id.empty() ? "" : fmt::format(" call {}/{}", alert.gateway, alert.call_id);
        if (a->raised) {
            log_warning("alert.raised", "{} for {}{} at {}", to_string(alert.kind), alert.specialty,
                        call, format_site_time(zone, a->at));
        } else {
            log_warning("alert.cleared", "{} for {}{} at {} (raised at {})", to_string(alert.kind),
                        alert.specialty, call, format_site_time(zone, a->at),
                        format_site_time(zone, alert.raised_at));
        }
    }
}

}  // namespace acd
