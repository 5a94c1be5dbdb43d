#include "wallet-cli/trace_view.h"

#include <map>
#include <set>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "consensus/core/trace_figures.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

__extension__ typedef unsigned __int128 Uint128;

uint64_t MulDiv(uint64_t a, uint64_t b, uint64_t c) {
  if (c == 0) return 0;
  Uint128 v = static_cast<Uint128>(a) * b / c;
  return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

std::map<std::string, int> IndexById(const v1::Trace& trace) {
  std::map<std::string, int> index;
  for (int i = 0; i < trace.nodes_size(); ++i) index[trace.nodes(i).lot().lot_id()] = i;
  return index;
}

}  // namespace

std::string AuditText(const v1::TraceNode& node) {
  if (node.facility().kind() == v1::FACILITY_KIND_UNSPECIFIED) return "";
  v1::AuditStatus status = node.facility_audit_at_creation().status();
  if (status == v1::AUDIT_STATUS_UNSPECIFIED) return "audit: none valid";
  return "audit: " + EnumLabel(v1::AuditStatus_Name(status), "AUDIT_STATUS_");
}

std::string RecycledText(const v1::TraceNode& node, const TraceFigures& f) {
  if (f.element_grams > 0) {
    return "recycled " + FormatPpm(MulDiv(f.recycled_grams, 1'000'000, f.element_grams));
  }
  if (node.events_size() > 0 && node.events(0).kind() == v1::EVENT_KIND_RECOVERED) {
    return "recycled 100 % (recovered)";
  }
  if (node.lot().parents_size() == 0) return "recycled 0 % (primary)";
  return "";
}

namespace {

std::string NodeLine(const v1::Trace& trace, int node_index) {
  const v1::TraceNode& node = trace.nodes(node_index);
  const v1::Lot& lot = node.lot();
  TraceFigures f = core::TraceNodeFigures(node);
  std::string line = lot.lot_id() + "  " + lot.material();
  std::string org = node.facility().owner_org();
  if (org.empty() && node.events_size() > 0) org = node.events(0).actor_org();
  line += "  [" + org;
  if (!node.facility().facility_id().empty()) {
    line += " @ " + node.facility().facility_id() + ", " +
            EnumLabel(v1::FacilityKind_Name(node.facility().kind()), "FACILITY_KIND_") + ", " +
            node.facility().country();
  }
  line += "]";
  std::string audit = AuditText(node);
  if (!audit.empty()) line += "  " + audit;
  line += "  CO2e +" + FormatMass(f.added_co2e_grams) + " / " +
          FormatMass(f.accumulated_co2e_grams) + " total";
  std::string recycled = RecycledText(node, f);
  if (!recycled.empty()) line += "  " + recycled;
  if (lot.parents_size() == 0 && !lot.origin_country().empty()) {
    line += "  origin " + lot.origin_country();
  }
  if (lot.waste()) line += "  waste (declared by its producer: no footprint share)";
  if (lot.end_of_life()) line += "  end of life (collected by a collector)";
  if (node.open_flags_size() > 0) {
    line += "  OPEN FLAGS: " + std::to_string(node.open_flags_size());
  }
  return line;
}

}  // namespace

TraceFigures FiguresOf(const v1::Trace& trace, int node_index) {
  LOTCHAIN_ASSERT(node_index >= 0);
  LOTCHAIN_ASSERT(node_index < trace.nodes_size());
  return core::TraceNodeFigures(trace.nodes(node_index));
}

std::string TruncationBanner(const v1::Trace& trace) {
  if (!trace.truncated()) return "";
  return TruncationBanner(static_cast<size_t>(trace.nodes_size()), trace.direction());
}

std::string TruncationBanner(size_t lots_shown, v1::TraceDirection direction) {
  const char* side = direction == v1::TRACE_DIRECTION_DOWNSTREAM ? "downstream" : "upstream";
  return "INCOMPLETE VIEW: the trace stopped at " + std::to_string(lots_shown) + " lots; " +
         "lots further " + side + " are not shown, and figures gathered from the graph "
         "(origins, refiners, open flags) are lower bounds. Raise --max-nodes for the whole "
         "graph.\n";
}

std::string GraphCount(uint64_t n, bool truncated) {
  return truncated ? "at least " + std::to_string(n) + " (incomplete view)" : std::to_string(n);
}

std::string GraphCountries(const v1::RollUp& roll, bool truncated) {
  std::string countries;
  for (const auto& c : roll.origin_countries()) countries += (countries.empty() ? "" : ", ") + c;
  if (!truncated) return countries.empty() ? "(none recorded)" : countries;
  return countries.empty() ? "(none among the lots shown; incomplete view)"
                           : "at least " + countries + " (incomplete view)";
}

std::string RenderTraceTree(const v1::Trace& trace) {
  if (trace.nodes_size() == 0) return "(empty trace)\n";
  bool upstream = trace.direction() == v1::TRACE_DIRECTION_UPSTREAM;
  std::map<std::string, int> index = IndexById(trace);
  // Children in the printed tree: upstream, a lot's parents; downstream, its products.
  std::map<std::string, std::vector<const v1::TraceEdge*>> next;
  for (const auto& edge : trace.edges()) {
    next[upstream ? edge.to_lot_id() : edge.from_lot_id()].push_back(&edge);
  }
  struct Item {
    int node;
    std::string prefix;  // drawn before the connector
    std::string connector;
    const v1::TraceEdge* edge;
  };
  std::vector<Item> stack = {{0, "", "", nullptr}};
  std::set<int> printed;
  std::string out = TruncationBanner(trace);
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    const std::string& id = trace.nodes(item.node).lot().lot_id();
    std::string edge_text =
        item.edge != nullptr ? "(" + FormatMass(item.edge->mass_grams()) + ") " : "";
    if (printed.count(item.node) != 0) {
      out += item.prefix + item.connector + edge_text + id + "  (shown above)\n";
      continue;
    }
    printed.insert(item.node);
    out += item.prefix + item.connector + edge_text + NodeLine(trace, item.node) + "\n";
    std::string child_prefix = item.prefix + (item.connector.empty() ? ""
                                              : item.connector == "└─ " ? "   " : "│  ");
    const auto& edges = next[id];
    // Push in reverse so the first edge prints first.
    for (size_t k = edges.size(); k-- > 0;) {
      const v1::TraceEdge* edge = edges[k];
      auto it = index.find(upstream ? edge->from_lot_id() : edge->to_lot_id());
      if (it == index.end()) continue;  // beyond a truncated trace
      stack.push_back({it->second, child_prefix, k + 1 == edges.size() ? "└─ " : "├─ ", edge});
    }
  }
  if (trace.truncated()) out += "(trace truncated at the node's limit; not every lot is shown)\n";
  return out;
}

std::string RenderTraceJson(const v1::Trace& trace) { return core::TraceToJson(trace).dump(2) + "\n"; }

}  // namespace lotchain::wallet
