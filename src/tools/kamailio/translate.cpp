#include "translate.hpp"

#include <fmt/format.h>

namespace acd::kamailio {

namespace {

using json = nlohmann::json;

bool is_string(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string();
}

std::string text_of(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t seq_of(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

FromKamailio refused(std::string why) {
    FromKamailio r;
    r.problem = std::move(why);
    return r;
}

// A call event: call_id must fit the protocol; a call that cannot is rejected in Kamailio.
std::optional<FromKamailio> bad_call_id(const json& j) {
    if (!is_string(j, "call_id") || text_of(j, "call_id").empty()) {
        return refused("event without call_id");
    }
    const std::string id = text_of(j, "call_id");
    if (id.size() <= kMaxCallId) return std::nullopt;
    FromKamailio r;
    r.problem =
        fmt::format("Call-ID of {} bytes is longer than {}: call rejected", id.size(), kMaxCallId);
    if (text_of(j, "type") == "call.offered") r.reply = reject_command(id, "no_route");
    return r;
}

FromKamailio offered(json j) {
    FromKamailio r;
    if (!is_string(j, "caller") || text_of(j, "caller").empty()) j["caller"] = "anonymous";
    if (!is_string(j, "dialed")) {
        r.problem = "call.offered without dialed: call rejected";
        r.reply = reject_command(text_of(j, "call_id"), "no_route");
        return r;
    }
    if (j.contains("class")) {
        const std::string c = text_of(j, "class");
        if (c != "urgent" && c != "appointment" && c != "admin") {
            // The specialty's default class applies; the call is still taken.
            r.problem = fmt::format("X-ACD-Class {} is not urgent, appointment or admin: ignored",
                                    j["class"].dump());
            j.erase("class");
        }
    }
    r.event = std::move(j);
    return r;
}

}  // namespace

FromKamailio from_kamailio(std::string_view payload) {
    json j = json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return refused("not a JSON object");
    const std::string type = text_of(j, "type");
    if (type == "agent.state") {
        if (!is_string(j, "agent") || text_of(j, "agent").empty() || !is_string(j, "state")) {
            return refused("agent.state without agent or state");
        }
        FromKamailio r;
        r.event = std::move(j);
        return r;
    }
    if (type != "call.offered" && type != "call.answered" && type != "call.no_answer" &&
        type != "call.ended") {
        return refused(
            fmt::format("unknown type {}", j.contains("type") ? j["type"].dump() : "(none)"));
    }
    if (auto bad = bad_call_id(j)) return *bad;
    if (type == "call.offered") return offered(std::move(j));
    FromKamailio r;
    r.event = std::move(j);
    return r;
}

std::string event_line(json event, std::uint64_t seq) {
    event["seq"] = seq;
    std::string line = event.dump();
    line.push_back('\n');
    return line;
}

FromAcdd from_acdd(std::string_view line) {
    FromAcdd r;
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        r.message = "not a JSON object";
        return r;
    }
    r.type = text_of(j, "type");
    if (r.type == "welcome") {
        r.kind = FromAcdd::Kind::welcome;
        r.seq = seq_of(j, "last_seq");
    } else if (r.type == "ack") {
        r.kind = FromAcdd::Kind::ack;
        r.seq = seq_of(j, "seq");
    } else if (r.type == "error") {
        r.kind = FromAcdd::Kind::error;
        r.seq = seq_of(j, "seq");
        r.code = text_of(j, "code");
        r.message = text_of(j, "message");
    } else if (r.type == "call.queued" || r.type == "call.route" || r.type == "call.reject") {
        r.call_id = text_of(j, "call_id");
        if (r.call_id.empty()) {
            r.message = "command without call_id";
            return r;
        }
        r.kind = FromAcdd::Kind::command;
        r.text = j.dump();  // one line, whatever spacing acdd used
    } else {
        r.message = "unknown type";
    }
    return r;
}

std::string reject_command(std::string_view call_id, std::string_view reason) {
    return json{{"type", "call.reject"}, {"call_id", call_id}, {"reason", reason}}.dump();
}

bool RouteMemo::repeat(const std::string& call_id, const std::string& command_text) {
    const auto it = last_.find(call_id);
    if (it != last_.end() && it->second == command_text) return true;
    if (it == last_.end() && last_.size() >= capacity_) last_.clear();
    last_[call_id] = command_text;
    return false;
}

}  // namespace acd::kamailio
