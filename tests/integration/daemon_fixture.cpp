#include "daemon_fixture.hpp"

#include <csignal>
#include <fstream>

namespace acd::test {

const std::string kAcdd = ACD_ACDD_BINARY;

Json test_config(const std::filesystem::path& dir) {
    Json config = Json::parse(R"({
      "gateway": {"listen": "127.0.0.1:0"},
      "log": {"level": "info"},
      "specialties": [
        {"id": "cardiology", "numbers": ["+1001"], "default_class": "appointment"},
        {"id": "neurology", "numbers": ["+1002"]}
      ],
      "agents": [
        {"id": "a1", "uri": "sip:a1@pbx.test", "skills": ["cardiology"], "wrap_up_s": 0},
        {"id": "a2", "uri": "sip:a2@pbx.test", "skills": ["cardiology", "neurology"], "wrap_up_s": 0}
      ],
      "overflow_teams": [
        {"id": "ext", "uri": "sip:ext@overflow.test", "max_concurrent": 2, "specialties": ["*"]}
      ]
    })");
    config["store"] = {{"synchronous", "normal"}, {"path", (dir / "acdd.db").string()}};
    config["admin"] = {{"socket", (dir / "admin.sock").string()}};
    // The quality sample is a keyed choice and each test's key is new: without this, one call in
    // ten would carry "record": true at random. Tests of the sample set their own percent.
    config["quality"] = {{"sample_percent", 0}};
    // Times are shown in the site's zone: UTC here, whatever the machine's, so that tests may
    // compare them with format_time(). Tests of other zones set their own.
    config["site"] = {{"timezone", "UTC"}};
    return config;
}

Daemon::Daemon() : dir_(own_dir_.path()) {
    configure(test_config(dir_));
}

void Daemon::configure(const Json& config) {
    std::ofstream(dir_ / "acdd.json") << config.dump(2);
}

Daemon::~Daemon() {
    if (process_) process_->signal(SIGKILL);
}

bool Daemon::start(const std::vector<std::string>& env) {
    if (process_) previous_logs_ += process_->err_so_far();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kAcdd, "-c", (dir_ / "acdd.json").string()}, env);
    if (!process_->wait_for_stderr("daemon.ready", std::chrono::seconds(20))) return false;
    const std::string err = process_->err_so_far();
    const auto at = err.find("listening for gateways on ");
    if (at == std::string::npos) return false;
    const auto colon = err.rfind(':', err.find('\n', at));  // "on HOST:PORT"
    port_ = static_cast<std::uint16_t>(std::stoi(err.substr(colon + 1)));
    return true;
}

int Daemon::stop() {
    process_->signal(SIGTERM);
    return process_->wait(std::chrono::seconds(20)).exit_code;
}

void Daemon::kill() {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(20));
}

std::string Daemon::log() const {
    return previous_logs_ + (process_ ? process_->err_so_far() : std::string());
}

}  // namespace acd::test
