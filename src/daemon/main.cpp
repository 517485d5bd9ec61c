// acdd: the daemon's command line. Everything after option parsing lives in daemon.cpp.
#include <getopt.h>

#include <cstdio>
#include <string>

#include "acd/config.hpp"
#include "acd/version.hpp"
#include "daemon.hpp"

namespace {

constexpr const char* kDefaultConfig = "/etc/acdd/acdd.json";

void usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: acdd [-c FILE] [--check-config] [--accept-data-loss] [--web-root DIR]\n"
                 "Automatic call distribution for hospital call centers.\n\n"
                 "  -c, --config FILE   configuration file (default %s)\n"
                 "      --check-config  check the configuration and exit: prints \"ok: FILE\"\n"
                 "                      and exits 0 when it is valid, else prints every error\n"
                 "                      and exits 1\n"
                 "      --accept-data-loss\n"
                 "                      start on a database that is behind what acdd had\n"
                 "                      committed (restored, cut, replaced), recording the loss\n"
                 "                      in the audit log (docs/operations.md)\n"
                 "      --web-root DIR  the web pages' folder (default: share/acdd/web\n"
                 "                      beside acdd's bin folder)\n"
                 "  -V, --version       print the version and exit\n"
                 "  -h, --help          print this help and exit\n",
                 kDefaultConfig);
}

// Prints "ok: FILE" or every error as "FILE: path: message".
int check_config(const std::string& file) {
    const acd::ConfigResult r = acd::load_config(file);
    if (r.ok()) {
        std::printf("ok: %s\n", file.c_str());
        return 0;
    }
    for (const acd::ConfigError& e : r.error()) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.to_string().c_str());
    }
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    enum { kCheckConfig = 256, kAcceptDataLoss, kWebRoot };
    static const option kOptions[] = {{"config", required_argument, nullptr, 'c'},
                                      {"check-config", no_argument, nullptr, kCheckConfig},
                                      {"accept-data-loss", no_argument, nullptr, kAcceptDataLoss},
                                      {"web-root", required_argument, nullptr, kWebRoot},
                                      {"version", no_argument, nullptr, 'V'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    std::string config_file = kDefaultConfig;
    bool only_check = false;
    acd::DaemonOptions options;
    for (int opt; (opt = getopt_long(argc, argv, "c:Vh", kOptions, nullptr)) != -1;) {
        switch (opt) {
            case 'c':
                config_file = optarg;
                break;
            case kCheckConfig:
                only_check = true;
                break;
            case kAcceptDataLoss:
                options.accept_data_loss = true;
                break;
            case kWebRoot:
                options.web_root = optarg;
                break;
            case 'V':
                std::printf("acdd %s\n", acd::kVersion);
                return 0;
            case 'h':
                usage(stdout);
                return 0;
            default:
                usage(stderr);
                return 2;
        }
    }
    if (optind < argc) {
        std::fprintf(stderr, "acdd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (only_check) return check_config(config_file);
    return acd::run_daemon(config_file, options);
}
