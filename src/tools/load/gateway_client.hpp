// One gateway's side of docs/spec/gateway-protocol.md: connects (TCP or TLS), says hello, numbers
// its events with strictly increasing seqs, keeps every event until an ack (or a welcome's
// last_seq) covers it, and after a disconnect reconnects and resends every event above the
// welcome's last_seq, as the protocol requires.
//
// Single-threaded: everything runs on the io_context's one thread, listener calls included.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "load/options.hpp"

namespace acd::load {

using Clock = std::chrono::steady_clock;

class GatewayClient;

class ClientListener {
  public:
    virtual ~ClientListener() = default;
    // The welcome came and every unacknowledged event was resent. `first`: the first welcome.
    virtual void on_ready(GatewayClient& client, bool first) = 0;
    // A line from acdd that is neither an ack nor the welcome: a command or an error.
    virtual void on_message(GatewayClient& client, std::string_view line) = 0;
    // Event `seq` is acknowledged: by an ack (`sent_at` is when it was last written), or by a
    // welcome's last_seq after a reconnect (`by_welcome`).
    virtual void on_acked(GatewayClient& client, std::uint64_t seq, Clock::time_point sent_at,
                          bool by_welcome) = 0;
    // The connection dropped; the client reconnects on its own.
    virtual void on_down(GatewayClient& client, const std::string& why) = 0;
    // A batch of input was handled (a good moment to offer more).
    virtual void on_input_done(GatewayClient& client) = 0;
    // The connection is lost for good (reconnect timeout, refused handshake).
    virtual void on_failed(GatewayClient& client, const std::string& why) = 0;
};

struct ClientSettings {
    Endpoint endpoint;
    asio::ssl::context* tls = nullptr;  // nullptr: plain TCP
    std::string token;                  // empty: none
    bool echo = false;                  // echoed lines acknowledge their seq
    std::chrono::nanoseconds reconnect_timeout = std::chrono::seconds(30);
};

class GatewayClient {
  public:
    GatewayClient(asio::io_context& io, const ClientSettings& settings, std::string gateway,
                  std::size_t index, ClientListener& listener);
    GatewayClient(const GatewayClient&) = delete;
    GatewayClient& operator=(const GatewayClient&) = delete;

    void start();  // connects
    void close();  // closes for good, dropping what is not sent

    // Queues one event; `write(out, seq)` appends its JSON text (no newline) for that seq.
    // Written at once when connected, else after the next welcome. Returns the seq.
    template <typename Write>
    std::uint64_t send(Write&& write) {
        const std::uint64_t seq = next_seq_++;
        std::string line;
        write(line, seq);
        line.push_back('\n');
        queue(seq, std::move(line));
        return seq;
    }

    const std::string& gateway() const { return gateway_; }
    std::size_t index() const { return index_; }
    bool ready() const { return state_ == State::ready; }
    std::size_t unacked() const { return unacked_.size(); }
    // The type of event `seq` while it waits for its ack (an error comes before it), else "".
    std::string event_type(std::uint64_t seq) const;
    std::uint64_t resent() const { return resent_; }
    std::uint64_t reconnects() const { return reconnects_; }
    // Acknowledged events that a later welcome's last_seq no longer covers: acdd lost them.
    std::uint64_t lost_acked() const { return lost_acked_; }

  private:
    enum class State { idle, connecting, handshaking, ready, down, closed };
    struct Unacked {
        std::uint64_t seq;
        std::string line;
        Clock::time_point sent_at;
    };

    void queue(std::uint64_t seq, std::string line);
    void connect();
    void on_connected();
    void start_reading();
    void handle_input(std::size_t n);
    void handle_line(std::string_view line);
    void handle_welcome(std::string_view line);
    void acked_up_to(std::uint64_t seq, bool by_welcome);
    void schedule_flush();
    void flush();
    void lost(const std::string& why);
    void retry();
    template <typename F>
    void with_stream(F&& f);
    asio::ip::tcp::socket& socket();

    asio::io_context& io_;
    ClientSettings settings_;
    std::string gateway_;
    std::size_t index_;
    ClientListener& listener_;
    State state_ = State::idle;
    std::uint64_t generation_ = 0;  // completions of an older connection are ignored
    std::optional<asio::ip::tcp::socket> plain_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
    asio::steady_timer retry_timer_;
    Clock::time_point down_since_{};
    std::chrono::milliseconds backoff_{0};

    std::uint64_t next_seq_ = 1;
    std::uint64_t highest_acked_ = 0;
    std::deque<Unacked> unacked_;
    std::string out_;      // lines waiting for the next write
    std::string writing_;  // lines being written
    bool flush_posted_ = false;
    std::string in_;    // read buffer
    std::string part_;  // an incomplete line carried over from the last read
    bool welcomed_once_ = false;

    std::uint64_t resent_ = 0;
    std::uint64_t reconnects_ = 0;
    std::uint64_t lost_acked_ = 0;
};

}  // namespace acd::load
