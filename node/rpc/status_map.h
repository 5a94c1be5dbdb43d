// Mapping of lotchain Status codes to gRPC statuses, derived from the one table of codes
// (consensus/core/error_codes.inc: each code's gRPC class). The message keeps the code as a
// prefix for people ("UNKNOWN_SIGNER: signer ... is not a member") unless the code is the gRPC
// code's own name; programs read the structured detail instead: the grpc-status-details-bin
// trailer holds a google.rpc.Status whose details carry one google.rpc.ErrorInfo with reason =
// the lotchain code, domain = "lotchain" and metadata {"retryable": "true"|"false"}.
// A code outside the table (only possible for codes read at run time) becomes INTERNAL.
#pragma once

#include <grpcpp/support/status.h>

#include <string_view>
#include <utility>

#include "consensus/core/result.h"

namespace lotchain::node {

inline constexpr std::string_view kErrorDomain = "lotchain";

grpc::StatusCode GrpcCodeOf(const core::Status& status);
grpc::Status ToGrpcStatus(const core::Status& status);
// A handler's answer: the value into `response`, or the error with its ErrorInfo.
template <typename T>
grpc::Status Reply(core::Result<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(result).value();
  return grpc::Status::OK;
}
// "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", ... (the names of the gRPC specification).
std::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace lotchain::node
