// Renderings of a lotchain.v1.Trace (the custody DAG from one lot up to the mines, or down to
// the products): an indented tree, Graphviz dot, or JSON.
//
// Each lot shows its organisation (the facility's owner), facility (kind, country), the audit
// status that held when the lot was made there, the mass on the edge to its child, the CO2e
// it added (extraction, process share or transport) and its accumulated footprint, and its
// recycled share. A lot reached twice in a DAG is printed once and referenced after that, so the
// output stays linear in the trace's size. Iterative (no recursion); pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "lotchain/v1/api.pb.h"

namespace lotchain::wallet {

struct TraceFigures {
  uint64_t added_co2e_grams = 0;        // by this lot's own steps (see AddedCo2e)
  uint64_t accumulated_co2e_grams = 0;  // footprint at creation plus transport since
  uint64_t element_grams = 0;           // tracked element mass at present
  uint64_t recycled_grams = 0;          // of which recycled (pre + post consumer)
};

// Figures of one trace node. "Added" is exact for origin lots (extraction) and transport; for a
// produced lot it is the footprint at creation minus what the consumed parents carried into it
// (each parent's footprint given up, pro rata by edge mass within the trace), which is the
// process-emission share up to integer rounding.
TraceFigures FiguresOf(const v1::Trace& trace, int node_index);

std::string RenderTraceTree(const v1::Trace& trace);
std::string RenderTraceDot(const v1::Trace& trace);
std::string RenderTraceJson(const v1::Trace& trace);

}  // namespace lotchain::wallet
