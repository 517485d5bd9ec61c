// The audit chain's head in acdd's log (`audit.head`), at least hourly and at shutdown: the hash
// chain shows changed and deleted records, but only a head kept outside the machine shows that
// the log's tail was cut (docs/storage.md "Keeping the chain's head"; `audit-verify` with
// `head` checks that the log still reaches one).
//
// Created and stopped on the io_context's thread; the hourly read runs on a thread of its own
// (nothing on the io thread reads SQLite while acdd serves).
#pragma once

#include <asio.hpp>
#include <chrono>

#include "acd/store.hpp"

namespace acd {

inline constexpr auto kChainHeadEvery = std::chrono::hours(1);

class ChainHeadLog {
  public:
    ChainHeadLog(asio::io_context& io, Store& store);
    ~ChainHeadLog();  // waits for a read under way
    ChainHeadLog(const ChainHeadLog&) = delete;
    ChainHeadLog& operator=(const ChainHeadLog&) = delete;

    // Logs the head now (in the background), then every kChainHeadEvery.
    void start();
    // Stops the timer and logs the head at once, on this thread: call it once the store has made
    // everything durable (shutdown).
    void stop();

  private:
    void arm();

    Store& store_;
    asio::steady_timer timer_;
    asio::thread_pool background_{1};
};

// Logs `audit.head record <id> <id>:<hash>` (or that the log cannot be read).
void log_chain_head(Store& store);

}  // namespace acd
