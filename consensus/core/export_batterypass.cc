// Format "batterypass": a registered battery's passport in the Battery Pass consortium data
// model 1.2.0 (DIN DKE SPEC 99100): one JSON object with one member per aspect of the model
// (generalProductInformation, carbonFootprint, circularity, materialComposition,
// supplyChainDueDiligence), each filled from the chain, and "lotchain": the block it holds as
// of, the chain's due-diligence findings (which the model has no field for), and `notHeld`:
// per aspect, the paths of the fields the model requires that the chain does not hold. Those
// are omitted, never invented. docs/EXPORTS.md has the mapping.
#include "consensus/core/crypto.h"
#include "consensus/core/export_battery.h"

namespace lotchain::core {
namespace {

using nlohmann::json;
using namespace exports;

std::string BatteryStatus(const v1::Lot& lot) {
  switch (StateOf(lot)) {
    case BatteryState::kWaste:
      return "Waste";
    case BatteryState::kRepurposed:
      return "Repurposed";
    case BatteryState::kOriginal:
      break;
  }
  return "Original";
}

json General(const ExportSource& source, const std::string& chain_id, const std::string& category,
             ExactNumbers& n) {
  const v1::TraceNode& root = source.upstream->nodes(0);
  const v1::Lot& lot = root.lot();
  const std::string maker =
      root.events_size() > 0 ? root.events(0).actor_org() : lot.custodian_org();
  std::string passport_id = ToHex(Sha256("lotchain/battery-passport/v1" + std::string(1, '\0') +
                                         chain_id + std::string(1, '\0') + lot.lot_id()));
  json out = {
      {"productIdentifier", lot.battery().serial()},
      {"batteryPassportIdentifier", "urn:lotchain:" + passport_id},
      {"manufacturerInformation",
       {{"contactName", OrgName(source, maker)}, {"identifier", Urn(chain_id, "org", maker)}}},
      {"manufacturingDate", IsoTime(lot.created_time_unix_ms())},
      {"batteryStatus", BatteryStatus(lot)},
      {"batteryMass", n.Number(lot.mass_grams(), 3)},
  };
  if (!root.facility().country().empty()) {
    out["manufacturingPlace"] = {{"addressCountry", root.facility().country()}};
  }
  if (!category.empty()) out["batteryCategory"] = category;
  return out;
}

json CarbonFootprint(const Passport& p, ExactNumbers& n) {
  return {{"batteryCarbonFootprint", n.Number(p.roll_up.co2e_mg_per_lifetime_kwh(), 6)},
          {"absoluteCarbonFootprint", n.Number(p.roll_up.footprint_co2e_grams(), 3)}};
}

// Shares of the element mass, in %, each rounded down to 1 ppm.
json RecycledContent(const v1::Lot& lot, ExactNumbers& n) {
  json out = json::array();
  for (const auto& entry : lot.composition()) {
    const ElementFacts* facts = Facts(entry.element());
    if (facts == nullptr || facts->recycled.empty() || entry.grams() == 0) continue;
    out.push_back(
        {{"recycledMaterial", facts->recycled},
         {"preConsumerShare",
          n.Number(PercentOfPpm(PpmOf(entry.recycled_pre_consumer_grams(), entry.grams())))},
         {"postConsumerShare",
          n.Number(PercentOfPpm(PpmOf(entry.recycled_post_consumer_grams(), entry.grams())))}});
  }
  return out;
}

json MaterialComposition(const v1::Lot& lot, ExactNumbers& n) {
  json materials = json::array();
  for (const auto& entry : lot.composition()) {
    const ElementFacts* facts = Facts(entry.element());
    if (facts == nullptr) continue;
    json item = {{"batteryMaterialIdentifier", facts->cas},
                 {"batteryMaterialName", facts->name},
                 {"batteryMaterialMass", n.Number(entry.grams(), 3)}};
    if (entry.element() != v1::ELEMENT_GRAPHITE) item["isCriticalRawMaterial"] = facts->critical;
    materials.push_back(std::move(item));
  }
  return {{"batteryChemistry", {{"shortName", lot.battery().chemistry()}}},
          {"batteryMaterials", std::move(materials)}};
}

json NotHeld(const ExportSource& source, const v1::Lot& lot) {
  json general = {"operatorInformation",
                  "puttingIntoService",
                  "warrentyPeriod",
                  "manufacturerInformation/postalAddress",
                  "manufacturingPlace/postalCode",
                  "manufacturingPlace/streetAddress"};
  if (Declared(source, "battery-category") == nullptr) general.push_back("batteryCategory");
  json materials = {"batteryChemistry/clearName", "batteryMaterials/*/batteryMaterialLocation",
                    "hazardousSubstances"};
  size_t item = 0;  // the index in batteryMaterials (elements with facts, in order)
  for (const auto& entry : lot.composition()) {
    if (Facts(entry.element()) == nullptr) continue;
    if (entry.element() == v1::ELEMENT_GRAPHITE) {
      materials.push_back("batteryMaterials/" + std::to_string(item) + "/isCriticalRawMaterial");
    }
    ++item;
  }
  return {{"generalProductInformation", std::move(general)},
          {"carbonFootprint",
           {"carbonFootprintPerLifecycleStage", "carbonFootprintPerformanceClass",
            "carbonFootprintStudy"}},
          {"circularity",
           {"dismantlingAndRemovalInformation", "sparePartSources", "safetyMeasures",
            "endOfLifeInformation", "renewableContent"}},
          {"materialComposition", std::move(materials)},
          {"supplyChainDueDiligence", {"supplyChainDueDiligenceReport"}}};
}

class Batterypass final : public ExportFormat {
 public:
  std::string_view name() const override { return "batterypass"; }
  std::string_view summary() const override {
    return "Battery Pass data model 1.2.0 (DIN DKE SPEC 99100) of a registered battery: general "
           "information, carbon footprint, circularity, material composition, due diligence";
  }
  Result<std::string> Render(const ExportSource& source) const override {
    const Passport& p = *source.passport;
    if (!p.lot.has_battery()) {
      return Status("EXPORT_NOT_APPLICABLE", "lot " + p.lot.lot_id() +
                                                 " is not a registered battery: export its "
                                                 "footprint with catenax-pcf or pact");
    }
    LOTCHAIN_ASSIGN_OR_RETURN(std::string category, DeclaredCategory(source, name()));
    LOTCHAIN_ASSIGN_OR_RETURN(std::string chain_id, ChainIdOf(source, name()));
    ExactNumbers n;
    json doc;
    doc["generalProductInformation"] = General(source, chain_id, category, n);
    doc["carbonFootprint"] = CarbonFootprint(p, n);
    doc["circularity"] = {{"recycledContent", RecycledContent(p.lot, n)}};
    doc["materialComposition"] = MaterialComposition(p.lot, n);
    doc["supplyChainDueDiligence"] = json::object();
    doc["lotchain"] = {{"format", "lotchain-batterypass/1"},
                       {"dataModel", "Battery Pass 1.2.0"},
                       {"chainId", chain_id},
                       {"lotId", p.lot.lot_id()},
                       {"asOfHeight", p.as_of_height},
                       {"asOfTime", IsoTime(p.as_of_time_unix_ms)},
                       {"complete", !p.trace_truncated},
                       {"dueDiligence", DueDiligence(p)},
                       {"notHeld", NotHeld(source, p.lot)}};
    return n.Dump(doc);
  }
};

}  // namespace

const ExportFormat& BatterypassFormat() {
  static const Batterypass format;
  return format;
}

}  // namespace lotchain::core
