// Newline-delimited lines over an Asio stream, shared by the gateway and admin sessions: reads
// capped at kMaxLineBytes and cut exactly as framing.hpp's next_line() does (the code the fuzz
// target runs), with an optional timeout, and a writer with an outbound queue so that only one
// write is ever in flight (Asio's cpp20 chat server is the model).
//
// Single-threaded: every member runs on the stream's executor (acdd's io_context thread).
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acd/framing.hpp"

namespace acd::net {

inline asio::ip::tcp::socket& lowest_layer(asio::ip::tcp::socket& s) {
    return s;
}
inline asio::local::stream_protocol::socket& lowest_layer(asio::local::stream_protocol::socket& s) {
    return s;
}
template <typename Next>
auto& lowest_layer(asio::ssl::stream<Next>& s) {
    return s.next_layer();
}

enum class ReadStatus { line, too_long, closed, timed_out };

template <typename Stream>
class LineStream {
  public:
    LineStream(Stream stream, std::size_t max_outbox)
        : stream_(std::move(stream)),
          max_outbox_(max_outbox),
          wake_writer_(socket().get_executor()),
          read_timer_(socket().get_executor()) {
        wake_writer_.expires_at(std::chrono::steady_clock::time_point::max());
    }

    Stream& stream() { return stream_; }
    auto& socket() { return lowest_layer(stream_); }
    bool closed() const { return closed_; }
    bool closing() const { return closing_; }
    std::size_t outbox_bytes() const { return outbox_bytes_; }

    // One line without its "\n" (and "\r"), at most kMaxLineBytes; `timeout` zero: none. Lines
    // already received are cut from the buffer without going back to the socket (next_line(),
    // the code the fuzz target runs); the timeout only runs while the socket is read.
    asio::awaitable<ReadStatus> read_line(std::string& line, std::chrono::milliseconds timeout) {
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (timeout.count() > 0) deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const LineCut cut = next_line(std::string_view(buffer_).substr(taken_));
            if (cut.status == LineCut::line) {
                line.assign(cut.content);
                taken_ += cut.consumed;
                // A peer that sends a burst does not keep the thread from the other sessions,
                // the acks and the timers for longer than a few lines.
                if (++lines_this_turn_ == kLinesPerTurn) {
                    lines_this_turn_ = 0;
                    co_await asio::post(socket().get_executor(), asio::use_awaitable);
                    // Closed meanwhile (replaced, stopped): the line goes with the connection,
                    // as it would have in the socket; an unacknowledged event is sent again.
                    if (closed_) co_return ReadStatus::closed;
                }
                co_return ReadStatus::line;
            }
            if (cut.status == LineCut::too_long) co_return ReadStatus::too_long;
            if (auto status = co_await read_more(deadline)) co_return *status;
        }
    }

    // Reads of up to 64 KiB from now on. Until then a read takes at most 4 KiB, so that a
    // connection that has not proved who it is (a gateway before its welcome) costs little.
    void full_reads() { read_bytes_ = kReadBytes; }

    // Queues a line (a "\n" is added). False, and nothing queued, when the peer lets more than
    // max_outbox bytes pile up unread: the caller decides what to do with such a peer.
    bool send(std::string line) {
        if (closing_) return true;
        line.push_back('\n');
        if (outbox_bytes_ + line.size() > max_outbox_) return false;
        outbox_bytes_ += line.size();
        outbox_.push_back(std::move(line));
        wake_writer_.cancel_one();
        return true;
    }

    // Drops what is queued (the peer will not read it anyway); the write in flight goes on.
    void clear_outbox() {
        outbox_.clear();
        outbox_bytes_ = writing_bytes_;
    }

    // Queues a line ahead of everything else (a welcome before what the hub sent meanwhile).
    void send_first(std::string line) {
        line.push_back('\n');
        outbox_bytes_ += line.size();
        outbox_.push_front(std::move(line));
        wake_writer_.cancel_one();
    }

    // Sends what is queued, then closes.
    void close() {
        closing_ = true;
        wake_writer_.cancel_one();
    }

    // Closes now.
    void abort() {
        if (closed_) return;
        closed_ = closing_ = true;
        std::error_code ignored;
        socket().shutdown(asio::socket_base::shutdown_both, ignored);
        socket().close(ignored);
        read_timer_.cancel();
        wake_writer_.cancel();
    }

