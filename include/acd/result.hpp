// Errors as values across module boundaries (LevelDB's Status, std::expected's shape), and the
// one list of error codes that every protocol, command and module shares.
//
//   acd::Result<Store> r = Store::open(options);
//   if (!r) { log(r.error().message); return; }
//   Store& store = *r;
//
// Contract:
// - An Error has a stable code (to_string gives the word the gateway and admin protocols carry in
//   `code`) and a message for people that says what failed and, where it helps, what to do.
// - Result<T, E> holds a T or an E; E is Error everywhere but where a caller needs more than one
//   error at once (the configuration: every bad value with its path).
// - Status is Result<void>: ok, or an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace acd {

// Stable error codes: the gateway protocol's `error.code`, the admin protocol's
// `arguments.code`, and the codes of the modules' own failures.
enum class ErrorCode : std::uint8_t {
    none,
    // Requests and events (gateway and admin protocols).
    bad_request,
    unknown_call,
    unknown_agent,
    unknown_specialty,
    duplicate_call,
    invalid_state,
    seq_reused,  // a seq used again for another event (gateway protocol v1.1)
    // Transport and handshake (gateway protocol).
    bad_json,
    line_too_long,
    protocol,
    unsupported_protocol,
    unauthorized,
    // Commands (admin protocol).
    unsupported,     // no such command
    forbidden,       // the caller's role may not run it
    invalid_config,  // a configuration file with errors
    too_slow,        // a subscriber that fell behind, dropped
    // The agenda (docs/spec/agenda.md).
    unknown_slot,
    unknown_appointment,
    unknown_message,
    slot_taken,
    slot_overlap,
    // Failures of acdd itself.
    store,     // a database statement failed; the database is still usable
    io_error,  // the database cannot be written any more: disk full, I/O error, damage
    internal,  // a bug: an exception where none was expected
};

std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> parse_error_code(std::string_view word);

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;  // for people: says what failed and, where it helps, what to do

    bool operator==(const Error&) const = default;
};

template <typename T, typename E = Error>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const& { return std::get<1>(v_); }
    E&& error() && { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, E> v_;
};

// For operations that return nothing but may fail.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return !error_; }
    explicit operator bool() const { return ok(); }
    // Precondition: !ok().
    const Error& error() const { return *error_; }
    ErrorCode code() const { return error_ ? error_->code : ErrorCode::none; }
    const std::string& message() const {
        static const std::string kNone;
        return error_ ? error_->message : kNone;
    }

  private:
    std::optional<Error> error_;
};

}  // namespace acd
