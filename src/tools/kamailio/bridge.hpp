// acd-kamailio: Kamailio's evapi on one side, acdd's gateway protocol on the other
// (docs/spec/telephony.md, docs/telephony.md).
//
// Events from Kamailio are checked (translate.hpp), numbered from the state file (seq_file.hpp)
// and sent to acdd, which acknowledges them; commands from acdd go to Kamailio, a call.route
// identical to the call's last one excepted. The bridge holds no call state that a restart would
// lose: held calls live in Kamailio, unacknowledged events are resent, and acdd sends call.route
// again after each welcome. Single-threaded: everything runs on the io_context's thread.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string>

#include "acdd_link.hpp"
#include "config.hpp"
#include "evapi_link.hpp"
#include "seq_file.hpp"
#include "translate.hpp"

namespace acd::kamailio {

class Bridge {
  public:
    // `config` and `seqs` must outlive the bridge. Throws std::runtime_error when the TLS files
    // cannot be loaded.
    Bridge(asio::io_context& io, const BridgeConfig& config, SeqFile& seqs);
    void start();
    // Stops reading from Kamailio, waits (at most `grace`) for acdd to acknowledge the events
    // already sent, closes both connections, then calls `done`.
    void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

  private:
    void on_kamailio(std::string payload);
    void on_acdd(const FromAcdd& message);
    void on_error(const FromAcdd& error);

    const BridgeConfig& config_;
    SeqFile& seqs_;
    std::unique_ptr<asio::ssl::context> tls_;
    EvapiLink evapi_;
    AcddLink acdd_;
    RouteMemo routes_;
    asio::steady_timer grace_;
};

// The TLS client context of `tls`; throws std::runtime_error naming the file that failed.
std::unique_ptr<asio::ssl::context> make_tls_context(const TlsSettings& tls);

}  // namespace acd::kamailio