    // The writer: one write in flight, of every line queued meanwhile (up to kWriteBytes), so
    // that a burst of lines costs one system call; returns when the stream is closed.
    asio::awaitable<void> write_loop() {
        std::string writing;
        while (!closed_) {
            if (outbox_.empty()) {
                if (closing_) break;
                std::error_code ec;
                co_await wake_writer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            writing.clear();
            while (!outbox_.empty() && (writing.empty() || writing.size() < kWriteBytes)) {
                writing += outbox_.front();
                outbox_.pop_front();
            }
            std::error_code ec;
            writing_bytes_ = writing.size();
            co_await asio::async_write(stream_, asio::buffer(writing),
                                       asio::redirect_error(asio::use_awaitable, ec));
            outbox_bytes_ -= writing_bytes_;
            writing_bytes_ = 0;
            if (ec) break;
        }
        abort();
    }

  private:
    // What one write takes from the outbox, at least one line.
    static constexpr std::size_t kWriteBytes = 64 * 1024;
    // What one read asks of the socket (kSmallReadBytes until full_reads()).
    static constexpr std::size_t kReadBytes = 64 * 1024;
    static constexpr std::size_t kSmallReadBytes = 4 * 1024;
    // Lines taken from the buffer before letting other handlers run.
    static constexpr std::size_t kLinesPerTurn = 16;

    // Reads what the socket has into the buffer, after dropping the lines already taken.
    // nullopt once something was read; else why the read ended.
    asio::awaitable<std::optional<ReadStatus>> read_more(
        std::optional<std::chrono::steady_clock::time_point> deadline) {
        buffer_.erase(0, taken_);
        taken_ = 0;
        lines_this_turn_ = 0;
        const std::uint64_t gen = ++read_gen_;
        timed_out_ = false;
        if (deadline) {
            read_timer_.expires_at(*deadline);
            // A handler already queued when the read completed must not touch a later read.
            read_timer_.async_wait([this, gen](std::error_code ec) {
                if (ec || gen != read_gen_) return;
                timed_out_ = true;
                abort();
            });
        }
        std::error_code ec;
        if (chunk_.size() != read_bytes_) chunk_.resize(read_bytes_);  // allocated at first read
        const std::size_t n = co_await stream_.async_read_some(
            asio::buffer(chunk_), asio::redirect_error(asio::use_awaitable, ec));
        buffer_.append(chunk_.data(), n);
        ++read_gen_;
        if (deadline) read_timer_.cancel();
        if (timed_out_) co_return ReadStatus::timed_out;
        if (ec) co_return ReadStatus::closed;
        co_return std::nullopt;
    }

    Stream stream_;
    std::size_t max_outbox_;
    asio::steady_timer wake_writer_;
    asio::steady_timer read_timer_;
    std::string buffer_;
    // What a read lands in before it joins buffer_ (so that a read does not first fill 64 KiB of
    // buffer_ with zeros to give it room).
    std::vector<char> chunk_;
    std::size_t read_bytes_ = kSmallReadBytes;
    std::size_t taken_ = 0;  // bytes of buffer_ already returned as lines
    std::size_t lines_this_turn_ = 0;
    std::deque<std::string> outbox_;
    std::size_t outbox_bytes_ = 0;   // queued, and being written
    std::size_t writing_bytes_ = 0;  // of which being written
    std::uint64_t read_gen_ = 0;
    bool timed_out_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

// Starts a session after Asio's chat server: its reader coroutine (`self->reader()`) and its
// writer (`lines.write_loop()`), then `self->closed()` once the writer has ended. Both hold
// `self`, so the session lives until both are done; `lines` is a member of the session.
template <typename Session, typename Stream>
void start_reader_and_writer(std::shared_ptr<Session> self, LineStream<Stream>& lines) {
    const auto executor = lines.socket().get_executor();
    asio::co_spawn(
        executor, [self] { return self->reader(); }, asio::detached);
    asio::co_spawn(
        executor,
        [self, &lines]() -> asio::awaitable<void> {
            co_await lines.write_loop();
            self->closed();
        },
        asio::detached);
}

}  // namespace acd::net
