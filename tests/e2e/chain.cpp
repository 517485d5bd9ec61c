#include "chain.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace acd::e2e {

namespace {

const std::string kAcdd = ACD_ACDD_BINARY;
const std::string kBridge = ACD_BRIDGE_BINARY;
const std::string kAcdctl = ACD_ACDCTL_BINARY;
const std::string kKamailio = ACD_KAMAILIO_BINARY;
const std::string kSipp = ACD_SIPP_BINARY;
const std::filesystem::path kSource = ACD_SOURCE_DIR;

std::uint16_t free_port(int type) {
    const int fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) ::close(fd);
        return 0;
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

// True while something holds UDP `port` on 127.0.0.1.
bool udp_port_taken(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0;
    ::close(fd);
    return taken;
}

// True while a socket listens on TCP `port` of 127.0.0.1 (from /proc/net/tcp, so that the check
// itself does not connect: Kamailio counts every evapi connection as a bridge).
bool tcp_port_listening(std::uint16_t port) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    char want[16];
    std::snprintf(want, sizeof want, ":%04X ", port);
    while (std::getline(in, line)) {
        // "  sl  local_address rem_address   st ...": st 0A is LISTEN.
        std::istringstream fields(line);
        std::string sl, local, remote, state;
        fields >> sl >> local >> remote >> state;
        if (state == "0A" && (local + " ").find(want) != std::string::npos) return true;
    }
    return false;
}

bool line_with_all(const std::string& text, const std::vector<std::string>& parts) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        bool all = true;
        for (const auto& p : parts)
            all = all && line.find(p) != std::string::npos;
        if (all) return true;
    }
    return false;
}

void stop(std::unique_ptr<ChildProcess>& p) {
    if (!p) return;
    p->signal(SIGTERM);
    p->wait(std::chrono::seconds(10));
}

}  // namespace

bool tools_present() {
    return std::filesystem::exists(kKamailio) && std::filesystem::exists(kSipp);
}

acd::test::ProcessResult run_bridge(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kBridge};
    argv.insert(argv.end(), args.begin(), args.end());
    return acd::test::run_process(argv);
}

std::uint16_t free_tcp_port() {
    return free_port(SOCK_STREAM);
}
std::uint16_t free_udp_port() {
    return free_port(SOCK_DGRAM);
}

Chain::Chain(ChainOptions options) : options_(std::move(options)) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "acd-e2e-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    gateway_port_ = free_tcp_port();
    evapi_port_ = free_tcp_port();
    sip_port_ = free_udp_port();
    for (const char* id : {"a01", "a02", "a03", "ext"})
        phone_ports_.emplace_back(id, free_udp_port());
    if (options_.tls) certificates_ok_ = make_certificates();
    write_acdd_config();
    write_bridge_config();
}

bool Chain::make_certificates() {
    const auto p = [&](const std::string& file) { return (dir_ / file).string(); };
    const auto ok = [](const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"/usr/bin/openssl"};
        argv.insert(argv.end(), args.begin(), args.end());
        return acd::test::run_process(argv).exit_code == 0;
    };
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
    auto req = [&](std::vector<std::string> args) {
        args.insert(args.begin() + 1, ec.begin(), ec.end());
        return ok(args);
    };
    if (!req({"req", "-x509", "-keyout", p("ca.key"), "-out", p("ca.crt"), "-subj", "/CN=ca",
              "-days", "2"}))
        return false;
    for (const std::string name : {"server", "client"}) {
        if (!req({"req", "-keyout", p(name + ".key"), "-out", p(name + ".csr"), "-subj",
                  "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"}) ||
            !ok({"x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
                 "-CAcreateserial", "-out", p(name + ".crt"), "-days", "2", "-copy_extensions",
                 "copy"}))
            return false;
    }
    return true;
}

