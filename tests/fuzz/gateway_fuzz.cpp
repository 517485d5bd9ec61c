// libFuzzer target for the gateway side of acdd (docs/fuzzing.md): the bytes are what one
// gateway connection sends. They are cut into lines as a session cuts them
// (include/acd/framing.hpp), the first line goes through the hello parser and the others through
// the gateway line parser (include/acd/gateway_line.hpp), and every accepted event is applied to
// an Engine the way the daemon applies it (timers first, journaled). Properties that must hold for
// any bytes are checked on the way; a violated one traps, so that libFuzzer keeps the input that
// broke it.
//
// Lines that name an admin engine command ({"command":"agent-login","arguments":{...}}) also go
// through the admin decoder and, when accepted, into the engine, as if a supervisor had sent them
// between two gateway events: that reaches transfers, reclassifications and overflow settings.
//
// Time: each line happens (its length modulo 16) seconds after the previous one, so the fuzzer
// steers the ring, deadline and wrap-up timers with padding.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "acd/codec.hpp"
#include "acd/config.hpp"
#include "acd/framing.hpp"
#include "acd/gateway_line.hpp"
#include "acd/snapshot.hpp"
#include "daemon/journal.hpp"

namespace {

using namespace acd;

// A violated property: say which and why, then stop with a crash that libFuzzer records.
[[noreturn]] void violated(const char* property, const std::string& detail) {
    std::fprintf(stderr, "\nacd fuzz: property violated: %s\n  %s\n", property, detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

// `detail` is only evaluated when the property does not hold.
#define ACD_CHECK(property, detail)                     \
    do {                                                \
        if (!(property)) violated(#property, (detail)); \
    } while (false)

std::string show(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
std::string show(const Input& in) {
    return input_record(in, Time{}).body;
}

// Small on purpose: short ids the fuzzer finds easily (see gateway.dict), timers of a few
// seconds, a team of one line so that overflow is reached, a class that may not overflow.
constexpr std::string_view kConfig = R"({
  "ring_timeout_s": 4,
  "classes": {
    "urgent": {"target_s": 8, "tier": 0},
    "appointment": {"target_s": 20, "tier": 1},
    "admin": {"target_s": 30, "tier": 1, "overflow": false}
  },
  "specialties": [
    {"id": "cardiology", "numbers": ["+35244112221", "100"], "overflow_threshold": 1},
    {"id": "neurology", "numbers": ["200"], "default_class": "urgent", "overflow_threshold": 0},
    {"id": "radiology", "numbers": ["300"], "default_class": "admin", "overflow_enabled": false}
  ],
  "agents": [
    {"id": "a1", "uri": "sip:a1@pbx", "skills": ["cardiology", "neurology"], "wrap_up_s": 3},
    {"id": "a2", "uri": "sip:a2@pbx", "skills": ["cardiology"], "wrap_up_s": 0},
    {"id": "a3", "uri": "sip:a3@pbx", "skills": ["neurology", "radiology"], "wrap_up_s": 5}
  ],
  "overflow_teams": [
    {"id": "t1", "uri": "sip:t1@pbx", "max_concurrent": 1, "specialties": ["cardiology", "neurology"]}
  ]
})";

const RoutingConfig& routing_config() {
    static const RoutingConfig config = [] {
        const ConfigResult r = parse_config(kConfig, "/");
        if (!r.ok()) violated("the fuzz configuration is valid", r.error().front().to_string());
        return r->routing;
    }();
    return config;
}

// Whatever the gateway sent, acdd answers with JSON it can write.
void check_writable(const Json& message) {
    try {
        (void)message.dump();
    } catch (const std::exception& e) {
        violated("every message acdd sends can be written", e.what() + ("\n  " + show(message)));
    }
}

// RFC 3339 strings read back as the same time once written by format_time().
void check_times(const Json& message) {
    if (!message.is_object()) return;
    for (const auto& [key, value] : message.items()) {
        if (!value.is_string()) continue;
        const auto t = parse_time(value.get_ref<const std::string&>());
        if (!t) continue;
        const std::string written = format_time(*t);
        ACD_CHECK(parse_time(written) == t, value.get<std::string>() + " -> " + written);
    }
}

// An input goes to the audit log and comes back from it unchanged.
void check_journal(const Input& in, Time at) {
    const AuditRecord r = input_record(in, at);
    ACD_CHECK(r.kind == RecordKind::input && r.at == at, r.type);
    const auto back = input_from_record(r);
    ACD_CHECK(back.has_value(), r.type + " " + r.body);
    ACD_CHECK(*back == in, r.body + "\n  read back as " + show(*back));
    if (const auto* ev = std::get_if<input::GatewayEvent>(&in)) {
        ACD_CHECK(r.gateway == ev->gateway && r.seq == ev->seq, r.body);
    }
}

// An event's wire form (to_json, written out and read again) gives the same event back.
void check_wire_round_trip(const input::GatewayEvent& ev) {
    if (const auto* rejected = std::get_if<input::Rejected>(&ev.body)) {
        ACD_CHECK(rejected->code == ErrorCode::bad_request && !rejected->message.empty(),
                  rejected->message);
        return;  // a refused event has no wire form of its own: the journal keeps it
    }
    const Json wire = to_json(ev);
    check_writable(wire);
    const Json read = Json::parse(wire.dump(), nullptr, /*allow_exceptions=*/false);
    const auto back = parse_gateway_event(read, ev.gateway);
    ACD_CHECK(back.ok(), show(wire) + " -> " + back.error().message);
    ACD_CHECK(*back == ev, show(wire) + " -> " + show(to_json(*back)));
}

// The commands the engine sends are well formed and go to the connected gateway.
void check_command(const Command& c, const std::string& gateway, const RoutingConfig& config) {
    const Json j = to_json(c);
    check_writable(j);
    ACD_CHECK(c.gateway == gateway, c.gateway);
    ACD_CHECK(!c.call_id.empty() && c.call_id.size() <= kMaxCallIdBytes, show(j));
    ACD_CHECK(j["call_id"] == c.call_id, show(j));
    if (const auto* route = std::get_if<CallRouteCommand>(&c.body)) {
        ACD_CHECK(route->agent.empty() != route->team.empty(), show(j));
        ACD_CHECK(!route->to.empty() && route->ring_timeout_s == config.ring_timeout.count() / 1000,
                  show(j));
        ACD_CHECK(j["type"] == "call.route", show(j));
    } else if (const auto* queued = std::get_if<CallQueuedCommand>(&c.body)) {
        ACD_CHECK(queued->position >= 1, show(j));
        ACD_CHECK(!queued->expected_wait_s || *queued->expected_wait_s >= 0, show(j));
        ACD_CHECK(j["type"] == "call.queued", show(j));
    } else {
        ACD_CHECK(j["type"] == "call.reject" && j["reason"] == "no_route", show(j));
    }
}

// One gateway connection and the engine behind it.
class Session {
  public:
    Session() : engine_(routing_config()) {}

    // The time of the next line.
    void advance(std::size_t line_bytes) { now_ += seconds(std::int64_t(line_bytes % 16)); }

    // The first line. False when it is refused: the session closes the connection.
    bool hello(std::string_view line) {
        auto parsed = parse_hello(line);
        if (const auto* refusal = std::get_if<HelloRefusal>(&parsed)) {
            ACD_CHECK(refusal->code == ErrorCode::protocol ||
                          refusal->code == ErrorCode::unsupported_protocol,
                      refusal->message);
            check_writable(error_json(refusal->code, refusal->message, std::nullopt));
            return false;
        }
        const Hello& hello = std::get<Hello>(parsed);
        ACD_CHECK(!hello.gateway.empty() && hello.gateway.size() <= 64, hello.gateway);
        // The hello a gateway writes for the same id and token reads back the same.
        Json again = {{"type", "hello"}, {"gateway", hello.gateway}, {"protocol", 1}};
        if (hello.token) again["token"] = *hello.token;
        check_writable(again);
        const auto back = parse_hello(again.dump());
        ACD_CHECK(std::holds_alternative<Hello>(back) && std::get<Hello>(back) == hello,
                  show(again));
        gateway_ = hello.gateway;
        return true;
    }

    // A line after the hello: the event is read by the parser the sessions run (the JSON
    // document is for the admin commands and the times).
    void line(std::string_view line) {
        auto parsed = parser().parse(line, gateway_);
        const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (message.is_discarded()) {
            ACD_CHECK(!parsed && parsed.error().code == ErrorCode::bad_json &&
                          parsed.error().message == kNotJsonMessage,
                      std::string(line));
            check_writable(error_json(ErrorCode::bad_json, kNotJsonMessage, {}));
            return;
        }
        check_times(message);
        admin_command(message);
        if (!parsed) {
            const DecodeError* error = &parsed.error();
            ACD_CHECK((error->code == ErrorCode::bad_json) == !message.is_object(), error->message);
            ACD_CHECK(error->code == ErrorCode::bad_json || error->code == ErrorCode::protocol ||
                          error->code == ErrorCode::bad_request,
                      error->message);
            ACD_CHECK(!error->seq || *error->seq >= 1, error->message);
            check_writable(error_json(error->code, error->message, error->seq));
            return;
        }
        const auto& ev = *parsed;
        ACD_CHECK(ev.gateway == gateway_ && ev.seq >= 1, show(message));
        ACD_CHECK(*message.find("seq") == ev.seq, show(message));
        check_wire_round_trip(ev);
        apply(ev);
    }

    // The end of the connection: every timer fires, and a snapshot taken then behaves as the
    // engine does.
    void finish() {
        now_ += std::chrono::hours(1);
        apply(input::Tick{});
        const std::string snapshot = snapshot_engine(engine_);
        auto restored = restore_engine(snapshot);
        ACD_CHECK(restored.ok(), restored ? "" : restored.error().message);
        ACD_CHECK((*restored)->image() == engine_.image(), snapshot);
        const Output& original = engine_.handle(input::Tick{}, now_ + std::chrono::hours(1));
        ACD_CHECK((*restored)->handle(input::Tick{}, now_ + std::chrono::hours(1)) == original,
                  snapshot);
    }

  private:
    static GatewayLineParser& parser() {
        static GatewayLineParser parser;  // one for every input, as one serves a gateway server
        return parser;
    }

    // The admin decoder on lines that name an engine command; accepted ones are applied.
    void admin_command(const Json& message) {
        if (!message.is_object()) return;
        const auto command = message.find("command");
        if (command == message.end() || !command->is_string()) return;
        const std::string& name = command->get_ref<const std::string&>();
        if (!is_engine_command(name)) return;
        const auto arguments = message.find("arguments");
        static const Json none;
        auto parsed = parse_engine_command(name, arguments == message.end() ? none : *arguments);
        if (!parsed) {
            ACD_CHECK(parsed.error().code == ErrorCode::bad_request, parsed.error().message);
            return;
        }
        const Input& in = *parsed;
        // The admin form written by to_json_command() reads back as the same input.
        const Json written = to_json_command(in);
        check_writable(written);
        ACD_CHECK(written["command"] == name, show(written));
        const auto back = parse_engine_command(name, written["arguments"]);
        ACD_CHECK(back.ok() && *back == in, show(written));
        apply(in);
    }

    // Applies an input as the daemon does, checking what comes out.
    void apply(const Input& in) {
        check_journal(in, now_);
        const auto* ev = std::get_if<input::GatewayEvent>(&in);
        const bool duplicate = ev && ev->seq <= last_seq_;
        apply_with_timers(engine_, in, now_, [&](const Input& applied, const Output& out) {
            const bool is_input = &applied == &in;
            check_output(applied, out, is_input && duplicate);
            if (journaled(applied, out)) {
                const WriteBatch batch = journal_batch(applied, out, now_);
                for (const AuditRecord& r : batch.records) {
                    ACD_CHECK(Json::accept(r.body), r.type + " " + r.body);
                }
            }
        });
        if (ev && !duplicate) last_seq_ = ev->seq;
        ACD_CHECK(engine_.last_seq(gateway_) == last_seq_, std::to_string(last_seq_));
        check_engine();
    }

    void check_output(const Input& in, const Output& out, bool duplicate) {
        ACD_CHECK(out.duplicate == duplicate, show(in));
        if (duplicate) {
            ACD_CHECK(out.commands.empty() && out.changes.empty() && out.reply.ok(), show(in));
            return;  // acknowledged again, nothing applied
        }
        const auto* ev = std::get_if<input::GatewayEvent>(&in);
        if (ev && !out.reply.ok()) {
            check_writable(error_json(out.reply.code, out.reply.message, ev->seq));
            // A refused event changes nothing else (docs/spec/gateway-protocol.md), except a call
            // without a specialty: it is rejected and recorded.
            if (out.reply.code != ErrorCode::unknown_specialty) {
                ACD_CHECK(out.commands.empty() && out.changes.empty(),
                          show(in) + " -> " + out.reply.message);
            }
        }
        if (const auto* rejected = ev ? std::get_if<input::Rejected>(&ev->body) : nullptr) {
            ACD_CHECK(out.reply.code == rejected->code, show(in));
        }
        for (const Command& c : out.commands)
            check_command(c, gateway_, engine_.config());
        // The changes are written by journal_batch() in apply().
    }

    // Work conservation (routing.md): no specialty has both a queued call and a ready agent.
    void check_engine() {
        for (const QueueView& q : engine_.queues()) {
            ACD_CHECK(q.queued == 0 || q.agents_ready == 0, q.specialty);
        }
        for (const Command& route : engine_.offering_routes(gateway_)) {
            check_command(route, gateway_, engine_.config());
        }
    }

    Engine engine_;
    Time now_ = Time{} + std::chrono::hours(24 * 20454);  // 2026-01-01
    std::string gateway_;
    std::uint64_t last_seq_ = 0;
};

void run(std::string_view bytes) {
    Session session;
    bool welcomed = false;
    for (;;) {
        const LineCut cut = next_line(bytes);
        if (cut.status != LineCut::line) break;  // too long: closed; need more: the end
        ACD_CHECK(cut.consumed >= 1 && cut.consumed <= bytes.size() &&
                      bytes[cut.consumed - 1] == '\n' && cut.content.size() <= kMaxLineBytes &&
                      cut.content.find('\n') == std::string_view::npos,
                  std::to_string(cut.consumed));
        bytes.remove_prefix(cut.consumed);
        session.advance(cut.content.size());
        if (!welcomed) {
            if (!session.hello(cut.content)) return;
            welcomed = true;
        } else {
            session.line(cut.content);
        }
    }
    if (welcomed) session.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        run(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const std::exception& e) {
        violated("nothing throws", e.what());
    }
    return 0;
}
