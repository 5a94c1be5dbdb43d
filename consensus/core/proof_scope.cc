#include "consensus/core/proof_scope.h"

#include <optional>

#include "consensus/core/queries.h"
#include "consensus/core/state_keys.h"
#include "lotchain/v1/governance.pb.h"
#include "lotchain/v1/state.pb.h"

namespace lotchain::core {

namespace {

Status TooLarge(std::string_view lot_id, const std::string& what) {
  return Status("PROOF_TOO_LARGE", "the proof of lot \"" + std::string(lot_id) +
                                       "\" would exceed " + what +
                                       "; the server never sends a truncated proof");
}

std::optional<v1::Lot> ReadLot(const StateReader& state, std::string_view lot_id) {
  std::optional<std::string> bytes = state.Get(keys::Lot(lot_id));
  v1::Lot lot;
  if (!bytes.has_value() || !lot.ParseFromString(*bytes)) return std::nullopt;
  return lot;
}

// Parents of the lot and of its children (the co-inputs of what consumed it).
Result<std::vector<std::string>> Neighbours(const StateReader& state, const v1::Lot& lot,
                                            std::string_view root_id, size_t children_max) {
  std::vector<std::string> next;
  for (const v1::ParentEdge& parent : lot.parents()) next.push_back(parent.lot_id());
  const size_t scan_max = children_max == SIZE_MAX ? SIZE_MAX : children_max + 1;
  auto children = state.Scan(keys::ChildPrefix(lot.lot_id()), scan_max);
  if (children.size() > children_max) {
    return TooLarge(root_id,
                    std::to_string(children_max) + " children of lot " + lot.lot_id());
  }
  for (const auto& [key, value] : children) {
    v1::ChildEdge edge;
    if (!edge.ParseFromString(value)) continue;
    std::optional<v1::Lot> child = ReadLot(state, edge.child_lot_id());
    if (!child.has_value()) continue;  // a replay that lacks the child: its parent mismatches
    for (const v1::ParentEdge& parent : child->parents()) next.push_back(parent.lot_id());
  }
  return next;
}

}  // namespace

std::vector<std::string> ProofScope::AnchorKeys() const {
  std::set<std::string> out;
  for (const std::string& id : lots) out.insert(keys::Lot(id));
  for (const std::string& id : missing_lots) out.insert(keys::Lot(id));
  for (const std::string& id : facilities) out.insert(keys::Facility(id));
  for (const std::string& id : open_flags) out.insert(keys::RiskFlag(id));
  out.insert(keys::GovernanceHead());
  return {out.begin(), out.end()};
}

namespace {

// The transactions of the governance log, each once (an approval that adopts appends two
// events), in log order. Read from the head's count, so a log cut short is an error, not a
// smaller scope.
Status AddGovernance(const StateReader& state, std::string_view lot_id, ProofScope& scope) {
  auto head_bytes = state.Get(keys::GovernanceHead());
  if (!head_bytes.has_value()) return Status::Ok();
  v1::GovernanceHead head;
  if (!head.ParseFromString(*head_bytes)) {
    return Status("STORE_CORRUPT", "the governance head does not parse");
  }
  if (head.event_count() > kGovernanceEventsMax) {
    return TooLarge(lot_id, std::to_string(kGovernanceEventsMax) + " governance events");
  }
  std::set<std::string> seen;
  for (uint64_t seq = 0; seq < head.event_count(); ++seq) {
    auto bytes = state.Get(keys::GovernanceEvent(seq));
    v1::GovernanceEvent event;
    if (!bytes.has_value() || !event.ParseFromString(*bytes)) {
      return Status("STORE_CORRUPT", "governance event " + std::to_string(seq) + " is missing");
    }
    if (seen.insert(event.tx_hash()).second) {
      scope.governance.push_back({event.height(), event.tx_index(), event.tx_hash(), ""});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ProofScope> ComputeProofScope(const StateReader& state, std::string_view lot_id,
                                     const ProofScopeLimits& limits) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot root, QueryLot(state, lot_id));
  ProofScope scope;
  std::set<std::string> seen = {root.lot_id()};
  std::vector<v1::Lot> lots = {std::move(root)};
  for (size_t i = 0; i < lots.size(); ++i) {
    LOTCHAIN_ASSIGN_OR_RETURN(std::vector<std::string> next,
                              Neighbours(state, lots[i], lot_id, limits.children_max));
    for (const std::string& id : next) {
      if (!seen.insert(id).second) continue;
      if (seen.size() > limits.lots_max) {
        return TooLarge(lot_id, std::to_string(limits.lots_max) + " lots (ancestors and co-inputs)");
      }
      std::optional<v1::Lot> lot = ReadLot(state, id);
      if (!lot.has_value()) {
        scope.missing_lots.insert(id);
        continue;
      }
      lots.push_back(std::move(*lot));
    }
  }
  for (const v1::Lot& lot : lots) {
    scope.lots.push_back(lot.lot_id());
    LOTCHAIN_ASSIGN_OR_RETURN(v1::LotHistory history, QueryLotHistory(state, lot.lot_id()));
    if (static_cast<uint64_t>(history.events_size()) != lot.event_count()) {
      return TooLarge(lot_id, std::to_string(kHistoryEventsMax) + " events of lot " + lot.lot_id());
    }
    for (const v1::LotEvent& event : history.events()) {
      scope.events.push_back({event.height(), event.tx_index(), event.tx_hash(), lot.lot_id()});
      if (!event.facility_id().empty()) scope.facilities.insert(event.facility_id());
    }
    if (!lot.facility_id().empty()) scope.facilities.insert(lot.facility_id());
    for (const v1::RiskFlag& flag : QueryOpenFlags(state, 'L', lot.lot_id())) {
      scope.open_flags.insert(flag.raised().flag_id());
    }
  }
  for (const std::string& facility_id : scope.facilities) {
    for (const v1::RiskFlag& flag : QueryOpenFlags(state, 'F', facility_id)) {
      scope.open_flags.insert(flag.raised().flag_id());
    }
  }
  LOTCHAIN_RETURN_IF_ERROR(AddGovernance(state, lot_id, scope));
  return scope;
}

}  // namespace lotchain::core