Chain::~Chain() {
    for (auto& s : sipps_)
        stop(s);
    stop(bridge_);
    stop(kamailio_);
    stop(subscriber_);
    stop(acdd_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void Chain::write_acdd_config() {
    nlohmann::json agents = nlohmann::json::array();
    std::string team_uri;
    for (const auto& [id, port] : phone_ports_) {
        const std::string uri = "sip:" + id + "@127.0.0.1:" + std::to_string(port);
        if (id == "ext") {
            team_uri = uri;
            continue;
        }
        agents.push_back({{"id", id},
                          {"name", "Agent " + id},
                          {"uri", uri},
                          {"skills", {"cardiology"}},
                          {"wrap_up_s", 0}});
    }
    nlohmann::json config = {
        {"gateway", {{"listen", "127.0.0.1:" + std::to_string(gateway_port_)}}},
        {"admin", {{"socket", (dir_ / "admin.sock").string()}}},
        {"store", {{"path", (dir_ / "acdd.db").string()}, {"synchronous", "normal"}}},
        {"log", {{"level", "info"}}},
        {"ring_timeout_s", options_.ring_timeout_s},
        {"specialties",
         {{{"id", "cardiology"},
           {"numbers", {kCardiology}},
           {"default_class", "appointment"},
           {"overflow_threshold", 3},
           {"overflow_enabled", true}}}},
        {"agents", agents},
        {"overflow_teams",
         {{{"id", "ext"}, {"uri", team_uri}, {"max_concurrent", 5}, {"specialties", {"*"}}}}}};
    if (options_.tls) {
        config["gateway"]["tls"] = {{"cert", (dir_ / "server.crt").string()},
                                    {"key", (dir_ / "server.key").string()},
                                    {"client_ca", (dir_ / "ca.crt").string()}};
        // The SHA-256 of "s3cret-token".
        config["gateway"]["tokens"] = {
            {"kamailio",
             "sha256:a81e611a041b13f078bf8ebe5dab4d4fd63fcc5594661c918bec093a2f416a7e"}};
    }
    std::ofstream(dir_ / "acdd.json") << config.dump(2);
}

void Chain::write_bridge_config() {
    nlohmann::json config = {
        {"acdd",
         {{"connect", "127.0.0.1:" + std::to_string(gateway_port_)}, {"gateway_id", "kamailio"}}},
        {"kamailio", {{"evapi", "127.0.0.1:" + std::to_string(evapi_port_)}}},
        {"state_file", (dir_ / "acd-kamailio.state").string()}};
    if (options_.tls) {
        config["acdd"]["connect"] = "localhost:" + std::to_string(gateway_port_);
        config["acdd"]["token"] = "s3cret-token";
        config["acdd"]["tls"] = {{"ca", (dir_ / "ca.crt").string()},
                                 {"cert", (dir_ / "client.crt").string()},
                                 {"key", (dir_ / "client.key").string()}};
    }
    std::ofstream(dir_ / "acd-kamailio.json") << config.dump(2);
}

bool Chain::start_acdd() {
    if (!certificates_ok_) return false;
    if (acdd_) old_logs_ += "--- acdd (earlier)\n" + acdd_->err_so_far();
    acdd_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kAcdd, "-c", (dir_ / "acdd.json").string()});
    if (!acdd_->wait_for_stderr("daemon.ready", 20s)) return false;
    return start_subscriber();
}

bool Chain::start_subscriber() {
    if (subscriber_) {
        old_logs_ += "--- subscription (earlier)\n" + subscriber_->out_so_far();
        stop(subscriber_);
    }
    subscriber_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        kAcdctl, "-s", (dir_ / "admin.sock").string(), "subscribe", "calls", "agents"});
    // The first line is the answer to subscribe; changes follow.
    return subscriber_->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("subscribed") != std::string::npos ||
                   out.find('{') != std::string::npos;
        },
        10s);
}

