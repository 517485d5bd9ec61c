// Errors as values across module boundaries (LevelDB's Status, std::expected's shape).
//
//   acd::Result<Store> r = Store::open(options);
//   if (!r) { log(r.error().message); return; }
//   Store& store = *r;
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace acd {

struct Error {
    std::string message;  // for people: says what failed and, where it helps, what to do
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

// For operations that return nothing but may fail.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error.message)), failed_(true) {}  // NOLINT

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const std::string& message() const { return error_; }

  private:
    std::string error_;
    bool failed_ = false;
};

}  // namespace acd
