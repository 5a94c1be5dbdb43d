// Read-only queries over a state: a lot, its history, the custody DAG (upstream to the mines or
// downstream to the products) and the roll-ups an auditor or regulator asks for (CO2e per kg
// and per kWh, recycled share per element, audit status of each upstream refiner at the time it
// processed the material, open risk flags, countries of origin).
// Pure functions of the StateReader; bounded by `max_nodes`; iterative (no recursion).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::core {

inline constexpr uint32_t kTraceNodesDefault = 20'000;
inline constexpr uint32_t kTraceNodesMax = 200'000;
inline constexpr size_t kHistoryEventsMax = 100'000;

Result<v1::Lot> QueryLot(const StateReader& state, std::string_view lot_id);
Result<v1::LotHistory> QueryLotHistory(const StateReader& state, std::string_view lot_id);
std::optional<v1::Facility> QueryFacility(const StateReader& state, std::string_view facility_id);
// Open risk flags on a lot ('L') or facility ('F').
std::vector<v1::RiskFlag> QueryOpenFlags(const StateReader& state, char target_kind,
                                         std::string_view target_id);

// The audit status that held at `time_unix_ms` given the facility's recorded audit: the
// recorded status inside [audit_date, valid_until], otherwise UNSPECIFIED ("no valid audit").
v1::AuditStatus EffectiveAuditStatus(const v1::AuditRef& audit, int64_t time_unix_ms);

// Breadth-first trace from `lot_id`; nodes[0] is the root. Upstream follows parent edges to the
// origin lots; downstream follows child edges. `max_nodes` 0 means kTraceNodesDefault.
Result<v1::Trace> QueryTrace(const StateReader& state, std::string_view lot_id,
                             v1::TraceDirection direction, uint32_t max_nodes);

// Roll-up for the root of an upstream trace (Trace.roll_up is filled by QueryTrace).
// Whether a trace node was made at a refinery that held no Conformant (or cross-recognized)
// audit at the time: what the roll-up counts, the passport lists and the trace picture marks.
bool RefinerNotConformant(const v1::TraceNode& node);

v1::RollUp ComputeRollUp(const StateReader& state, const v1::Trace& upstream_trace);

}  // namespace lotchain::core