bool Chain::start_kamailio() {
    std::vector<std::string> argv = {kKamailio,
                                     "-f",
                                     (kSource / "config/kamailio/acdd.cfg").string(),
                                     "-DD",
                                     "-E",
                                     "-n",
                                     "2",
                                     "-Y",
                                     dir_.string(),
                                     "-A",
                                     "SIP_LISTEN=udp:127.0.0.1:" + std::to_string(sip_port_),
                                     "-A",
                                     "EVAPI_BIND=\"127.0.0.1:" + std::to_string(evapi_port_) + "\"",
                                     "-A",
                                     "HOLD_MAX_S=" + std::to_string(options_.hold_max_s)};
    if (options_.fallback) {
        std::uint16_t reception = 0;
        for (const auto& [id, port] : phone_ports_)
            if (id == "ext") reception = port;
        argv.push_back("-A");
        argv.push_back("FALLBACK_URI=\"sip:reception@127.0.0.1:" + std::to_string(reception) +
                       "\"");
    }
    kamailio_ = std::make_unique<ChildProcess>(argv);
    // Ready once its evapi dispatcher listens: the SIP socket is bound before the workers start,
    // and the dispatcher starts with them.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!tcp_port_listening(evapi_port_)) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

bool Chain::start_bridge() {
    if (bridge_) old_logs_ += "--- acd-kamailio (earlier)\n" + bridge_->err_so_far();
    bridge_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kBridge, "-v", "-c", (dir_ / "acd-kamailio.json").string()});
    const std::size_t connected_before = [&] {
        const std::string err = kamailio_ ? kamailio_->err_so_far() : "";
        std::size_t n = 0;
        for (auto at = err.find("acd.bridge_connected"); at != std::string::npos;
             at = err.find("acd.bridge_connected", at + 1))
            ++n;
        return n;
    }();
    if (!bridge_->wait_for_stderr("acdd.welcome", 20s)) return false;
    if (!kamailio_) return true;
    // Kamailio counts its bridges: new calls are held only once it has seen this one.
    return kamailio_->wait_until(
        [&](const std::string&, const std::string& err) {
            std::size_t n = 0;
            for (auto at = err.find("acd.bridge_connected"); at != std::string::npos;
                 at = err.find("acd.bridge_connected", at + 1))
                ++n;
            return n > connected_before;
        },
        20s);
}

void Chain::kill_acdd() {
    acdd_->signal(SIGKILL);
    acdd_->wait(10s);
}

void Chain::kill_bridge() {
    bridge_->signal(SIGKILL);
    bridge_->wait(10s);
}

int Chain::stop_bridge() {
    bridge_->signal(SIGTERM);
    return bridge_->wait(10s).exit_code;
}

std::string Chain::sipp_path(const std::string& scenario) const {
    return (kSource / "tests/e2e/sipp" / (scenario + ".xml")).string();
}

ChildProcess& Chain::phone(const std::string& agent, const std::string& scenario, int calls) {
    std::uint16_t port = 0;
    for (const auto& [id, p] : phone_ports_)
        if (id == agent) port = p;
    sipps_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        kSipp, "-sf", sipp_path(scenario), "-i", "127.0.0.1", "-p", std::to_string(port), "-m",
        std::to_string(calls), "-d", "300", "-nostdin", "-timeout", "60s", "-trace_msg",
        "-message_file", (dir_ / ("sipp-" + agent + ".msg")).string()}));
    // Ready once it holds its port.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!udp_port_taken(port) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(5ms);
    return *sipps_.back();
}

