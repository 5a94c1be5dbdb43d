// The battery passport of a lot, computed from its upstream trace (roll-up) and the genesis
// policy: recycled content per element against the policy's targets, the refiners upstream
// without a Conformant audit when they processed the material, the open risk flags, and
// whether the view is complete. Pure and deterministic, so the CLI, the node's HTTP API, the
// exports and the explorer all show one computation; rendering (text, JSON, formats) is theirs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::core {

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
  std::string flag_id;
  std::string target;  // "lot ID" or "facility ID"
  v1::RiskCategory category = v1::RISK_CATEGORY_UNSPECIFIED;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  std::string raised_by;
};

struct Passport {
  v1::Lot lot;
  v1::RollUp roll_up;
  std::vector<TargetCheck> targets;  // empty without a genesis
  bool policy_known = false;
  std::vector<UpstreamFacility> refiners_not_conformant;  // not Conformant/Cross-recognized
  std::vector<OpenFlag> open_flags;
  bool trace_truncated = false;  // the graph figures above are lower bounds
  size_t trace_lots = 0;         // lots in the trace it was computed from
  uint64_t as_of_height = 0;     // the committed block the trace was read at (Trace.as_of_*)
  int64_t as_of_time_unix_ms = 0;
};

// `genesis` may be null (targets are then not evaluated). `now_unix_ms` decides which targets
// are in force. The trace must be upstream and hold at least its root.
Passport BuildPassport(const v1::Trace& upstream_trace, const Genesis* genesis,
                       int64_t now_unix_ms);

}  // namespace lotchain::core
