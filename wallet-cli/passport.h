// The battery passport of a pack lot, from its upstream trace (roll-up) and the genesis policy:
// carbon footprint per kWh, recycled content per element against the policy's recycled-content
// targets, a due-diligence summary (non-conformant or unaudited refiners upstream, open risk
// flags) and the countries of origin. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::wallet {

struct TargetCheck {
  v1::Element element = v1::ELEMENT_UNSPECIFIED;
  int64_t from_unix_ms = 0;
  uint64_t min_ppm = 0;
  std::string label;
  uint64_t actual_ppm = 0;
  bool element_present = false;
  bool in_force = false;  // from_unix_ms <= the evaluation time
  bool met = false;
};

struct UpstreamFacility {
  std::string facility_id, owner_org, country;
  v1::AuditStatus status_at_processing = v1::AUDIT_STATUS_UNSPECIFIED;
};

struct OpenFlag {
  std::string flag_id, target, category, severity, raised_by;
};

struct Passport {
  v1::Lot lot;
  v1::RollUp roll_up;
  std::vector<TargetCheck> targets;          // empty without a genesis
  bool policy_known = false;
  std::vector<UpstreamFacility> refiners_not_conformant;  // not Conformant/Cross-recognized
  std::vector<OpenFlag> open_flags;
  bool trace_truncated = false;
  std::string truncation_banner;  // TruncationBanner of the trace: "" when whole
};

// `genesis` may be null (targets are then not evaluated). `now_unix_ms` decides which targets
// are already in force.
Passport BuildPassport(const v1::Trace& upstream_trace, const core::Genesis* genesis,
                       int64_t now_unix_ms);

std::string RenderPassportText(const Passport& passport);
std::string RenderPassportJson(const Passport& passport);

}  // namespace lotchain::wallet