ChildProcess& Chain::caller(const std::string& name, const std::string& scenario,
                            const std::string& cls, int calls, const std::string& dialed) {
    static int number = 0;
    sipps_.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{kSipp,
                                 "-sf",
                                 sipp_path(scenario),
                                 "127.0.0.1:" + std::to_string(sip_port_),
                                 "-i",
                                 "127.0.0.1",
                                 "-p",
                                 std::to_string(free_udp_port()),
                                 "-m",
                                 std::to_string(calls),
                                 "-r",
                                 "20",
                                 "-s",
                                 dialed,
                                 "-key",
                                 "caller",
                                 "+3526210000" + std::to_string(10 + ++number),
                                 "-key",
                                 "class",
                                 cls,
                                 "-d",
                                 "300",
                                 "-nostdin",
                                 "-timeout",
                                 "60s",
                                 "-cid_str",
                                 name + "-%u-%p@%s",
                                 "-trace_msg",
                                 "-message_file",
                                 (dir_ / ("sipp-" + name + ".msg")).string()}));
    return *sipps_.back();
}

bool Chain::feature_code(const std::string& agent, const std::string& code,
                         const std::string& expect_state) {
    const auto r = acd::test::run_process(
        {kSipp, "-sf", sipp_path("feature_code"), "127.0.0.1:" + std::to_string(sip_port_), "-i",
         "127.0.0.1", "-p", std::to_string(free_udp_port()), "-m", "1", "-s", code, "-key",
         "caller", agent, "-nostdin", "-timeout", "10s"});
    if (r.exit_code != 0) return false;
    return saw({"\"agent\":\"" + agent + "\"", "\"state\":\"" + expect_state + "\""});
}

bool Chain::saw(const std::vector<std::string>& parts, std::chrono::milliseconds deadline) {
    return subscriber_->wait_until(
        [&](const std::string& out, const std::string&) { return line_with_all(out, parts); },
        deadline);
}

bool Chain::bridge_logged(const std::vector<std::string>& parts,
                          std::chrono::milliseconds deadline) {
    return bridge_->wait_until(
        [&](const std::string&, const std::string& err) { return line_with_all(err, parts); },
        deadline);
}

nlohmann::json Chain::admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kAcdctl, "-s", (dir_ / "admin.sock").string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = acd::test::run_process(argv);
    return nlohmann::json::parse(r.out, nullptr, false);
}

int Chain::finished(ChildProcess& process, std::chrono::milliseconds deadline) {
    return process.wait(deadline).exit_code;
}

std::string Chain::logs() const {
    std::string all = old_logs_;
    if (acdd_) all += "--- acdd\n" + acdd_->err_so_far();
    if (bridge_) all += "--- acd-kamailio\n" + bridge_->err_so_far();
    if (kamailio_) {
        // Kamailio's start-up chatter is long: its warnings and the script's lines only.
        std::istringstream in(kamailio_->err_so_far());
        std::string line;
        all += "--- kamailio\n";
        while (std::getline(in, line))
            if (line.find("WARN") != std::string::npos || line.find("ERR") != std::string::npos ||
                line.find("<script>") != std::string::npos)
                all += line + "\n";
    }
    if (subscriber_) all += "--- subscription\n" + subscriber_->out_so_far();
    // sipp's own complaints (its screen is long: the lines that say what went wrong).
    for (const auto& p : sipps_) {
        all += "--- sipp " + std::to_string(p->pid()) + "\n";
        std::istringstream in(p->err_so_far() + p->out_so_far());
        std::string line;
        while (std::getline(in, line))
            if (line.find("rror") != std::string::npos ||
                line.find("Aborting") != std::string::npos ||
                line.find("nexpected") != std::string::npos ||
                line.find("bind") != std::string::npos)
                all += line.substr(0, 300) + "\n";
    }
    // What each sipp sent and received, one line per message.
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        if (entry.path().extension() != ".msg") continue;
        all += "--- " + entry.path().filename().string() + "\n";
        std::ifstream in(entry.path());
        std::string line, when;
        while (std::getline(in, line)) {
            if (line.starts_with("----")) when = line.substr(line.rfind(' ') + 1);
            if (line.starts_with("UDP message")) all += when + " " + line.substr(12, 8);
            if (line.starts_with("SIP/2.0 ") || line.find(" SIP/2.0") != std::string::npos)
                all += " " + line + "\n";
        }
    }
    return all;
}

}  // namespace acd::e2e
