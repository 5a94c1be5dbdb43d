// The one table of error codes (consensus/core/error_codes.inc): well-formed, complete for the
// custody codes, and equal to docs/ERRORS.md.
#include "consensus/core/error_codes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "consensus/core/custody_codes.h"
#include "consensus/core/result.h"

namespace lotchain::core {
namespace {

std::string GrpcName(GrpcClass c) {
  switch (c) {
    case GrpcClass::kInvalidArgument: return "INVALID_ARGUMENT";
    case GrpcClass::kPermissionDenied: return "PERMISSION_DENIED";
    case GrpcClass::kNotFound: return "NOT_FOUND";
    case GrpcClass::kAlreadyExists: return "ALREADY_EXISTS";
    case GrpcClass::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case GrpcClass::kUnavailable: return "UNAVAILABLE";
    case GrpcClass::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case GrpcClass::kOutOfRange: return "OUT_OF_RANGE";
    case GrpcClass::kFailedPrecondition: return "FAILED_PRECONDITION";
    case GrpcClass::kDataLoss: return "DATA_LOSS";
    case GrpcClass::kCancelled: return "CANCELLED";
    case GrpcClass::kUnimplemented: return "UNIMPLEMENTED";
    case GrpcClass::kInternal: return "INTERNAL";
  }
  return "?";
}

TEST(ErrorCodes, NamesAreUniqueAndStable) {
  std::set<std::string_view> names;
  const std::regex shape("[A-Z][A-Z0-9_]{1,39}");
  for (const CodeInfo& info : AllCodes()) {
    EXPECT_TRUE(names.insert(info.name).second) << "defined twice: " << info.name;
    EXPECT_TRUE(std::regex_match(std::string(info.name), shape)) << info.name;
    EXPECT_FALSE(info.meaning.empty()) << info.name;
  }
  EXPECT_EQ(FindCode("NOT_CUSTODIAN")->grpc, GrpcClass::kPermissionDenied);
  EXPECT_EQ(FindCode("NO_SUCH_CODE"), nullptr);
  // Compile-time: Status("NO_SUCH_CODE", "") does not compile; a run-time code is unchecked.
  EXPECT_EQ(Status::FromCode("FROM_A_NODE", "x").code(), "FROM_A_NODE");
}

TEST(ErrorCodes, EveryCustodyCodeIsInTheTable) {
  for (const char* code :
       {codes::kMalformedTx, codes::kTxTooLarge, codes::kWrongChain, codes::kBadSignature,
        codes::kUnknownSigner, codes::kReplayedNonce, codes::kEmptyEvent, codes::kInvalidField,
        codes::kAmountOverflow, codes::kRoleForbidden, codes::kNotCustodian,
        codes::kNotFacilityOwner, codes::kNotOfferRecipient, codes::kAuditorNotIndependent,
        codes::kUnknownLot, codes::kUnknownFacility, codes::kUnknownOrg, codes::kUnknownFlag,
        codes::kDuplicateLotId, codes::kDuplicateFacilityId, codes::kDuplicateAuditId,
        codes::kDuplicateFlagId, codes::kStaleEvent, codes::kLotNotActive, codes::kNotInTransit,
        codes::kWrongFacilityKind, codes::kNotABattery, codes::kBatteryAlreadyRegistered,
        codes::kFlagAlreadyResolved, codes::kEnergyDecreases, codes::kNotBatteryProduct,
        codes::kNotRecoverable, codes::kWasteRestricted, codes::kInsufficientMass,
        codes::kElementMassIncreases, codes::kMassIncreases, codes::kCompositionExceedsMass}) {
    EXPECT_NE(FindCode(code), nullptr) << code;
  }
}

// docs/ERRORS.md has exactly one row per code, with the table's gRPC status, retryability and
// meaning. On a mismatch the expected row is printed: paste it.
TEST(ErrorCodes, DocsListEveryCode) {
  std::ifstream file(std::string(LOTCHAIN_SOURCE_DIR) + "/docs/ERRORS.md");
  ASSERT_TRUE(file.good()) << "docs/ERRORS.md is missing";
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  size_t rows = 0;
  for (size_t at = doc.find("\n| `"); at != std::string::npos; at = doc.find("\n| `", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, AllCodes().size()) << "docs/ERRORS.md has a row per code, no more";
  for (const CodeInfo& info : AllCodes()) {
    const std::string row = "| `" + std::string(info.name) + "` | " + GrpcName(info.grpc) +
                            " | " + (info.retryable ? "yes" : "no") + " | " +
                            std::string(info.meaning) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/ERRORS.md lacks the row\n" << row;
  }
}

}  // namespace
}  // namespace lotchain::core
