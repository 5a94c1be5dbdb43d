// The figures of one lot in a custody trace, and the trace as JSON with them: one computation
// for the CLI (`lotchain trace --format json`), the node's HTTP API (/api/v1/lots/ID/trace) and
// the explorer, so every view of a lot shows the same numbers. Pure; thread-safe.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "lotchain/v1/api.pb.h"

namespace lotchain::core {

struct TraceFigures {
  uint64_t added_co2e_grams = 0;        // by this lot's own step and transports
  uint64_t accumulated_co2e_grams = 0;  // footprint at creation plus transport since
  uint64_t element_grams = 0;           // tracked element mass at present
  uint64_t recycled_grams = 0;          // of which recycled (pre + post consumer)
};

// Figures of one trace node, from its own lot and events only, so every view (upstream,
// downstream, truncated) agrees. "Added" is the CO2e of the lot's own step (the creating event's
// step_co2e_grams: extraction, or this output's share of the process and reagent emissions; a
// recovery's whole footprint) plus the transports it was accepted with (transport emissions
// join a lot's footprint when the transfer is accepted, docs/CUSTODY.md).
TraceFigures TraceNodeFigures(const v1::TraceNode& node);

// ProtoToJson(trace) with each node's figures added as nodes[i].figures.
nlohmann::json TraceToJson(const v1::Trace& trace);

}  // namespace lotchain::core
