// Format "catenax-battery-pass": a registered battery's passport as the Catena-X aspect
// io.catenax.battery.battery_pass 6.1.0. The aspect requires much the chain does not hold
// (Catena-X BPNL/BPNA numbers, documents, rated performance, safety, conformity): those fields
// are omitted and their paths listed in `lotchain.notHeld` ("*" every array item, a number one
// item); `lotchain` is the only member the aspect does not define. docs/EXPORTS.md has the
// mapping.
#include "consensus/core/export_battery.h"

namespace lotchain::core {
namespace {

using nlohmann::json;
using namespace exports;

constexpr std::string_view kName = "catenax-battery-pass";

std::string Date(int64_t unix_ms) { return IsoTime(unix_ms).substr(0, 10); }

std::string Category(const std::string& declared) {
  if (declared == "ev") return "EV";
  if (declared == "lmt") return "LMT";
  return "industrial";  // the regulation's industrial batteries include stationary storage
}

std::string PassStatus(const v1::Lot& lot) {
  switch (StateOf(lot)) {
    case BatteryState::kWaste:
      return "waste";
    case BatteryState::kRepurposed:
      return "repurposed";
    case BatteryState::kOriginal:
      break;
  }
  return "original";
}

json Identification(const v1::Lot& lot, const std::string& category, json& not_held) {
  json out = {{"chemistry", lot.battery().chemistry()},
              {"identification",
               {{"serial", {{{"key", "partInstanceId"}, {"value", lot.battery().serial()}}}},
                {"batch", {{{"key", "batchId"}, {"value", lot.lot_id()}}}}}}};
  if (category.empty()) {
    not_held.push_back("identification/category");
  } else {
    out["category"] = Category(category);
  }
  for (const char* path :
       {"identification/idDmc", "identification/identification/type",
        "identification/identification/codes", "identification/identification/dataCarrier",
        "identification/identification/classification"}) {
    not_held.push_back(path);
  }
  return out;
}

// Active materials: Ni, Li, Co and Pb; an element the lot does not contain is not held.
json Active(const v1::Lot& lot, const Passport& p, ExactNumbers& n, json& not_held) {
  json out = json::object();
  const std::pair<v1::Element, const char*> kActive[] = {{v1::ELEMENT_NI, "nickel"},
                                                         {v1::ELEMENT_LI, "lithium"},
                                                         {v1::ELEMENT_CO, "cobalt"},
                                                         {v1::ELEMENT_PB, "lead"}};
  for (const auto& [element, key] : kActive) {
    const std::string path = std::string("materials/active/") + key;
    const v1::ElementShare* share = nullptr;
    for (const auto& s : p.roll_up.recycled()) {
      if (s.element() == element && s.grams() > 0) share = &s;
    }
    if (share == nullptr) {
      not_held.push_back(path);
      continue;
    }
    json m = {{"recycled", n.Number(PercentOfPpm(share->recycled_ppm()))},
              {"critical", Facts(element)->critical}};
    if (element == v1::ELEMENT_PB) {
      m["concentration"] = PpmOf(share->grams(), lot.mass_grams());
      m["materialUnit"] = "unit:partPerMillion";
      not_held.push_back(path + "/impactOfSubstances");
    }
    out[key] = std::move(m);
    not_held.push_back(path + "/location");
    not_held.push_back(path + "/documentation");
  }
  return out;
}

json Composition(const v1::Lot& lot, ExactNumbers& n, json& not_held) {
  json out = json::array();
  for (const auto& entry : lot.composition()) {
    const ElementFacts* facts = Facts(entry.element());
    if (facts == nullptr) continue;
    uint64_t recycled = entry.recycled_pre_consumer_grams() + entry.recycled_post_consumer_grams();
    json item = {{"id", {{{"id", facts->cas}, {"type", "CAS"}, {"name", facts->name}}}},
                 {"concentration", PpmOf(entry.grams(), lot.mass_grams())},
                 {"unit", "unit:partPerMillion"},
                 {"recycled", n.Number(PercentOfPpm(PpmOf(recycled, entry.grams())))}};
    if (entry.element() == v1::ELEMENT_GRAPHITE) {
      not_held.push_back("materials/composition/" + std::to_string(out.size()) + "/critical");
    } else {
      item["critical"] = facts->critical;
    }
    out.push_back(std::move(item));
  }
  for (const char* path :
       {"materials/composition/*/documentation", "materials/composition/*/location",
        "materials/composition/*/renewable", "materials/hazardous"}) {
    not_held.push_back(path);
  }
  return out;
}

json Sustainability(const v1::Lot& lot, const Passport& p, ExactNumbers& n, json& not_held) {
  json footprint = {{"value", n.Number(p.roll_up.co2e_mg_per_lifetime_kwh(), 6)},
                    {"unit", "kg CO2e / kWh"},
                    {"type", "Climate Change Total"},
                    {"lifecycle",
                     "raw material acquisition and pre-processing, main product production "
                     "(cradle-to-gate, per kWh of energy over the expected service life)"}};
  for (const char* path : {"sustainability/documents", "sustainability/carbonFootprint/0/rulebook",
                           "sustainability/carbonFootprint/0/manufacturingPlant",
                           "sustainability/carbonFootprint/0/declaration"}) {
    not_held.push_back(path);
  }
  return {{"carbonFootprint", {footprint}}, {"status", PassStatus(lot)}};
}

json Performance(const v1::Lot& lot, ExactNumbers& n, json& not_held) {
  for (const char* field : {"voltage", "roundTripEfficiency", "resistance", "power", "capacity",
                            "temperature", "selfDischargingRate", "lifetime"}) {
    not_held.push_back(std::string("performance/rated/") + field);
  }
  not_held.push_back("performance/dynamic");
  return {{"rated", {{"energy", {{"value", n.Number(lot.battery().rated_capacity_wh(), 3)}}}}}};
}

class CatenaxBatteryPass final : public ExportFormat {
 public:
  std::string_view name() const override { return kName; }
  std::string_view summary() const override {
    return "Catena-X io.catenax.battery.battery_pass 6.1.0 of a registered battery (what the "
           "chain holds; lotchain.notHeld names the rest)";
  }
  Result<std::string> Render(const ExportSource& source) const override;
};

Result<std::string> CatenaxBatteryPass::Render(const ExportSource& source) const {
  const Passport& p = *source.passport;
  const v1::Lot& lot = p.lot;
  if (!lot.has_battery()) {
    return Status("EXPORT_NOT_APPLICABLE", "lot " + lot.lot_id() +
                                               " is not a registered battery: export its footprint "
                                               "with catenax-pcf or pact");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string category, DeclaredCategory(source, kName));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string chain_id, ChainIdOf(source, kName));
  ExactNumbers n;
  json not_held = json::array();
  json doc = {{"specVersion", "urn:io.catenax.battery.battery_pass:6.1.0"}};
  doc["identification"] = Identification(lot, category, not_held);
  doc["operation"] = {{"manufacturer", {{"manufacturingDate", Date(lot.created_time_unix_ms())}}}};
  not_held.insert(not_held.end(), {"operation/manufacturer/manufacturer",
                                   "operation/manufacturer/facility", "characteristics/warranty"});
  doc["characteristics"] = {
      {"physicalDimension",
       {{"weight", {{"value", n.Number(lot.mass_grams(), 3)}, {"unit", "unit:kilogram"}}}}}};
  doc["sustainability"] = Sustainability(lot, p, n, not_held);
  doc["materials"] = {{"active", Active(lot, p, n, not_held)},
                      {"composition", Composition(lot, n, not_held)}};
  doc["performance"] = Performance(lot, n, not_held);
  doc["metadata"] = {{"passportIdentifier",
                      "urn:uuid:" + NameUuid(std::string(kName) + "\n" + chain_id + "\n" +
                                             lot.lot_id() + "\n" + std::to_string(p.as_of_height))},
                     {"version", std::to_string(p.as_of_height)},
                     {"issueDate", Date(p.as_of_time_unix_ms)}};
  for (const char* path :
       {"metadata/expirationDate", "metadata/economicOperatorId", "metadata/predecessor",
        "metadata/backupReference", "conformity", "safety", "commercial", "handling"}) {
    not_held.push_back(path);
  }
  doc["lotchain"] = {{"format", "lotchain-catenax-battery-pass/1"},
                     {"chainId", chain_id},
                     {"lotId", lot.lot_id()},
                     {"asOfHeight", p.as_of_height},
                     {"asOfTime", IsoTime(p.as_of_time_unix_ms)},
                     {"complete", !p.trace_truncated},
                     {"dueDiligence", DueDiligence(p)},
                     {"notHeld", std::move(not_held)}};
  return n.Dump(doc);
}

}  // namespace

const ExportFormat& CatenaxBatteryPassFormat() {
  static const CatenaxBatteryPass format;
  return format;
}

}  // namespace lotchain::core
