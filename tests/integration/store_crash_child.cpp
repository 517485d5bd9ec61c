// Child of store_crash_test: appends numbered records to the store for ever, in batches of 1 to
// 8 (waiting for durability when more than 64 records wait), and prints "acked N" on stdout each
// time the store reports every record up to N durable. Usage: store_crash_child DB full|normal
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "acd/store.hpp"

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(5);
    std::mutex mu;
    std::map<std::uint64_t, std::int64_t> last_n_of_ticket;
    acd::StoreOptions options;
    options.path = argv[1];
    options.synchronous =
        std::string(argv[2]) == "full" ? acd::Synchronous::full : acd::Synchronous::normal;
    options.on_durable = [&](std::uint64_t ticket) {
        std::int64_t n = 0;
        {
            std::lock_guard lock(mu);
            auto it = last_n_of_ticket.upper_bound(ticket);
            if (it == last_n_of_ticket.begin()) return;
            n = std::prev(it)->second;
            last_n_of_ticket.erase(last_n_of_ticket.begin(), it);
        }
        const std::string line = "acked " + std::to_string(n) + "\n";
        (void)!::write(1, line.data(), line.size());  // unbuffered: the parent may kill us now
    };
    auto store = acd::Store::open(options, acd::PiiKey::from_bytes(bytes));
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    std::int64_t n = 0;
    (void)(*store)->read_records(0, std::nullopt, [&](const acd::AuditRecord&) {
        ++n;
        return true;
    });
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    std::uint64_t next_ticket = 1;  // tickets count from 1 for each open store
    for (;;) {
        acd::WriteBatch batch;
        const int size = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < size; ++i) {
            acd::AuditRecord r;
            r.at = acd::Time{} + acd::Duration(++n);
            r.type = "test";
            r.body = "{\"n\":" + std::to_string(n) + "}";
            batch.records.push_back(std::move(r));
        }
        {
            // Registered before append(): the writer may report the ticket before it returns.
            std::lock_guard lock(mu);
            last_n_of_ticket[next_ticket] = n;
        }
        if ((*store)->append(std::move(batch)) != next_ticket++) return 3;
        // Small commits, so that kills land in every phase of many of them.
        if ((*store)->pending_records() > 64) (*store)->flush();
    }
}
