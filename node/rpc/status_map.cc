#include "node/rpc/status_map.h"

#include <string_view>

#include "consensus/core/error_codes.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace lotchain::node {

namespace {

grpc::StatusCode FromClass(core::GrpcClass c) {
  switch (c) {
    case core::GrpcClass::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case core::GrpcClass::kPermissionDenied: return grpc::StatusCode::PERMISSION_DENIED;
    case core::GrpcClass::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case core::GrpcClass::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case core::GrpcClass::kResourceExhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case core::GrpcClass::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case core::GrpcClass::kDeadlineExceeded: return grpc::StatusCode::DEADLINE_EXCEEDED;
    case core::GrpcClass::kOutOfRange: return grpc::StatusCode::OUT_OF_RANGE;
    case core::GrpcClass::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case core::GrpcClass::kDataLoss: return grpc::StatusCode::DATA_LOSS;
    case core::GrpcClass::kCancelled: return grpc::StatusCode::CANCELLED;
    case core::GrpcClass::kUnimplemented: return grpc::StatusCode::UNIMPLEMENTED;
    case core::GrpcClass::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

}  // namespace

grpc::StatusCode GrpcCodeOf(const core::Status& status) {
  if (status.ok()) return grpc::StatusCode::OK;
  const core::CodeInfo* info = core::FindCode(status.code());
  // Only a code read at run time (Status::FromCode) can be missing from the table.
  return info == nullptr ? grpc::StatusCode::INTERNAL : FromClass(info->grpc);
}

grpc::Status ToGrpcStatus(const core::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const grpc::StatusCode code = GrpcCodeOf(status);
  // People read the message, so a code more specific than the gRPC one prefixes it; programs
  // read the ErrorInfo detail.
  const bool generic = GrpcCodeName(code) == status.code();
  std::string message = generic ? status.message() : status.code() + ": " + status.message();
  google::rpc::ErrorInfo info;
  info.set_reason(status.code());
  info.set_domain(std::string(kErrorDomain));
  const core::CodeInfo* known = core::FindCode(status.code());
  if (known != nullptr) (*info.mutable_metadata())["retryable"] = known->retryable ? "true" : "false";
  google::rpc::Status details;
  details.set_code(static_cast<int32_t>(code));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(code, message, details.SerializeAsString());
}

std::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return "UNKNOWN";
  }
}

}  // namespace lotchain::node
