#include "consensus/core/queries.h"
#include "consensus/core/proto_parse.h"

#include <deque>
#include <map>
#include <set>

#include "consensus/core/ids.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core {

namespace {

template <typename Record>
std::optional<Record> LoadRecord(const StateReader& state, const std::string& key) {
  auto bytes = state.Get(key);
  if (!bytes.has_value()) return std::nullopt;
  Record record;
  ParseOwnOrDie(record, *bytes);
  return record;
}

uint64_t Ratio(uint64_t numerator, uint64_t scale, uint64_t denominator) {
  if (denominator == 0) return 0;
  __extension__ using Uint128 = unsigned __int128;
  Uint128 value = static_cast<Uint128>(numerator) * scale / denominator;
  return value > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(value);
}

bool IsAuditOk(v1::AuditStatus status) {
  return status == v1::AUDIT_STATUS_CONFORMANT || status == v1::AUDIT_STATUS_CROSS_RECOGNIZED;
}

}  // namespace

bool RefinerNotConformant(const v1::TraceNode& node) {
  return node.facility().kind() == v1::FACILITY_KIND_REFINERY &&
         !IsAuditOk(node.facility_audit_at_creation().status());
}

Result<v1::Lot> QueryLot(const StateReader& state, std::string_view lot_id) {
  if (!IsValidId(lot_id)) {
    return Status("INVALID_ARGUMENT", "lot id \"" + std::string(lot_id.substr(0, 80)) + "\" " +
                                          std::string(kIdRule));
  }
  auto lot = LoadRecord<v1::Lot>(state, keys::Lot(lot_id));
  if (!lot.has_value()) {
    return Status("NOT_FOUND", "no lot \"" + std::string(lot_id) + "\" on this chain");
  }
  return *lot;
}

Result<v1::LotHistory> QueryLotHistory(const StateReader& state, std::string_view lot_id) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, QueryLot(state, lot_id));
  v1::LotHistory history;
  for (const auto& [key, value] : state.Scan(keys::LotEventPrefix(lot_id), kHistoryEventsMax)) {
    ParseOwnOrDie(*history.add_events(), value);
  }
  LOTCHAIN_ASSERT(static_cast<uint64_t>(history.events_size()) ==
                  std::min<uint64_t>(lot.event_count(), kHistoryEventsMax));
  return history;
}

std::optional<v1::Facility> QueryFacility(const StateReader& state, std::string_view facility_id) {
  if (!IsValidId(facility_id)) return std::nullopt;
  return LoadRecord<v1::Facility>(state, keys::Facility(facility_id));
}

std::vector<v1::RiskFlag> QueryOpenFlags(const StateReader& state, char target_kind,
                                         std::string_view target_id) {
  std::vector<v1::RiskFlag> flags;
  for (const auto& [key, value] : state.Scan(keys::OpenFlagPrefix(target_kind, target_id), 1000)) {
    v1::RiskFlag flag;
    ParseOwnOrDie(flag, value);
    flags.push_back(std::move(flag));
  }
  return flags;
}

v1::AuditStatus EffectiveAuditStatus(const v1::AuditRef& audit, int64_t time_unix_ms) {
  if (audit.audit_id().empty()) return v1::AUDIT_STATUS_UNSPECIFIED;
  if (time_unix_ms < audit.audit_date_unix_ms() || time_unix_ms > audit.valid_until_unix_ms()) {
    return v1::AUDIT_STATUS_UNSPECIFIED;
  }
  return audit.status();
}

namespace {

v1::TraceNode MakeNode(const StateReader& state, const v1::Lot& lot) {
  v1::TraceNode node;
  *node.mutable_lot() = lot;
  auto history = QueryLotHistory(state, lot.lot_id());
  LOTCHAIN_ASSERT(history.ok());
  *node.mutable_events() = history->events();
  if (auto facility = QueryFacility(state, lot.facility_id())) {
    *node.mutable_facility() = *facility;
  }
  if (node.events_size() > 0) {
    const v1::LotEvent& created = node.events(0);
    v1::AuditRef audit = created.facility_audit();
    audit.set_status(EffectiveAuditStatus(audit, created.time_unix_ms()));
    *node.mutable_facility_audit_at_creation() = audit;
  }
  for (auto& flag : QueryOpenFlags(state, 'L', lot.lot_id())) *node.add_open_flags() = flag;
  for (auto& flag : QueryOpenFlags(state, 'F', lot.facility_id())) *node.add_open_flags() = flag;
  return node;
}

// Next lots to visit from `lot` and the edges to them.
std::vector<v1::TraceEdge> Neighbours(const StateReader& state, const v1::Lot& lot,
                                      v1::TraceDirection direction) {
  std::vector<v1::TraceEdge> edges;
  if (direction == v1::TRACE_DIRECTION_UPSTREAM) {
    for (const auto& parent : lot.parents()) {
      v1::TraceEdge edge;
      edge.set_from_lot_id(parent.lot_id());
      edge.set_to_lot_id(lot.lot_id());
      edge.set_mass_grams(parent.mass_grams());
      edges.push_back(std::move(edge));
    }
  } else {
    for (const auto& [key, value] : state.Scan(keys::ChildPrefix(lot.lot_id()), kTraceNodesMax)) {
      v1::ChildEdge child;
      ParseOwnOrDie(child, value);
      v1::TraceEdge edge;
      edge.set_from_lot_id(lot.lot_id());
      edge.set_to_lot_id(child.child_lot_id());
      edge.set_mass_grams(child.mass_grams());
      edges.push_back(std::move(edge));
    }
  }
  return edges;
}

}  // namespace

