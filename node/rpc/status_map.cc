#include "node/rpc/status_map.h"

#include <array>
#include <string_view>

#include "consensus/core/custody_codes.h"

namespace lotchain::node {

namespace {

bool IsAuthorizationCode(std::string_view code) {
  static constexpr std::array<std::string_view, 7> kCodes = {
      "PERMISSION_DENIED",          core::codes::kUnknownSigner,
      core::codes::kRoleForbidden,  core::codes::kNotCustodian,
      core::codes::kNotFacilityOwner, core::codes::kNotOfferRecipient,
      core::codes::kAuditorNotIndependent};
  for (std::string_view c : kCodes) {
    if (c == code) return true;
  }
  return false;
}

// Codes that describe something wrong with the request itself: the generic one, hex decoding
// and every custody rule code that is not about authorization.
bool IsArgumentCode(std::string_view code) {
  static constexpr std::array<std::string_view, 36> kCodes = {
      "INVALID_ARGUMENT",
      "BAD_HEX",
      core::codes::kMalformedTx,
      core::codes::kTxTooLarge,
      core::codes::kWrongChain,
      core::codes::kBadSignature,
      core::codes::kReplayedNonce,
      core::codes::kEmptyEvent,
      core::codes::kInvalidField,
      core::codes::kAmountOverflow,
      core::codes::kUnknownLot,
      core::codes::kUnknownFacility,
      core::codes::kUnknownOrg,
      core::codes::kUnknownFlag,
      core::codes::kDuplicateLotId,
      core::codes::kDuplicateFacilityId,
      core::codes::kDuplicateAuditId,
      core::codes::kDuplicateFlagId,
      core::codes::kStaleEvent,
      core::codes::kLotNotActive,
      core::codes::kNotInTransit,
      core::codes::kWrongFacilityKind,
      core::codes::kNotABattery,
      core::codes::kBatteryAlreadyRegistered,
      core::codes::kFlagAlreadyResolved,
      core::codes::kEnergyDecreases,
      core::codes::kNotBatteryProduct,
      core::codes::kNotRecoverable,
      core::codes::kWasteRestricted,
      core::codes::kInsufficientMass,
      core::codes::kElementMassIncreases,
      core::codes::kMassIncreases,
      core::codes::kCompositionExceedsMass,
      "BAD_ID",
      "BAD_REQUEST",
      "MALFORMED_REQUEST"};
  for (std::string_view c : kCodes) {
    if (c == code) return true;
  }
  return false;
}

}  // namespace

grpc::StatusCode GrpcCodeOf(const core::Status& status) {
  const std::string& code = status.code();
  if (status.ok()) return grpc::StatusCode::OK;
  if (code == "NOT_FOUND") return grpc::StatusCode::NOT_FOUND;
  if (IsAuthorizationCode(code)) return grpc::StatusCode::PERMISSION_DENIED;
  if (IsArgumentCode(code)) return grpc::StatusCode::INVALID_ARGUMENT;
  if (code == "RESOURCE_EXHAUSTED" || code == "PROOF_TOO_LARGE") {
    return grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  if (code == "UNAVAILABLE" || code == "STORE_IO") return grpc::StatusCode::UNAVAILABLE;
  if (code == "DEADLINE_EXCEEDED") return grpc::StatusCode::DEADLINE_EXCEEDED;
  if (code == "OUT_OF_RANGE") return grpc::StatusCode::OUT_OF_RANGE;
  if (code == "FAILED_PRECONDITION") return grpc::StatusCode::FAILED_PRECONDITION;
  if (code == "STORE_CORRUPT") return grpc::StatusCode::DATA_LOSS;
  return grpc::StatusCode::INTERNAL;
}

grpc::Status ToGrpcStatus(const core::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  static constexpr std::array<std::string_view, 9> kGenericCodes = {
      "NOT_FOUND",         "INVALID_ARGUMENT",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "UNAVAILABLE",        "DEADLINE_EXCEEDED",
      "OUT_OF_RANGE",      "FAILED_PRECONDITION", "INTERNAL"};
  bool generic = false;
  for (std::string_view c : kGenericCodes) generic = generic || c == status.code();
  std::string message = generic ? status.message() : status.code() + ": " + status.message();
  return grpc::Status(GrpcCodeOf(status), message);
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
