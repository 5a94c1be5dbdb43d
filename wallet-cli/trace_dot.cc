// RenderTraceDot (trace_view.h): the custody DAG as a Graphviz picture an auditor can read
// without the CLI's documentation: title, legend, highlighted problems, optional grouping.
#include <map>
#include <vector>

#include "consensus/core/queries.h"
#include "wallet-cli/output.h"
#include "wallet-cli/trace_view.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

constexpr const char* kNotConformantFill = "#ffd8a8";  // orange: refiner without a valid audit
constexpr const char* kRecoveredFill = "#d3f9d8";      // green: recovered (recycled) material
constexpr const char* kFlagColor = "red";              // open risk flag on the lot or facility

// A dot string literal; "\n" in `text` becomes a dot line break.
std::string Quote(const std::string& text) {
  std::string q = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      q += "\\n";
    } else {
      if (c == '"' || c == '\\') q.push_back('\\');
      q.push_back(c);
    }
  }
  return q + "\"";
}

std::string Title(const v1::Trace& trace, const DotOptions& o) {
  const bool down = trace.direction() == v1::TRACE_DIRECTION_DOWNSTREAM;
  std::string title = std::string(down ? "Downstream of " : "Custody of ") + trace.root_lot_id() +
                      (down ? " (its products)" : " back to the mines");
  title += "\nchain " + o.chain_id + ", height " + std::to_string(o.height);
  if (o.time_unix_ms > 0) title += ", block time " + FormatDate(o.time_unix_ms);
  title += ", " + std::to_string(trace.nodes_size()) + " lots";
  const std::string banner = TruncationBanner(trace);
  if (!banner.empty()) title += "\n" + banner.substr(0, banner.find(';'));  // its first clause
  return title;
}

std::string Legend() {
  return std::string("  subgraph cluster_legend {\n    label=\"Legend\"; fontsize=10; color=gray;\n") +
         "    legend_nc [label=\"refiner without a Conformant audit\\nwhen the lot was made\", "
         "style=filled, fillcolor=\"" + kNotConformantFill + "\"];\n" +
         "    legend_flag [label=\"open risk flag on the lot\\nor its facility\", color=" +
         kFlagColor + ", penwidth=2];\n" +
         "    legend_rec [label=\"recovered (recycled) material\", style=filled, fillcolor=\"" +
         kRecoveredFill + "\"];\n" +
         "    legend_edge_from [label=\"input lot\"]; legend_edge_to [label=\"product lot\"];\n"
         "    legend_edge_from -> legend_edge_to [label=\"mass consumed\"];\n  }\n";
}

std::string NodeStatement(const v1::Trace& trace, int i) {
  const v1::TraceNode& node = trace.nodes(i);
  const TraceFigures f = FiguresOf(trace, i);
  std::string label = node.lot().lot_id() + "\n" + node.lot().material() + "\n" +
                      node.facility().owner_org() + " @ " + node.facility().facility_id() + " (" +
                      node.facility().country() + ")\n" + AuditText(node) + "\nCO2e +" +
                      FormatMass(f.added_co2e_grams) + " / " + FormatMass(f.accumulated_co2e_grams);
  const std::string recycled = RecycledText(node, f);
  if (!recycled.empty()) label += "\n" + recycled;
  if (node.open_flags_size() > 0) {
    label += "\nOPEN FLAGS: " + std::to_string(node.open_flags_size());
  }
  std::string attrs = "label=" + Quote(label);
  const bool recovered =
      node.events_size() > 0 && node.events(0).kind() == v1::EVENT_KIND_RECOVERED;
  if (core::RefinerNotConformant(node)) {
    attrs += std::string(", style=filled, fillcolor=\"") + kNotConformantFill + "\"";
  } else if (recovered) {
    attrs += std::string(", style=filled, fillcolor=\"") + kRecoveredFill + "\"";
  }
  if (node.open_flags_size() > 0) attrs += std::string(", color=") + kFlagColor + ", penwidth=2";
  return Quote(node.lot().lot_id()) + " [" + attrs + "];\n";
}

}  // namespace

core::Result<std::string> RenderTraceDot(const v1::Trace& trace, const DotOptions& o) {
  if (static_cast<size_t>(trace.nodes_size()) > o.max_lots) {
    return core::Status("GRAPH_TOO_LARGE",
                        "the trace of " + trace.root_lot_id() + " has " +
                            std::to_string(trace.nodes_size()) + " lots; a picture of more than " +
                            std::to_string(o.max_lots) + " does not render usefully (dot takes "
                            "minutes): show part of it with --max-nodes N, read it all with "
                            "--format json, or raise --dot-max-lots");
  }
  std::string out = "digraph trace {\n  rankdir=LR;\n  labelloc=t;\n  label=" + Quote(Title(trace, o)) +
                    ";\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n" + Legend();
  if (o.group_by_org) {
    std::map<std::string, std::vector<int>> by_org;  // ordered: the same picture every time
    for (int i = 0; i < trace.nodes_size(); ++i) {
      by_org[trace.nodes(i).facility().owner_org()].push_back(i);
    }
    size_t cluster = 0;
    for (const auto& [org, nodes] : by_org) {
      out += "  subgraph cluster_org_" + std::to_string(cluster++) + " {\n    label=" +
             Quote(org.empty() ? "(no facility)" : org) + "; style=rounded; color=\"#868e96\";\n";
      for (int i : nodes) out += "    " + NodeStatement(trace, i);
      out += "  }\n";
    }
  } else {
    for (int i = 0; i < trace.nodes_size(); ++i) out += "  " + NodeStatement(trace, i);
  }
  for (const auto& edge : trace.edges()) {
    out += "  " + Quote(edge.from_lot_id()) + " -> " + Quote(edge.to_lot_id()) +
           " [label=" + Quote(FormatMass(edge.mass_grams())) + "];\n";
  }
  return out + "}\n";
}

}  // namespace lotchain::wallet
