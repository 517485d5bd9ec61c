// systemd notification (sd_notify): READY=1 once the database is open, the state recovered and
// both listeners bound; WATCHDOG=1 at half of WATCHDOG_USEC from a timer on the engine's event
// loop, so that a stuck loop gets acdd restarted; RELOADING=1 and READY=1 around a reload;
// STOPPING=1 on shutdown. Without NOTIFY_SOCKET (not under systemd) every call does nothing.
#pragma once

#include <asio.hpp>
#include <string_view>

namespace acd {

// STATUS=<status> alone: why acdd refuses to start or stops on a fatal error, for
// `systemctl status` (nothing without NOTIFY_SOCKET).
void notify_status(std::string_view status);

class Notifier {
  public:
    explicit Notifier(asio::io_context& io);
    // READY=1 with a status line.
    void ready(std::string_view status);
    void reloading();
    void stopping();
    // Starts WATCHDOG=1 pings when the service manager asked for them (WATCHDOG_USEC).
    void start_watchdog();

  private:
    void ping();

    asio::steady_timer timer_;
    std::chrono::microseconds interval_{0};
};

}  // namespace acd
