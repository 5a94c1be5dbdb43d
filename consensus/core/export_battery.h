// What the two battery passport formats (batterypass, catenax-battery-pass) share: facts about
// the tracked elements, the battery's status, the due-diligence findings, the declared category.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "consensus/core/export_support.h"

namespace lotchain::core::exports {

struct ElementFacts {
  v1::Element element;
  std::string_view name, cas;
  bool critical;              // EU Critical Raw Materials Act (Reg. 2024/1252) Annex II
  std::string_view recycled;  // Battery Pass's recycledMaterial value; empty: not in the model
};

// The facts of an element; null for ELEMENT_UNSPECIFIED. Graphite's `critical` is false but
// unknown: the CRM list names natural graphite and the chain does not hold which it is.
const ElementFacts* Facts(v1::Element element);

enum class BatteryState { kOriginal, kRepurposed, kWaste };
// Waste once collected at end of life or retired; repurposed once in a second-life use.
BatteryState StateOf(const v1::Lot& lot);

// grams * 10^6 / total, rounded down (0 when total is 0).
uint64_t PpmOf(uint64_t grams, uint64_t total);

// The passport's due-diligence findings: refinersNotConformant[], openRiskFlags[].
nlohmann::json DueDiligence(const Passport& p);

// The declared battery category (lmt, ev, industrial, stationary): empty when none; error when
// it is not one of those.
Result<std::string> DeclaredCategory(const ExportSource& source, std::string_view format);

}  // namespace lotchain::core::exports
