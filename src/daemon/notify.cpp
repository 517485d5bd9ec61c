#include "notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace acd {

void notify_status(std::string_view status) {
    const std::string message = "STATUS=" + std::string(status);
    sd_notify(0, message.c_str());
}

Notifier::Notifier(asio::io_context& io) : timer_(io) {}

void Notifier::ready(std::string_view status) {
    const std::string message = "READY=1\nSTATUS=" + std::string(status);
    sd_notify(0, message.c_str());
}

void Notifier::reloading() {
    // MONOTONIC_USEC lets newer service managers tell this reload from an earlier one.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

void Notifier::stopping() {
    timer_.cancel();
    sd_notify(0, "STOPPING=1");
}

void Notifier::start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    interval_ = std::chrono::microseconds(usec / 2);
    ping();
}

// The ping runs on the engine's loop: if the loop is stuck, the pings stop and systemd restarts
// acdd.
void Notifier::ping() {
    sd_notify(0, "WATCHDOG=1");
    timer_.expires_after(interval_);
    timer_.async_wait([this](std::error_code ec) {
        if (!ec) ping();
    });
}

}  // namespace acd
