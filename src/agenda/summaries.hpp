// The caller summaries in memory: for each patient (pseudonym), how many finished calls the store
// holds and their upcoming booked appointments, so that a route to an agent carries the summary
// without a read of the database on the engine's thread (docs/architecture.md).
//
// Loaded once at start from the store, then fed by changes once they are durable: a finished call,
// a booking, a cancellation, a move, an erasure. Single-threaded (the engine's thread).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "acd/agenda.hpp"

namespace acd::agenda {

class Summaries {
  public:
    // Everything the store holds now: counts of finished calls per caller, booked appointments
    // starting after `now`.
    static Result<Summaries> load(Reader& reader, Time now);

    // Nothing (nullopt) for an anonymous or erased caller.
    // Appointments that have started are dropped from memory on the way.
    std::optional<CallerSummary> get(const std::string& pseudonym, Time now);

    void call_finished(const std::string& caller);
    void booked(const Appointment& appointment, const std::string& patient);
    void cancelled(std::int64_t appointment_id);
    void moved(const Appointment& appointment);  // its new slot
    void erased(const std::string& pseudonym);

  private:
    struct Entry {
        std::int64_t past_calls = 0;
        std::map<std::int64_t, Appointment> upcoming;  // by id; patient not filled in
    };
    std::unordered_map<std::string, Entry> entries_;
    std::unordered_map<std::int64_t, std::string> patient_of_;  // appointment id -> pseudonym
};

}  // namespace acd::agenda
