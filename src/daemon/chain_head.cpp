#include "chain_head.hpp"

#include "acd/log.hpp"

namespace acd {

void log_chain_head(Store& store) {
    const auto head = store.head();
    if (!head) {
        log_error("audit.head", "cannot read the audit chain's head: {}", head.error().message);
        return;
    }
    log_event("audit.head", "record {} head {}", head->id, head->to_string());
}

ChainHeadLog::ChainHeadLog(asio::io_context& io, Store& store) : store_(store), timer_(io) {}

ChainHeadLog::~ChainHeadLog() {
    background_.join();
}

void ChainHeadLog::start() {
    asio::post(background_, [this] { log_chain_head(store_); });
    arm();
}

void ChainHeadLog::arm() {
    timer_.expires_after(kChainHeadEvery);
    timer_.async_wait([this](std::error_code ec) {
        if (ec) return;
        asio::post(background_, [this] { log_chain_head(store_); });
        arm();
    });
}

void ChainHeadLog::stop() {
    timer_.cancel();
    log_chain_head(store_);
}

}  // namespace acd
