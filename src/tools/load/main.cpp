// acd-load: a load generator speaking the gateway protocol to acdd (docs/performance.md), and a
// bare NDJSON echo server to compare it with.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "acd/config.hpp"
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
    acd::load::Driver driver(io, o, config->routing, tls.get(), acked);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code& ec, int) {
        if (!ec) driver.stop("interrupted");
    });
    driver.start();
    io.run();
    if (acked != nullptr && std::fclose(acked) != 0) {
        std::perror(("acd-load: " + o.acked_file).c_str());
        return 1;
    }
    const acd::load::Report& report = driver.report();
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
