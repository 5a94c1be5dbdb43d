#include "consensus/core/trace_figures.h"

#include "consensus/core/proto_json.h"

namespace lotchain::core {

TraceFigures TraceNodeFigures(const v1::TraceNode& node) {
  TraceFigures f;
  for (const auto& e : node.lot().composition()) {
    f.element_grams += e.grams();
    f.recycled_grams += e.recycled_pre_consumer_grams() + e.recycled_post_consumer_grams();
  }
  if (node.events_size() == 0) return f;
  const v1::LotEvent& created = node.events(0);
  uint64_t transport = 0;
  for (const auto& e : node.events()) {
    if (e.kind() == v1::EVENT_KIND_ACCEPTED) transport += e.co2e_added_grams();
  }
  f.accumulated_co2e_grams = created.co2e_added_grams() + transport;
  f.added_co2e_grams = created.step_co2e_grams() + transport;
  return f;
}

nlohmann::json TraceToJson(const v1::Trace& trace) {
  nlohmann::json j = ProtoToJson(trace);
  for (int i = 0; i < trace.nodes_size(); ++i) {
    TraceFigures f = TraceNodeFigures(trace.nodes(i));
    j["nodes"][static_cast<size_t>(i)]["figures"] = {
        {"added_co2e_grams", f.added_co2e_grams},
        {"accumulated_co2e_grams", f.accumulated_co2e_grams},
        {"element_grams", f.element_grams},
        {"recycled_grams", f.recycled_grams}};
  }
  return j;
}

}  // namespace lotchain::core
