// Newline-delimited lines over an Asio stream, shared by the gateway and admin sessions: reads
// capped at kMaxLineBytes and cut exactly as framing.hpp's line_content() does (the code the
// fuzz target runs), with an optional timeout, and a writer with an outbound queue so
// that only one write is ever in flight (Asio's cpp20 chat server is the model).
//
// Single-threaded: every member runs on the stream's executor (acdd's io_context thread).
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "framing.hpp"

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

    // One line without its "\n" (and "\r"), at most kMaxLineBytes; `timeout` zero: none.
    asio::awaitable<ReadStatus> read_line(std::string& line, std::chrono::milliseconds timeout) {
        const std::uint64_t gen = ++read_gen_;
        timed_out_ = false;
        if (timeout.count() > 0) {
            read_timer_.expires_after(timeout);
            // A handler already queued when the read completed must not touch a later read.
            read_timer_.async_wait([this, gen](std::error_code ec) {
                if (ec || gen != read_gen_) return;
                timed_out_ = true;
                abort();
            });
        }
        std::error_code ec;
        const std::size_t n =
            co_await asio::async_read_until(stream_, asio::dynamic_buffer(buffer_, kMaxReadBytes),
                                            '\n', asio::redirect_error(asio::use_awaitable, ec));
        ++read_gen_;
        read_timer_.cancel();
        if (timed_out_) co_return ReadStatus::timed_out;
        if (ec == asio::error::not_found) co_return ReadStatus::too_long;
        if (ec) co_return ReadStatus::closed;
        const auto content = line_content(std::string_view(buffer_).substr(0, n));
        if (!content) co_return ReadStatus::too_long;
        line.assign(*content);
        buffer_.erase(0, n);
        co_return ReadStatus::line;
    }

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

    // Drops what is queued (the peer will not read it anyway), but the line being written: the
    // write in flight still reads it.
    void clear_outbox() {
        const std::size_t keep = writing_ ? 1 : 0;
        while (outbox_.size() > keep) {
            outbox_bytes_ -= outbox_.back().size();
            outbox_.pop_back();
        }
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

    // The writer: one write in flight; returns when the stream is closed.
    asio::awaitable<void> write_loop() {
        while (!closed_) {
            if (outbox_.empty()) {
                if (closing_) break;
                std::error_code ec;
                co_await wake_writer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            std::error_code ec;
            writing_ = true;
            co_await asio::async_write(stream_, asio::buffer(outbox_.front()),
                                       asio::redirect_error(asio::use_awaitable, ec));
            writing_ = false;
            if (ec) break;
            outbox_bytes_ -= outbox_.front().size();
            outbox_.pop_front();
        }
        abort();
    }

  private:
    Stream stream_;
    std::size_t max_outbox_;
    asio::steady_timer wake_writer_;
    asio::steady_timer read_timer_;
    std::string buffer_;
    std::deque<std::string> outbox_;
    std::size_t outbox_bytes_ = 0;
    std::uint64_t read_gen_ = 0;
    bool timed_out_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

}  // namespace acd::net
