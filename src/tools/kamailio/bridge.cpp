#include "bridge.hpp"

#include <memory>
#include <stdexcept>
#include <utility>

#include "log.hpp"

namespace acd::kamailio {

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsSettings& tls) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    asio::error_code ec;
    if (tls.ca.empty()) {
        ctx->set_default_verify_paths(ec);
    } else {
        ctx->load_verify_file(tls.ca, ec);
    }
    if (ec) throw std::runtime_error(fmt::format("acdd.tls.ca: {}", ec.message()));
    if (!tls.cert.empty()) {
        ctx->use_certificate_chain_file(tls.cert, ec);
        if (ec) throw std::runtime_error(fmt::format("acdd.tls.cert: {}", ec.message()));
        ctx->use_private_key_file(tls.key, asio::ssl::context::pem, ec);
        if (ec) throw std::runtime_error(fmt::format("acdd.tls.key: {}", ec.message()));
    }
    return ctx;
}

Bridge::Bridge(asio::io_context& io, const BridgeConfig& config, SeqFile& seqs)
    : config_(config),
      seqs_(seqs),
      tls_(config.tls ? make_tls_context(*config.tls) : nullptr),
      evapi_(io, config.evapi,
             {.on_message = [this](std::string p) { on_kamailio(std::move(p)); },
              .on_up = nullptr,
              .on_down = nullptr}),
      acdd_(io, config, tls_.get(),
            {.on_line = [this](const FromAcdd& m) { on_acdd(m); }, .on_ready = nullptr}),
      grace_(io) {}

void Bridge::start() {
    evapi_.start();
    acdd_.start();
}

void Bridge::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
    evapi_.stop();
    auto finish = std::make_shared<std::function<void()>>([this, done = std::move(done)] {
        grace_.cancel();
        acdd_.stop();
        done();
    });
    const std::size_t waiting = acdd_.unacked();
    grace_.expires_after(grace);
    grace_.async_wait([this, finish, waiting](asio::error_code ec) {
        if (ec || !*finish) return;
        log(Level::warning, "bridge.stop_unacked", "{} of {} events still not acknowledged",
            acdd_.unacked(), waiting);
        std::exchange(*finish, nullptr)();
    });
    acdd_.when_all_acked([finish] {
        if (*finish) std::exchange(*finish, nullptr)();
    });
}

void Bridge::on_kamailio(std::string payload) {
    FromKamailio r = from_kamailio(payload);
    if (!r.problem.empty()) {
        log(Level::warning, "kamailio.refused", "{}: {}", r.problem,
            payload.size() > 200 ? payload.substr(0, 200) + "..." : payload);
    }
    if (r.reply) evapi_.send(std::move(*r.reply));
    if (!r.event) return;
    const std::string type = (*r.event)["type"].get<std::string>();
    if (type == "call.ended") routes_.forget((*r.event)["call_id"].get<std::string>());
    std::string error;
    const std::uint64_t seq = seqs_.next(error);
    if (seq == 0) {
        // Without a durable bound the seq could repeat after a restart: send nothing.
        log(Level::error, "state.write_failed", "{}: event dropped", error);
        return;
    }
    std::string line = event_line(std::move(*r.event), seq);
    if (log_enabled(Level::debug)) {
        log(Level::debug, "event", "{}", std::string_view(line).substr(0, line.size() - 1));
    }
    acdd_.send(seq, std::move(line));
}

void Bridge::on_acdd(const FromAcdd& m) {
    switch (m.kind) {
        case FromAcdd::Kind::command:
            if (m.type == "call.route" && routes_.repeat(m.call_id, m.text)) {
                log(Level::debug, "command.repeat", "{}", m.text);
                return;
            }
            if (m.type == "call.reject") routes_.forget(m.call_id);
            log(Level::debug, "command", "{}", m.text);
            evapi_.send(m.text);
            return;
        case FromAcdd::Kind::error:
            on_error(m);
            return;
        default:
            log(Level::warning, "acdd.unknown_line", "{}", m.message);
    }
}

void Bridge::on_error(const FromAcdd& e) {
    log(Level::warning, "acdd.error", "seq {}: {}: {}", e.seq, e.code, e.message);
    // A call.offered acdd refused for its content leaves the INVITE held for nobody: release it.
    // (unknown_specialty comes with its own call.reject; duplicate_call is a live call.)
    if (e.code != "bad_request" || e.seq == 0) return;
    const AcddLink::Pending* p = acdd_.pending(e.seq);
    if (p == nullptr) return;
    const auto j = nlohmann::json::parse(p->line, nullptr, false);
    if (j.is_object() && j.value("type", "") == "call.offered" && j.contains("call_id")) {
        evapi_.send(reject_command(j["call_id"].get<std::string>(), "no_route"));
    }
}

}  // namespace acd::kamailio
