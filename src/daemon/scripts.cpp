#include "scripts.hpp"

namespace acd {

std::vector<std::string> script_lines(const RoutingConfig& config, const std::string& specialty,
                                      CallClass call_class) {
    std::vector<std::string> lines = config.policy(call_class).script;
    for (const SpecialtyConfig& s : config.specialties) {
        if (s.id == specialty) lines.insert(lines.end(), s.script.begin(), s.script.end());
    }
    return lines;
}

void add_script(Json& call_json, const RoutingConfig& config, const CallSnapshot& call) {
    call_json["script"] = script_lines(config, call.specialty, call.call_class);
}

}  // namespace acd
