#include "journal.hpp"

#include "acd/record_json.hpp"
#include "acd/routing_json.hpp"

namespace acd {
namespace {

struct InputRecord {
    AuditRecord& r;

    void operator()(const input::GatewayEvent& ev) {
        r.type = gateway_event_type(ev);
        r.gateway = ev.gateway;
        r.seq = ev.seq;
        std::visit(
            [&](const auto& b) {
                using T = std::decay_t<decltype(b)>;
                if constexpr (std::is_same_v<T, input::AgentReport>) {
                    r.agent = b.agent;
                } else if constexpr (!std::is_same_v<T, input::Rejected>) {
                    r.call_id = b.call_id;
                    if constexpr (std::is_same_v<T, input::CallAnswered> ||
                                  std::is_same_v<T, input::CallNoAnswer>) {
                        r.agent = b.agent.value_or("");
                    }
                }
            },
            ev.body);
        r.body = gateway_event_body(ev);
    }
    void operator()(const input::Tick&) {
        r.type = "tick";
        r.body = "{}";
    }
    void operator()(const input::Reconfigure& in) {
        r.type = "config";
        r.body = routing_json(in.config).dump();
    }
    template <typename Command>
    void operator()(const Command& in) {
        const Json j = to_json_command(Input{in});
        r.type = j["command"];
        const Json& args = j["arguments"];
        if (args.contains("agent")) r.agent = args["agent"];
        if (args.contains("call_id")) r.call_id = args["call_id"];
        if (args.contains("gateway")) r.gateway = args["gateway"];
        r.body = j.dump();
    }
};

std::optional<Input> logged_gateway_event(const AuditRecord& r, const Json& body) {
    if (r.type == "rejected") {
        const auto code = body.value("code", std::string("bad_request"));
        const ErrorCode error = parse_error_code(code).value_or(ErrorCode::bad_request);
        return input::GatewayEvent{r.gateway, r.seq,
                                   input::Rejected{error, body.value("message", std::string())}};
    }
    auto parsed = parse_gateway_event(body, r.gateway);
    if (!parsed) return std::nullopt;
    return Input{std::move(*parsed)};
}

}  // namespace

AuditRecord input_record(const Input& input, Time at, const control::Caller* caller) {
    AuditRecord r;
    r.at = at;
    r.kind = RecordKind::input;
    std::visit(InputRecord{r}, input);
    if (caller != nullptr) {
        r.uid = caller->uid;
        r.gid = caller->gid;
    }
    return r;
}

void add_changes(const Output& output, AuditRecord& r) {
    if (output.changes.empty()) return;
    std::string& out = r.changes;
    out.reserve(400 * output.changes.size());
    out.push_back('[');
    for (const Change& change : output.changes) {
        if (out.size() > 1) out.push_back(',');
        out.append(R"({"change":)");
        out.append(change_body(change));
        std::visit(
            [&](const auto& ch) {
                using T = std::decay_t<decltype(ch)>;
                // The engine stamps its changes with the input's time; another time is kept.
                if (ch.at != r.at) {
                    out.append(R"(,"at":")");
                    append_time(out, ch.at);
                    out.push_back('"');
                }
                if constexpr (std::is_same_v<T, CallChange>) {
                    r.calls.push_back({ch.call.gateway, ch.call.call_id});
                    if (!ch.call.agent.empty()) r.agents.push_back(ch.call.agent);
                } else if constexpr (std::is_same_v<T, AgentChange>) {
                    r.agents.push_back(ch.agent);
                    if (!ch.call_id.empty()) r.calls.push_back({ch.gateway, ch.call_id});
                } else if constexpr (std::is_same_v<T, AlertChange>) {
                    if (!ch.alert.call_id.empty())
                        r.calls.push_back({ch.alert.gateway, ch.alert.call_id});
                }
            },
            change);
        out.append(R"(,"type":")");
        out.append(change_type(change));
        out.append(R"("})");
    }
    out.push_back(']');
}

bool journaled(const Input& input, const Output& output) {
    if (output.duplicate) return false;
    return !std::holds_alternative<input::Tick>(input) || !output.changes.empty();
}

WriteBatch journal_batch(const Input& input, const Output& output, Time at,
                         const control::Caller* caller) {
    WriteBatch batch;
    batch.records.push_back(input_record(input, at, caller));
    add_changes(output, batch.records.back());
    for (const Change& change : output.changes) {
        const auto* c = std::get_if<CallChange>(&change);
        if (c && c->call.state == CallState::ended) batch.finished_calls.push_back(c->call);
    }
    return batch;
}

std::optional<Input> input_from_record(const AuditRecord& r) {
    if (r.kind != RecordKind::input) return std::nullopt;
    const Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return std::nullopt;
    if (r.type == "tick") return Input{input::Tick{}};
    if (r.type == "config") {
        auto routing = routing_from_json(body);
        if (!routing) return std::nullopt;
        return Input{input::Reconfigure{std::move(*routing)}};
    }
    if (!r.gateway.empty() && r.seq > 0) return logged_gateway_event(r, body);
    if (!is_engine_command(r.type)) return std::nullopt;
    auto parsed = parse_engine_command(r.type, body.value("arguments", Json::object()));
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
}

}  // namespace acd
