// Mapping of lotchain Status codes to gRPC status codes (docs/API.md lists the table).
//
//   NOT_FOUND                                     -> NOT_FOUND
//   INVALID_ARGUMENT, BAD_HEX, envelope and custody rule codes (MALFORMED_TX, WRONG_CHAIN,
//     BAD_SIGNATURE, REPLAYED_NONCE, STALE_EVENT, ...)  -> INVALID_ARGUMENT
//   PERMISSION_DENIED, UNKNOWN_SIGNER and the authorization codes (ROLE_FORBIDDEN,
//     NOT_CUSTODIAN, NOT_FACILITY_OWNER, NOT_OFFER_RECIPIENT, AUDITOR_NOT_INDEPENDENT)
//                                                 -> PERMISSION_DENIED
//   RESOURCE_EXHAUSTED, PROOF_TOO_LARGE           -> RESOURCE_EXHAUSTED
//   UNAVAILABLE, STORE_IO                         -> UNAVAILABLE
//   DEADLINE_EXCEEDED, OUT_OF_RANGE, FAILED_PRECONDITION -> the same gRPC code
//   STORE_CORRUPT                                 -> DATA_LOSS
//   anything else                                 -> INTERNAL
// The message is kept; when the lotchain code is more specific than the gRPC code it is
// prefixed ("UNKNOWN_SIGNER: signer ... is not a member"), so clients can match the stable code.
#pragma once

#include <grpcpp/support/status.h>

#include <string_view>

#include "consensus/core/result.h"

namespace lotchain::node {

grpc::StatusCode GrpcCodeOf(const core::Status& status);
grpc::Status ToGrpcStatus(const core::Status& status);
// "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", ... (the names of the gRPC specification).
std::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace lotchain::node
