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

#include "consensus/core/result.h"
#include "consensus/core/trace_figures.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::wallet {

// The figures of one lot (consensus/core/trace_figures.h), by its index in the trace.
using core::TraceFigures;
TraceFigures FiguresOf(const v1::Trace& trace, int node_index);

// A truncated trace holds only part of the graph: the root lot's own figures (mass, footprint,
// recycled shares, primary share) are still whole, but what is gathered from the graph (origin
// countries, refiners without a conformant audit, open flags) is then only a lower bound.
// TruncationBanner is "" for a whole trace, else the line every view prints first.
std::string TruncationBanner(const v1::Trace& trace);
// The same from the count of lots shown and the direction (always a banner: the caller knows
// the view was cut).
std::string TruncationBanner(size_t lots_shown, v1::TraceDirection direction);
// "3", or "at least 3 (…)" when truncated.
std::string GraphCount(uint64_t n, bool truncated);
// "CD, RW", "(none recorded)", or with truncation "at least CD, RW" / "(none among the lots shown)".
std::string GraphCountries(const v1::RollUp& roll, bool truncated);

// "audit: conformant" / "audit: none valid" / "" (no facility): the facility's audit status
// when the lot was made there.
std::string AuditText(const v1::TraceNode& node);
// "recycled 12.5 %", "recycled 100 % (recovered)", "recycled 0 % (primary)" or "".
std::string RecycledText(const v1::TraceNode& node, const TraceFigures& f);

std::string RenderTraceTree(const v1::Trace& trace);
std::string RenderTraceJson(const v1::Trace& trace);

// The Graphviz picture (trace_dot.cc): a title naming the chain, height and time, a legend,
// refiners without a Conformant audit filled orange, lots or facilities with open risk flags
// outlined red, recovered lots green; optionally one box per organisation. A trace of more than
// `max_lots` lots is refused (GRAPH_TOO_LARGE): dot takes minutes on tens of thousands.
inline constexpr size_t kDotLotsDefault = 2000;
struct DotOptions {
  std::string chain_id;
  uint64_t height = 0;
  int64_t time_unix_ms = 0;
  bool group_by_org = false;
  size_t max_lots = kDotLotsDefault;
};
core::Result<std::string> RenderTraceDot(const v1::Trace& trace, const DotOptions& options);

}  // namespace lotchain::wallet
