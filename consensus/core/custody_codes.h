// Stable rejection codes of the custody rules. Clients match on these strings; never rename one.
// docs/CUSTODY.md explains each and what to do about it.
#pragma once

namespace lotchain::core::codes {

// Envelope and authentication.
inline constexpr const char* kMalformedTx = "MALFORMED_TX";
inline constexpr const char* kTxTooLarge = "TX_TOO_LARGE";
inline constexpr const char* kWrongChain = "WRONG_CHAIN";
inline constexpr const char* kBadSignature = "BAD_SIGNATURE";
inline constexpr const char* kUnknownSigner = "UNKNOWN_SIGNER";
inline constexpr const char* kReplayedNonce = "REPLAYED_NONCE";
inline constexpr const char* kEmptyEvent = "EMPTY_EVENT";
inline constexpr const char* kInvalidField = "INVALID_FIELD";
inline constexpr const char* kAmountOverflow = "AMOUNT_OVERFLOW";

// Authorization.
inline constexpr const char* kRoleForbidden = "ROLE_FORBIDDEN";
inline constexpr const char* kNotCustodian = "NOT_CUSTODIAN";
inline constexpr const char* kNotFacilityOwner = "NOT_FACILITY_OWNER";
inline constexpr const char* kNotOfferRecipient = "NOT_OFFER_RECIPIENT";
inline constexpr const char* kAuditorNotIndependent = "AUDITOR_NOT_INDEPENDENT";

// Existence and uniqueness.
inline constexpr const char* kUnknownLot = "UNKNOWN_LOT";
inline constexpr const char* kUnknownFacility = "UNKNOWN_FACILITY";
inline constexpr const char* kUnknownOrg = "UNKNOWN_ORG";
inline constexpr const char* kUnknownFlag = "UNKNOWN_FLAG";
inline constexpr const char* kDuplicateLotId = "DUPLICATE_LOT_ID";
inline constexpr const char* kDuplicateFacilityId = "DUPLICATE_FACILITY_ID";
inline constexpr const char* kDuplicateAuditId = "DUPLICATE_AUDIT_ID";
inline constexpr const char* kDuplicateFlagId = "DUPLICATE_FLAG_ID";

// Lot lifecycle.
inline constexpr const char* kStaleEvent = "STALE_EVENT";
inline constexpr const char* kLotNotActive = "LOT_NOT_ACTIVE";
inline constexpr const char* kNotInTransit = "NOT_IN_TRANSIT";
inline constexpr const char* kWrongFacilityKind = "WRONG_FACILITY_KIND";
inline constexpr const char* kNotABattery = "NOT_A_BATTERY";
inline constexpr const char* kBatteryAlreadyRegistered = "BATTERY_ALREADY_REGISTERED";
inline constexpr const char* kFlagAlreadyResolved = "FLAG_ALREADY_RESOLVED";
inline constexpr const char* kEnergyDecreases = "ENERGY_DECREASES";
inline constexpr const char* kNotBatteryProduct = "NOT_BATTERY_PRODUCT";
inline constexpr const char* kNotRecoverable = "NOT_RECOVERABLE";
inline constexpr const char* kWasteRestricted = "WASTE_RESTRICTED";

// Mass balance.
inline constexpr const char* kInsufficientMass = "INSUFFICIENT_MASS";
inline constexpr const char* kElementMassIncreases = "ELEMENT_MASS_INCREASES";
inline constexpr const char* kMassIncreases = "MASS_INCREASES";
inline constexpr const char* kCompositionExceedsMass = "COMPOSITION_EXCEEDS_MASS";

// Governance.
inline constexpr const char* kKeyRevoked = "KEY_REVOKED";
inline constexpr const char* kMemberSuspended = "MEMBER_SUSPENDED";
inline constexpr const char* kMemberNotActive = "MEMBER_NOT_ACTIVE";
inline constexpr const char* kKeyInUse = "KEY_IN_USE";
inline constexpr const char* kDuplicateOrgId = "DUPLICATE_ORG_ID";
inline constexpr const char* kUnknownProposal = "UNKNOWN_PROPOSAL";
inline constexpr const char* kDuplicateProposalId = "DUPLICATE_PROPOSAL_ID";
inline constexpr const char* kProposalDecided = "PROPOSAL_DECIDED";
inline constexpr const char* kProposalExpired = "PROPOSAL_EXPIRED";
inline constexpr const char* kAlreadyVoted = "ALREADY_VOTED";
inline constexpr const char* kUnknownValidator = "UNKNOWN_VALIDATOR";
inline constexpr const char* kDuplicateValidator = "DUPLICATE_VALIDATOR";
inline constexpr const char* kChangeNotApplicable = "CHANGE_NOT_APPLICABLE";

}  // namespace lotchain::core::codes