Result<v1::Trace> QueryTrace(const StateReader& state, std::string_view lot_id,
                             v1::TraceDirection direction, uint32_t max_nodes) {
  if (max_nodes == 0) max_nodes = kTraceNodesDefault;
  if (max_nodes > kTraceNodesMax) max_nodes = kTraceNodesMax;
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot root, QueryLot(state, lot_id));
  v1::Trace trace;
  trace.set_root_lot_id(root.lot_id());
  trace.set_direction(direction);
  std::set<std::string> visited = {root.lot_id()};
  std::deque<v1::Lot> queue = {root};
  while (!queue.empty()) {
    v1::Lot lot = std::move(queue.front());
    queue.pop_front();
    *trace.add_nodes() = MakeNode(state, lot);
    for (auto& edge : Neighbours(state, lot, direction)) {
      const std::string& next_id =
          direction == v1::TRACE_DIRECTION_UPSTREAM ? edge.from_lot_id() : edge.to_lot_id();
      *trace.add_edges() = edge;
      if (visited.count(next_id) != 0) continue;
      if (visited.size() >= max_nodes) {
        trace.set_truncated(true);
        continue;
      }
      auto next = LoadRecord<v1::Lot>(state, keys::Lot(next_id));
      LOTCHAIN_ASSERT(next.has_value());  // edges only name lots that exist
      visited.insert(next_id);
      queue.push_back(std::move(*next));
    }
  }
  if (direction == v1::TRACE_DIRECTION_UPSTREAM) *trace.mutable_roll_up() = ComputeRollUp(state, trace);
  return trace;
}

v1::RollUp ComputeRollUp(const StateReader& state, const v1::Trace& trace) {
  v1::RollUp roll;
  LOTCHAIN_ASSERT(trace.nodes_size() > 0);
  const v1::Lot& root = trace.nodes(0).lot();
  roll.set_mass_grams(root.mass_grams());
  roll.set_footprint_co2e_grams(root.footprint_co2e_grams());
  roll.set_co2e_mg_per_kg(Ratio(root.footprint_co2e_grams(), 1'000'000, root.mass_grams()));
  if (root.has_battery()) {
    roll.set_co2e_mg_per_kwh(
        Ratio(root.footprint_co2e_grams(), 1'000'000, root.battery().rated_capacity_wh()));
    roll.set_co2e_mg_per_lifetime_kwh(
        Ratio(root.footprint_co2e_grams(), 1'000'000, root.battery().expected_lifetime_wh()));
  }
  roll.set_primary_share_ppm(
      Ratio(root.footprint_primary_co2e_grams(), 1'000'000, root.footprint_co2e_grams()));
  for (const auto& entry : root.composition()) {
    v1::ElementShare* share = roll.add_recycled();
    share->set_element(entry.element());
    share->set_grams(entry.grams());
    uint64_t recycled = entry.recycled_pre_consumer_grams() + entry.recycled_post_consumer_grams();
    share->set_recycled_grams(recycled);
    share->set_recycled_ppm(Ratio(recycled, 1'000'000, entry.grams()));
  }
  std::set<std::string> countries;
  std::set<std::string> refineries_not_ok;
  std::set<std::string> open_flags;
  for (const auto& node : trace.nodes()) {
    if (node.lot().parents_size() == 0 && !node.lot().origin_country().empty()) {
      countries.insert(node.lot().origin_country());
    }
    if (RefinerNotConformant(node)) refineries_not_ok.insert(node.facility().facility_id());
    for (const auto& flag : node.open_flags()) open_flags.insert(flag.raised().flag_id());
  }
  for (const auto& country : countries) roll.add_origin_countries(country);
  roll.set_facilities_not_conformant(static_cast<uint32_t>(refineries_not_ok.size()));
  roll.set_open_flags(static_cast<uint32_t>(open_flags.size()));
  (void)state;
  return roll;
}

}  // namespace lotchain::core
