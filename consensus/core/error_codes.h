// The one table of lotchain error codes (error_codes.inc): each code's name, the gRPC status
// class it travels as, whether retrying the same request can succeed, and a one-line meaning.
// Everything else derives from it: the gRPC mapping (node/rpc/status_map.cc), the structured
// error detail (google.rpc.ErrorInfo reason = the code, domain = "lotchain"), the CLI's exit
// codes (wallet-cli/errors.h) and docs/ERRORS.md (checked by a unit test).
//
// core::Code is consteval: `Status("NOT_CUSTODIAN", …)` compiles only when NOT_CUSTODIAN is in
// the table, so a code cannot be used without being defined. Codes read at run time (another
// Status's, a node's TxResult.reason) go through Status::FromCode, unchecked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lotchain::core {

// The gRPC status a code travels as (node/rpc/status_map.cc maps these to grpc::StatusCode;
// the core does not depend on gRPC).
enum class GrpcClass : uint8_t {
  kInvalidArgument,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kOutOfRange,
  kFailedPrecondition,
  kDataLoss,
  kCancelled,
  kUnimplemented,
  kInternal,
};

struct CodeInfo {
  std::string_view name;
  GrpcClass grpc;
  bool retryable;
  std::string_view meaning;
};

inline constexpr CodeInfo kCodeTable[] = {
#define LOTCHAIN_CODE(name, grpc, retryable, meaning) {#name, GrpcClass::grpc, retryable, meaning},
#include "consensus/core/error_codes.inc"
#undef LOTCHAIN_CODE
};

constexpr const CodeInfo* FindCode(std::string_view name) {
  for (const CodeInfo& info : kCodeTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

constexpr std::span<const CodeInfo> AllCodes() { return kCodeTable; }

// Not constexpr on purpose: reaching it in a consteval Code names the problem in the error.
void lotchain_error_code_is_not_defined_in_error_codes_inc();

// A code known at compile time to be in the table.
class Code {
 public:
  consteval Code(const char* name) : name_(name) {  // NOLINT: implicit from a literal by design
    if (FindCode(name) == nullptr) lotchain_error_code_is_not_defined_in_error_codes_inc();
  }
  constexpr const char* name() const { return name_; }

 private:
  const char* name_;
};

}  // namespace lotchain::core
