#include "service.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <set>

#include "acd/record_json.hpp"
#include "acd/snapshot.hpp"
#include "logging.hpp"
#include "scripts.hpp"

namespace acd {
namespace {

constexpr auto kRetentionEvery = std::chrono::hours(24);

std::string sha256_hex(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

// {"seq":N,"type":"ack"}, as the codec would dump it (keys in order).
std::string ack_line(std::uint64_t seq) {
    return fmt::format(R"({{"seq":{},"type":"ack"}})", seq);
}

}  // namespace

Service::Service(asio::io_context& io, const Config& config, std::unique_ptr<Engine> engine,
                 Store& store, const PiiKey& key)
    : io_(io),
      config_(config),
      engine_(std::move(engine)),
      store_(store),
      key_(key),
      timer_(io),
      retention_timer_(io),
      last_time_(engine_->now()) {}

Time Service::now() const {
    const Time wall = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    last_time_ = std::max(last_time_, wall);
    return last_time_;
}

Service::Applied Service::apply(const Input& input, const control::Caller* caller,
                                std::vector<PiiUpsert> pii, net::GatewayLink* source) {
    const Time at = now();
    const Output* last = nullptr;
    std::uint64_t ticket = 0;
    apply_with_timers(*engine_, input, at, [&](const Input& in, const Output& out) {
        last = &out;
        ticket = 0;
        if (journaled(in, out)) {
            WriteBatch batch = journal_batch(in, out, at, &in == &input ? caller : nullptr);
            if (!unlinked_calls_.empty()) unlink_finished(batch.finished_calls);
            if (&in == &input) batch.pii = std::move(pii);
            if (output_job_ && !batch.job) batch.job = output_job_(out);
            if (++inputs_since_snapshot_ >= kSnapshotEveryInputs) {
                batch.snapshot = snapshot_engine(*engine_);
                inputs_since_snapshot_ = 0;
            }
            std::vector<CallSnapshot> finished;
            if (call_finished_) finished = batch.finished_calls;
            ticket = store_.append(std::move(batch));
            if (!finished.empty()) {
                when_durable(ticket, [this, finished = std::move(finished)] {
                    for (const CallSnapshot& c : finished)
                        call_finished_(c);
                });
            }
        }
        const auto* event = std::get_if<input::GatewayEvent>(&in);
        if (source != nullptr && event != nullptr && !out.reply.ok()) {
            source->send(error_json(out.reply.code, out.reply.message, event->seq));
        }
        send_commands(out);
        if (observer_) observer_(out);
    });
    arm_timer();
    return {*last, ticket};
}

std::vector<agenda::LiveCallId> Service::unlink_live_calls(const std::string& pseudonym,
                                                           const std::string& unlinked) {
    std::vector<agenda::LiveCallId> live;
    for (const CallSnapshot& c : engine_->calls()) {
        if (c.caller != pseudonym) continue;
        unlinked_calls_[{c.gateway, c.call_id}] = unlinked;
        live.push_back({c.gateway, c.call_id});
    }
    return live;
}

void Service::unlink_call(const agenda::LiveCallId& call, const std::string& unlinked) {
    unlinked_calls_[{call.gateway, call.call_id}] = unlinked;
}

void Service::unlink_finished(std::vector<CallSnapshot>& finished) {
    for (CallSnapshot& c : finished) {
        const auto it = unlinked_calls_.find({c.gateway, c.call_id});
        if (it == unlinked_calls_.end()) continue;
        c.caller = it->second;
        unlinked_calls_.erase(it);
    }
}

void Service::update_config(const Config& config) {
    config_.gateway.tokens = config.gateway.tokens;
    config_.store.retention_days = config.store.retention_days;
    config_.log_level = config.log_level;
    config_.routing = config.routing;
    config_.pause_reasons = config.pause_reasons;
    spdlog::set_level(spdlog::level::from_str(config.log_level));
}

void Service::send_commands(const Output& output) {
    for (const Command& command : output.commands) {
        const auto it = gateways_.find(command.gateway);
        // A gateway that is away gets its call.route again after its next welcome.
        if (it != gateways_.end() && it->second.link)
            it->second.link->send_line(command_line(command));
    }
}

std::string Service::command_line(const Command& command) const {
    const auto* route = std::get_if<CallRouteCommand>(&command.body);
    if (route == nullptr || route->agent.empty()) return command_text(command);
    // The agent's desktop pops the caller's summary and the call's script as the phone rings; a
    // team gets neither.
    const auto call = engine_->find_call({command.call_id, command.gateway});
    if (!call) return command_text(command);
    auto script = script_lines(engine_->config(), call->specialty, call->call_class);
    std::optional<Json> summary;
    if (caller_summary_) summary = caller_summary_(call->caller);
    if (script.empty() && !summary) return command_text(command);
    Json j = to_json(command);
    if (!script.empty()) j["script"] = std::move(script);
    if (summary) j["caller"] = std::move(*summary);
    return j.dump();
}

void Service::when_durable(std::uint64_t ticket, std::function<void()> fn) {
    if (ticket <= durable_ticket_) {
        asio::post(io_, std::move(fn));
        return;
    }
    after_durable_.emplace(ticket, std::move(fn));
}

void Service::on_durable(std::uint64_t ticket) {
    durable_ticket_ = std::max(durable_ticket_, ticket);
    while (!after_durable_.empty() && after_durable_.begin()->first <= ticket) {
        auto fn = std::move(after_durable_.begin()->second);
        after_durable_.erase(after_durable_.begin());
        fn();
    }
    for (auto& [id, gw] : gateways_) {
        bool progress = false;
        while (!gw.pending.empty() && gw.pending.front().first <= ticket) {
            gw.durable_seq = std::max(gw.durable_seq, gw.pending.front().second);
            gw.pending.pop_front();
            progress = true;
        }
        if (progress && gw.link) gw.link->send_line(ack_line(gw.durable_seq));
    }
    if (paused_ && store_.pending_records() < kStoreLowWater && gateway_server_ != nullptr) {
        paused_ = false;
        gateway_server_->resume_reading();
    }
}

bool Service::accepting() const {
    if (store_.pending_records() < kStoreHighWater) return true;
    paused_ = true;
    return false;
}

Service::GatewayState& Service::gateway(const std::string& id) {
    auto it = gateways_.find(id);
    if (it == gateways_.end()) {
        // Everything the engine took from this gateway before now came from the durable log.
        it = gateways_.emplace(id, GatewayState{engine_->last_seq(id), {}, nullptr, {}}).first;
    }
    return it->second;
}

Result<std::uint64_t> Service::admit(const std::shared_ptr<net::GatewayLink>& link,
                                     const Hello& hello) {
    const auto& tokens = config_.gateway.tokens;
    if (!tokens.empty()) {
        const auto expected = tokens.find(hello.gateway);
        const std::string got = hello.token ? sha256_hex(*hello.token) : "";
        if (expected == tokens.end() || got.size() != expected->second.size() ||
            CRYPTO_memcmp(got.data(), expected->second.data(), got.size()) != 0) {
            log_warning("gateway.unauthorized", "gateway {} refused: {}", hello.gateway,
                        hello.token ? "wrong token" : "no token");
            return Error{ErrorCode::unauthorized,
                         hello.token ? "wrong token" : "a token is required"};
        }
    }
    GatewayState& gw = gateway(hello.gateway);
    if (gw.link) {
        log_event("gateway.replaced", "gateway {} connected again: closing its older connection",
                  hello.gateway);
        auto old = std::move(gw.link);
        old->abort();
    }
    gw.link = link;
    log_event("gateway.connect", "gateway {} connected, last_seq {}", hello.gateway,
              gw.durable_seq);
    return gw.durable_seq;
}

bool Service::away(const std::string& id) const {
    for (const GatewayView& g : engine_->gateways()) {
        if (g.id == id) return g.away_since.has_value();
    }
    return false;
}

// Back (routing.md v1.1): its calls are routed again, and the offers under way are sent again
// with their ring timeouts running from now.
void Service::welcomed(const std::shared_ptr<net::GatewayLink>& link) {
    // The offers under way first: the routes of calls routed on its return go out with them.
    for (const Command& route : engine_->offering_routes(link->gateway())) {
        link->send_line(command_line(route));
    }
    if (away(link->gateway())) apply(input::GatewayConnected{link->gateway()});
}

void Service::on_closed(net::GatewayLink& link) {
    const auto it = gateways_.find(link.gateway());
    if (it != gateways_.end() && it->second.link.get() == &link) {
        it->second.link.reset();
        log_event("gateway.disconnect", "gateway {} disconnected", link.gateway());
        // Its calls wait for it, orphan_timeout at most; at shutdown the next start does it.
        if (!stopped_) apply(input::GatewayDisconnected{link.gateway()});
    }
    if (!drained_) return;
    for (const auto& [id, gw] : gateways_) {
        if (gw.link) return;
    }
    std::exchange(drained_, nullptr)();
}

void Service::on_message(net::GatewayLink& link, Result<input::GatewayEvent, DecodeError> parsed) {
    if (!parsed) {
        const DecodeError& e = parsed.error();
        link.send(error_json(e.code, e.message, e.seq));
        return;
    }
    const std::uint64_t digest = SeqHistory::digest(*parsed);
    on_event(link, std::move(*parsed), digest);
}

void Service::on_event(net::GatewayLink& link, input::GatewayEvent event, std::uint64_t digest) {
    GatewayState& gw = gateway(link.gateway());
    std::vector<PiiUpsert> pii;
    if (auto* offered = std::get_if<input::CallOffered>(&event.body)) {
        // The number never goes further than here: the engine and the log see its pseudonym.
        const std::string number = normalize_phone(offered->caller);
        if (number.empty() || number == "+") {
            offered->caller = "anonymous";
        } else {
            offered->caller = key_.pseudonym(number);
            pii.push_back({offered->caller, Json{{"phone", number}}, now()});
        }
        // The keyed choice (routing.md v1.1 "Quality sample"): whatever the gateway sent is
        // replaced, and the journal keeps the choice, so replay makes the same one.
        offered->quality_sample = key_.quality_sample(link.gateway(), offered->call_id,
                                                      engine_->config().quality_sample_percent);
    }
    const std::uint64_t seq = event.seq;
    const Applied applied = apply(Input{std::move(event)}, nullptr, std::move(pii), &link);
    if (applied.output.duplicate) {
        if (gw.history.reused(seq, digest)) {
            link.send(error_json(ErrorCode::seq_reused,
                                 fmt::format("seq {} was already used by another event from "
                                             "gateway {}: this one is not applied",
                                             seq, link.gateway()),
                                 seq));
        }
        if (gw.durable_seq >= seq) link.send_line(ack_line(gw.durable_seq));
        return;  // otherwise acknowledged with the events still on their way to the disk
    }
    gw.pending.emplace_back(applied.ticket, seq);
    gw.history.remember(seq, digest);
}

void Service::arm_timer() {
    if (stopped_) return;
    const auto next = engine_->next_timer();
    // Most inputs leave the earliest timer where it was: re-arming the Asio timer each time cost
    // a cancellation, a new wait and a timerfd_settime call per event.
    if (next == armed_for_) return;
    armed_for_ = next;
    if (!next) {
        timer_.cancel();
        return;
    }
    const auto delay = std::max(Duration(0), *next - now());
    timer_.expires_after(delay);
    timer_.async_wait([this, due = *next](std::error_code ec) {
        if (ec) return;  // re-armed for another time, or stopped
        armed_for_.reset();
        // The timer ran for its full real delay: let engine time reach the due time even if
        // the wall clock was set back meanwhile.
        last_time_ = std::max(last_time_, due);
        on_timer();
    });
}

void Service::on_timer() {
    apply(input::Tick{});
}

void Service::start() {
    // The gateways with live calls (a gateway without any has nothing to wait for).
    std::set<std::string> with_calls;
    for (const CallSnapshot& c : engine_->calls())
        with_calls.insert(c.gateway);
    for (const GatewayView& g : engine_->gateways()) {
        if (!g.away_since && with_calls.contains(g.id)) apply(input::GatewayDisconnected{g.id});
    }
    arm_timer();
    run_retention();
}

void Service::run_retention() {
    if (stopped_) return;
    const Time cutoff = now() - std::chrono::hours(24) * config_.store.retention_days;
    WriteBatch batch;
    const Time at = now();
    batch.job = [cutoff, at](WriteContext& ctx) -> Status {
        auto erased = erase_inactive_personal_data(ctx, cutoff);
        if (!erased) return erased.error();
        if (*erased == 0) return {};
        AuditRecord r;
        r.at = at;
        r.kind = RecordKind::action;
        r.type = "retention";
        r.body = Json{{"inactive_before", format_time(cutoff)}, {"erased", *erased}}.dump();
        return ctx.append(std::move(r));
    };
    store_.append(std::move(batch));
    retention_timer_.expires_after(kRetentionEvery);
    retention_timer_.async_wait([this](std::error_code ec) {
        if (!ec) run_retention();
    });
}

void Service::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    retention_timer_.cancel();
    WriteBatch last;
    last.snapshot = snapshot_engine(*engine_);
    store_.append(std::move(last));
}

void Service::close_links(std::function<void()> drained) {
    drained_ = std::move(drained);
    bool any = false;
    for (auto& [id, gw] : gateways_) {
        if (!gw.link) continue;
        any = true;
        gw.link->close();
    }
    if (!any && drained_) std::exchange(drained_, nullptr)();
}

}  // namespace acd
