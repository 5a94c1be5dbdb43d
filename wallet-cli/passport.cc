#include "wallet-cli/passport.h"

#include "consensus/core/export_format.h"
#include "consensus/core/queries.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "consensus/core/assert.h"
#include "wallet-cli/output.h"
#include "wallet-cli/trace_view.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

std::string AuditLabel(v1::AuditStatus status) {
  if (status == v1::AUDIT_STATUS_UNSPECIFIED) return "no valid audit";
  return EnumLabel(v1::AuditStatus_Name(status), "AUDIT_STATUS_");
}

std::string FlagCategory(const core::OpenFlag& f) {
  return EnumLabel(v1::RiskCategory_Name(f.category), "RISK_CATEGORY_");
}

std::string FlagSeverity(const core::OpenFlag& f) {
  return EnumLabel(v1::Severity_Name(f.severity), "SEVERITY_");
}

std::string Banner(const Passport& p) {
  return p.trace_truncated ? TruncationBanner(p.trace_lots, v1::TRACE_DIRECTION_UPSTREAM) : "";
}

std::string HeadSection(const Passport& p) {
  const v1::RollUp& r = p.roll_up;
  std::vector<std::pair<std::string, std::string>> head = {
      {"Lot", p.lot.lot_id() + " (" + p.lot.material() + ")"},
      {"Custodian", p.lot.custodian_org()},
      {"Mass", FormatMass(r.mass_grams())},
      {"As of", "height " + std::to_string(p.as_of_height) + " (block time " +
                    FormatDate(p.as_of_time_unix_ms) + ")"}};
  if (p.lot.has_battery()) {
    const v1::Battery& b = p.lot.battery();
    head.emplace_back("Battery", b.serial() + ", " + b.chemistry() + ", " +
                                     FormatEnergy(b.rated_capacity_wh()) + " rated, " +
                                     FormatEnergy(b.expected_lifetime_wh()) + " over life");
    head.emplace_back("State of health", FormatPpm(b.state_of_health_ppm()) + ", " +
                                             FormatEnergy(b.delivered_energy_wh()) + " delivered");
  }
  return "BATTERY PASSPORT\n" + RenderFields(head);
}

std::string CarbonSection(const Passport& p) {
  const v1::RollUp& r = p.roll_up;
  std::vector<std::pair<std::string, std::string>> carbon = {
      {"Total", FormatCo2e(r.footprint_co2e_grams())},
      {"Per kg", FormatMgPer(r.co2e_mg_per_kg(), "kg")}};
  if (p.lot.has_battery()) {
    carbon.emplace_back("Per kWh capacity", FormatMgPer(r.co2e_mg_per_kwh(), "kWh"));
    carbon.emplace_back("Per kWh over life", FormatMgPer(r.co2e_mg_per_lifetime_kwh(), "kWh"));
  } else {
    carbon.emplace_back("Per kWh", "n/a: no battery registered for this lot "
                                   "(`lotchain battery register`)");
  }
  carbon.emplace_back("Primary data share", FormatPpm(r.primary_share_ppm()));
  return "\nCARBON FOOTPRINT\n" + RenderFields(carbon);
}

std::string TargetStatus(const core::TargetCheck& t) {
  if (!t.element_present) return "element absent";
  if (t.met) return "meets";
  return t.in_force ? "BELOW TARGET" : "below (not yet in force)";
}

std::string RecycledSection(const Passport& p) {
  std::string out = "\nRECYCLED CONTENT\n";
  Table shares({"element", "mass", "recycled", "share"});
  for (const auto& s : p.roll_up.recycled()) {
    shares.AddRow({std::string(core::ElementSymbol(s.element())), FormatMass(s.grams()),
                   FormatMass(s.recycled_grams()), FormatPpm(s.recycled_ppm())});
  }
  out += shares.row_count() > 0 ? shares.Render() : "(no tracked elements)\n";
  if (!p.policy_known) {
    return out + "Targets: not evaluated; pass --genesis genesis.json to compare with the "
                 "consortium's policy.\n";
  }
  Table targets({"element", "from", "minimum", "actual", "status", "rule"});
  for (const auto& t : p.targets) {
    targets.AddRow({std::string(core::ElementSymbol(t.element)), FormatDate(t.from_unix_ms),
                    FormatPpm(t.min_ppm), FormatPpm(t.actual_ppm), TargetStatus(t), t.label});
  }
  return out + "\nPolicy targets (genesis)\n" +
         (targets.row_count() > 0 ? targets.Render() : "(the policy sets no targets)\n");
}

std::string DueDiligenceSection(const Passport& p) {
  std::string out = "\nDUE DILIGENCE\n";
  const bool cut = p.trace_truncated;
  if (p.refiners_not_conformant.empty() && cut) {
    out += "No refiner among the lots shown lacked a Conformant audit; refiners beyond the "
           "incomplete view were not checked.\n";
  } else if (p.refiners_not_conformant.empty()) {
    out += "Every upstream refiner held a Conformant (or cross-recognized) audit when it "
           "processed the material.\n";
  } else {
    Table t({"refiner", "organisation", "country", "audit at processing"});
    for (const auto& f : p.refiners_not_conformant) {
      t.AddRow({f.facility_id, f.owner_org, f.country, AuditLabel(f.status_at_processing)});
    }
    out += "Refiners upstream without a conformant audit at processing time: " +
           GraphCount(p.refiners_not_conformant.size(), cut) + "\n" + t.Render();
  }
  if (p.open_flags.empty()) {
    out += cut ? "Open risk flags: none among the lots shown (incomplete view)\n"
               : "Open risk flags: none\n";
  } else {
    Table t({"flag", "on", "category", "severity", "raised by"});
    for (const auto& f : p.open_flags) t.AddRow({f.flag_id, f.target, FlagCategory(f), FlagSeverity(f), f.raised_by});
    out += "Open risk flags: " + GraphCount(p.open_flags.size(), cut) + "\n" + t.Render();
  }
  return out;
}

}  // namespace

std::string RenderPassportText(const Passport& p) {
  std::string out = Banner(p) + HeadSection(p) + CarbonSection(p) + RecycledSection(p) +
                    DueDiligenceSection(p);
  out += "\nCountries of origin: " + GraphCountries(p.roll_up, p.trace_truncated) + "\n";
  if (p.trace_truncated) out += Banner(p);  // again at the end, where a reader of the figures stops
  return out;
}

std::string RenderPassportJson(const Passport& p, const core::Genesis* genesis) {
  core::ExportSource source;
  source.passport = &p;
  source.genesis = genesis;
  return core::LotchainPassportFormat().Render(source).value();
}

}  // namespace lotchain::wallet
