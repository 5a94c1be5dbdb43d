#include "consensus/core/passport.h"

#include <map>
#include <set>

#include "consensus/core/assert.h"
#include "consensus/core/queries.h"

namespace lotchain::core {

namespace {

std::vector<TargetCheck> CheckTargets(const v1::RollUp& roll, const Genesis& genesis,
                                      int64_t now_unix_ms) {
  std::map<int, const v1::ElementShare*> shares;
  for (const auto& share : roll.recycled()) shares[share.element()] = &share;
  std::vector<TargetCheck> checks;
  for (const auto& target : genesis.policy.recycled_content_targets) {
    TargetCheck check;
    check.element = target.element;
    check.from_unix_ms = target.from_unix_ms;
    check.min_ppm = target.min_ppm;
    check.label = target.label;
    auto it = shares.find(target.element);
    check.element_present = it != shares.end() && it->second->grams() > 0;
    check.actual_ppm = check.element_present ? it->second->recycled_ppm() : 0;
    check.in_force = target.from_unix_ms <= now_unix_ms;
    check.met = check.actual_ppm >= check.min_ppm;
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace

Passport BuildPassport(const v1::Trace& trace, const Genesis* genesis, int64_t now_unix_ms) {
  LOTCHAIN_ASSERT(trace.nodes_size() > 0);
  LOTCHAIN_ASSERT(trace.direction() == v1::TRACE_DIRECTION_UPSTREAM);
  Passport p;
  p.lot = trace.nodes(0).lot();
  p.roll_up = trace.roll_up();
  p.trace_truncated = trace.truncated();
  p.trace_lots = static_cast<size_t>(trace.nodes_size());
  p.as_of_height = trace.as_of_height();
  p.as_of_time_unix_ms = trace.as_of_time_unix_ms();
  if (genesis != nullptr) {
    p.policy_known = true;
    p.targets = CheckTargets(p.roll_up, *genesis, now_unix_ms);
  }
  std::set<std::string> seen_facilities;
  std::set<std::string> seen_flags;
  for (const auto& node : trace.nodes()) {
    const v1::Facility& facility = node.facility();
    if (RefinerNotConformant(node) && seen_facilities.insert(facility.facility_id()).second) {
      p.refiners_not_conformant.push_back({facility.facility_id(), facility.owner_org(),
                                           facility.country(),
                                           node.facility_audit_at_creation().status()});
    }
    for (const auto& flag : node.open_flags()) {
      if (!seen_flags.insert(flag.raised().flag_id()).second) continue;
      const auto& raised = flag.raised();
      std::string target = raised.has_lot_id() ? "lot " + raised.lot_id()
                                               : "facility " + raised.facility_id();
      p.open_flags.push_back({raised.flag_id(), std::move(target), raised.category(),
                              raised.severity(), flag.raised_by_org()});
    }
  }
  return p;
}

}  // namespace lotchain::core
