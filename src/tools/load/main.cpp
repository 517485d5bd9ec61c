// acd-load: a load generator speaking the gateway protocol to acdd (docs/performance.md), and a
// bare NDJSON echo server to compare it with.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "acd/admin_socket.hpp"
#include "acd/config.hpp"
#include "load/agent_states.hpp"
#include "load/driver.hpp"
#include "load/echo_server.hpp"
#include "load/options.hpp"

namespace {

using acd::load::Options;

// The client's TLS context: the server's chain checked against --ca when given, and the client
// certificate for mutual TLS when given. Throws std::system_error naming the file at fault.
std::unique_ptr<asio::ssl::context> client_tls(const Options& o) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    if (!o.tls_files.ca.empty()) {
        ctx->load_verify_file(o.tls_files.ca);
        ctx->set_verify_mode(asio::ssl::verify_peer);
    } else {
        ctx->set_verify_mode(asio::ssl::verify_none);
    }
    if (!o.tls_files.cert.empty()) {
        ctx->use_certificate_chain_file(o.tls_files.cert);
        ctx->use_private_key_file(o.tls_files.key, asio::ssl::context::pem);
    }
    return ctx;
}

std::unique_ptr<asio::ssl::context> server_tls(const Options& o) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->use_certificate_chain_file(o.tls_files.cert);
    ctx->use_private_key_file(o.tls_files.key, asio::ssl::context::pem);
    return ctx;
}

int run_echo_server(const Options& o) {
    asio::io_context io(1);
    std::unique_ptr<asio::ssl::context> tls;
    std::unique_ptr<acd::load::EchoServer> server;
    try {
        if (o.tls) tls = server_tls(o);
        server = std::make_unique<acd::load::EchoServer>(io, o.listen, tls.get());
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "acd-load: echo server on %s:%u: %s\n", o.listen.host.c_str(),
                     unsigned(o.listen.port), e.what());
        return 1;
    }
    std::fprintf(stderr, "echo.listen listening on %s:%u%s\n", o.listen.host.c_str(),
                 unsigned(server->port()), o.tls ? " (TLS)" : "");
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code&, int) { io.stop(); });
    io.run();
    return 0;
}

// --admin-socket, else admin.socket of acdd's configuration file, else acdd's default.
std::string admin_socket(const Options& o) {
    if (!o.admin_socket.empty()) return o.admin_socket;
    const auto from_file = acd::admin_socket_of(o.config);
    if (from_file.ok() && *from_file) return (*from_file)->string();
    return "/run/acdd/admin.sock";
}

constexpr auto kAdminTimeout = std::chrono::seconds(10);

int run_load(const Options& o) {
    const acd::ConfigResult config = acd::load_config(o.config);
    if (!config.ok()) {
        for (const acd::ConfigError& e : config.error()) {
            std::fprintf(stderr, "acd-load: %s: %s\n", o.config.c_str(), e.to_string().c_str());
        }
        return 1;
    }
    asio::io_context io(1);
    std::unique_ptr<asio::ssl::context> tls;
    if (o.tls) {
        try {
            tls = client_tls(o);
        } catch (const std::system_error& e) {
            std::fprintf(stderr, "acd-load: TLS files: %s\n", e.what());
            return 1;
        }
    }
    std::FILE* acked = nullptr;
    if (!o.acked_file.empty()) {
        acked = std::fopen(o.acked_file.c_str(), "w");
        if (acked == nullptr) {
            std::perror(("acd-load: " + o.acked_file).c_str());
            return 1;
        }
    }
    // The agents' states, to put them back at the end: without them acd-load does not start.
    std::optional<acd::load::AgentStates> before;
    const std::string socket = admin_socket(o);
    if (!o.echo && o.restore) {
        auto states = acd::load::read_agent_states(socket, kAdminTimeout);
        if (!states) {
            std::fprintf(stderr,
                         "acd-load: cannot read the agents' states before the run, to put them "
                         "back after it: %s\n(give --admin-socket, or --no-restore to log every "
                         "agent of %s out at the end)\n",
                         states.error().message.c_str(), o.config.c_str());
            return 1;
        }
        before = std::move(*states);
    }
    acd::load::Driver driver(io, o, config->routing, tls.get(), acked, before ? &*before : nullptr);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void(const std::error_code&, int)> on_signal = [&](const std::error_code& ec,
                                                                     int) {
        if (ec) return;
        driver.interrupt();
        signals.async_wait(on_signal);  // a second one stops at once
    };
    signals.async_wait(on_signal);
    driver.start();
    io.run();
    if (acked != nullptr && std::fclose(acked) != 0) {
        std::perror(("acd-load: " + o.acked_file).c_str());
        return 1;
    }
    acd::load::Report report = driver.report();
    if (before && !report.agents_played.empty()) {
        auto after = acd::load::read_agent_states(socket, kAdminTimeout);
        if (!after) {
            report.agents_not_restored.push_back("cannot check: " + after.error().message);
        } else {
            report.agents_not_restored =
                acd::load::not_restored(*before, *after, report.agents_played);
        }
        report.restore_checked = true;
        if (!report.agents_not_restored.empty() && report.failure.empty()) {
            report.failure = fmt::format("{} agents not put back as they were found",
                                         report.agents_not_restored.size());
        }
    }
    if (o.json) {
        std::printf("%s\n", acd::load::to_json(report).dump(2).c_str());
    } else {
        std::fputs(acd::load::to_text(report).c_str(), stdout);
    }
    return report.failure.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = acd::load::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (const int* code = std::get_if<int>(&parsed)) return *code;
    const Options& o = std::get<Options>(parsed);
    if (o.mode == Options::Mode::echo_server) return run_echo_server(o);
    return run_load(o);
}
