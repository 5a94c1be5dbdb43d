#include "consensus/core/export_battery.h"

#include "consensus/core/proto_json.h"

namespace lotchain::core::exports {

namespace {

constexpr std::array<ElementFacts, 10> kElements = {{
    {v1::ELEMENT_CO, "Cobalt", "7440-48-4", true, "Cobalt"},
    {v1::ELEMENT_NI, "Nickel", "7440-02-0", true, "Nickel"},
    {v1::ELEMENT_LI, "Lithium", "7439-93-2", true, "Lithium"},
    {v1::ELEMENT_MN, "Manganese", "7439-96-5", true, ""},
    {v1::ELEMENT_CU, "Copper", "7440-50-8", true, ""},
    {v1::ELEMENT_AL, "Aluminium", "7429-90-5", true, ""},
    {v1::ELEMENT_PB, "Lead", "7439-92-1", false, "Lead"},
    {v1::ELEMENT_FE, "Iron", "7439-89-6", false, ""},
    {v1::ELEMENT_P, "Phosphorus", "7723-14-0", true, ""},
    {v1::ELEMENT_GRAPHITE, "Graphite", "7782-42-5", false, ""},
}};

}  // namespace

const ElementFacts* Facts(v1::Element element) {
  for (const auto& facts : kElements) {
    if (facts.element == element) return &facts;
  }
  return nullptr;
}

BatteryState StateOf(const v1::Lot& lot) {
  if (lot.end_of_life() || lot.status() == v1::LOT_STATUS_RETIRED) return BatteryState::kWaste;
  if (!lot.battery().second_life_application().empty()) return BatteryState::kRepurposed;
  return BatteryState::kOriginal;
}

uint64_t PpmOf(uint64_t grams, uint64_t total) {
  if (total == 0) return 0;
  __extension__ using Uint128 = unsigned __int128;
  return static_cast<uint64_t>(static_cast<Uint128>(grams) * 1'000'000 / total);
}

nlohmann::json DueDiligence(const Passport& p) {
  nlohmann::json out = {{"refinersNotConformant", nlohmann::json::array()},
                        {"openRiskFlags", nlohmann::json::array()}};
  for (const auto& f : p.refiners_not_conformant) {
    out["refinersNotConformant"].push_back(
        {{"facilityId", f.facility_id},
         {"ownerOrg", f.owner_org},
         {"country", f.country},
         {"rmapStatusAtProcessing",
          EnumLabel(v1::AuditStatus_Name(f.status_at_processing), "AUDIT_STATUS_")}});
  }
  for (const auto& f : p.open_flags) {
    out["openRiskFlags"].push_back(
        {{"flagId", f.flag_id},
         {"target", f.target},
         {"category", EnumLabel(v1::RiskCategory_Name(f.category), "RISK_CATEGORY_")},
         {"severity", EnumLabel(v1::Severity_Name(f.severity), "SEVERITY_")},
         {"raisedBy", f.raised_by}});
  }
  return out;
}

Result<std::string> DeclaredCategory(const ExportSource& source, std::string_view format) {
  const auto* category = Declared(source, "battery-category");
  if (category == nullptr) return std::string();
  const std::string& c = (*category)[0];
  if (category->size() != 1 ||
      (c != "lmt" && c != "ev" && c != "industrial" && c != "stationary")) {
    return Status("EXPORT_INPUT_MISSING",
                  std::string(format) +
                      ": --declare battery-category takes lmt, ev, industrial or stationary");
  }
  return c;
}

}  // namespace lotchain::core::exports
