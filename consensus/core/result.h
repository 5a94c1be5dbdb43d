// Status and Result<T>: the error currency of lotchain. Nothing throws across a module boundary.
//
// A Status carries a stable machine-readable `code` (e.g. "NOT_CUSTODIAN", "BAD_GENESIS") and a
// message written for a person: what went wrong and what to do about it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "consensus/core/assert.h"
#include "consensus/core/error_codes.h"

namespace lotchain::core {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  // `code` must be in error_codes.inc: checked at compile time.
  Status(Code code, std::string message) : code_(code.name()), message_(std::move(message)) {}
  // A code read at run time: another Status's, or a node's TxResult.reason. Not checked.
  static Status FromCode(std::string code, std::string message) {
    LOTCHAIN_ASSERT(!code.empty());
    Status status;
    status.code_ = std::move(code);
    status.message_ = std::move(message);
    return status;
  }
  static Status Ok() { return Status(); }

  bool ok() const { return code_.empty(); }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "OK" : code_ + ": " + message_; }

 private:
  std::string code_;  // empty means OK
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    LOTCHAIN_ASSERT(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & {
    LOTCHAIN_ASSERT(ok());
    return *value_;
  }
  const T& value() const& {
    LOTCHAIN_ASSERT(ok());
    return *value_;
  }
  T&& value() && {
    LOTCHAIN_ASSERT(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace lotchain::core

#define LOTCHAIN_CONCAT_INNER(a, b) a##b
#define LOTCHAIN_CONCAT(a, b) LOTCHAIN_CONCAT_INNER(a, b)

#define LOTCHAIN_RETURN_IF_ERROR(expr)               \
  do {                                               \
    ::lotchain::core::Status lotchain_status_ = (expr); \
    if (!lotchain_status_.ok()) return lotchain_status_; \
  } while (0)

#define LOTCHAIN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

// LOTCHAIN_ASSIGN_OR_RETURN(auto x, Foo()); returns Foo()'s status on error.
#define LOTCHAIN_ASSIGN_OR_RETURN(lhs, expr) \
  LOTCHAIN_ASSIGN_OR_RETURN_IMPL(LOTCHAIN_CONCAT(lotchain_result_, __LINE__), lhs, expr)
