// The state keyspace. Every state key is built here, so the layout is in one place
// (docs/FORMAT.md lists it). Ids never contain 0x00 (ids.h), so 0x00 separates components.
// Keys starting with "e/" are per-lot history; the node stores them in the lot_events column
// family, everything else in `state`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lotchain::core::keys {

inline std::string Join(std::string_view prefix, std::string_view id) {
  std::string key(prefix);
  key.append(id);
  return key;
}

inline std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xffu);
    v >>= 8;
  }
  return out;
}

inline std::string Member(std::string_view org_id) { return Join("m/", org_id); }
inline std::string SignerOrg(std::string_view public_key) { return Join("k/", public_key); }
inline std::string SignerNonce(std::string_view public_key) { return Join("n/", public_key); }
inline std::string Facility(std::string_view facility_id) { return Join("f/", facility_id); }
inline std::string Audit(std::string_view audit_id) { return Join("a/", audit_id); }
inline std::string Lot(std::string_view lot_id) { return Join("l/", lot_id); }
inline std::string RiskFlag(std::string_view flag_id) { return Join("r/", flag_id); }
inline std::string Totals() { return "g/totals"; }

// Governance (governance.proto): proposals, validator sets by first height, the hash-linked
// governance log, its head, and keys that may no longer sign.
inline std::string Proposal(std::string_view proposal_id) { return Join("p/", proposal_id); }
inline std::string ValidatorSetFrom(uint64_t active_from) { return "V/" + BigEndian64(active_from); }
inline std::string GovernanceEvent(uint64_t seq) { return "h/" + BigEndian64(seq); }
inline std::string GovernanceHead() { return "G/gov"; }
inline std::string RevokedKey(std::string_view public_key) { return Join("x/", public_key); }

// Per-lot history: "e/" lot 0x00 seq(u64be).
inline std::string LotEventPrefix(std::string_view lot_id) {
  std::string key = Join("e/", lot_id);
  key.push_back('\0');
  return key;
}
inline std::string LotEvent(std::string_view lot_id, uint64_t seq) {
  return LotEventPrefix(lot_id) + BigEndian64(seq);
}

// Downstream edges: "c/" parent 0x00 child.
inline std::string ChildPrefix(std::string_view parent_lot_id) {
  std::string key = Join("c/", parent_lot_id);
  key.push_back('\0');
  return key;
}
inline std::string Child(std::string_view parent_lot_id, std::string_view child_lot_id) {
  return ChildPrefix(parent_lot_id) + std::string(child_lot_id);
}

// Open risk flags by target: "o/" ('L' lot | 'F' facility) target 0x00 flag.
inline std::string OpenFlagPrefix(char target_kind, std::string_view target_id) {
  std::string key = "o/";
  key.push_back(target_kind);
  key.append(target_id);
  key.push_back('\0');
  return key;
}
inline std::string OpenFlag(char target_kind, std::string_view target_id,
                            std::string_view flag_id) {
  return OpenFlagPrefix(target_kind, target_id) + std::string(flag_id);
}

// Audits by facility: "A/" facility 0x00 audit_date(u64be of ms + 2^63) audit_id.
inline std::string FacilityAuditPrefix(std::string_view facility_id) {
  std::string key = Join("A/", facility_id);
  key.push_back('\0');
  return key;
}
inline std::string FacilityAudit(std::string_view facility_id, int64_t audit_date_unix_ms,
                                 std::string_view audit_id) {
  uint64_t biased = static_cast<uint64_t>(audit_date_unix_ms) ^ (uint64_t{1} << 63);
  return FacilityAuditPrefix(facility_id) + BigEndian64(biased) + std::string(audit_id);
}

}  // namespace lotchain::core::keys
