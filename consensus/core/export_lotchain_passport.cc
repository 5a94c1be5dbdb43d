// Format "lotchain-passport": lotchain's own passport document — the computation of
// core::BuildPassport as JSON, stating the block it holds as of. `lotchain passport --json`
// prints it; docs/EXPORTS.md describes every field.
#include <nlohmann/json.hpp>

#include "consensus/core/crypto.h"
#include "consensus/core/export_format.h"
#include "consensus/core/proto_json.h"

namespace lotchain::core {
namespace {

using nlohmann::json;

json Targets(const Passport& p) {
  json out = json::array();
  for (const auto& t : p.targets) {
    out.push_back({{"element", ElementSymbol(t.element)},
                   {"from_unix_ms", t.from_unix_ms},
                   {"min_ppm", t.min_ppm},
                   {"actual_ppm", t.actual_ppm},
                   {"element_present", t.element_present},
                   {"in_force", t.in_force},
                   {"met", t.met},
                   {"label", t.label}});
  }
  return out;
}

void AddDueDiligence(const Passport& p, json& doc) {
  doc["refiners_not_conformant"] = json::array();
  for (const auto& f : p.refiners_not_conformant) {
    doc["refiners_not_conformant"].push_back(
        {{"facility_id", f.facility_id},
         {"owner_org", f.owner_org},
         {"country", f.country},
         {"status_at_processing", v1::AuditStatus_Name(f.status_at_processing)}});
  }
  doc["open_flags"] = json::array();
  for (const auto& f : p.open_flags) {
    doc["open_flags"].push_back(
        {{"flag_id", f.flag_id},
         {"target", f.target},
         {"category", EnumLabel(v1::RiskCategory_Name(f.category), "RISK_CATEGORY_")},
         {"severity", EnumLabel(v1::Severity_Name(f.severity), "SEVERITY_")},
         {"raised_by", f.raised_by}});
  }
}

class LotchainPassport final : public ExportFormat {
 public:
  std::string_view name() const override { return "lotchain-passport"; }
  std::string_view summary() const override {
    return "lotchain's passport document: footprint, recycled content against the policy, "
           "due diligence, as of a block";
  }
  Result<std::string> Render(const ExportSource& source) const override {
    LOTCHAIN_ASSERT(source.passport != nullptr);
    const Passport& p = *source.passport;
    json doc;
    doc["format"] = "lotchain-passport/1";
    doc["as_of_height"] = p.as_of_height;
    doc["as_of_time_unix_ms"] = p.as_of_time_unix_ms;
    if (source.genesis != nullptr) {
      doc["chain_id"] = source.genesis->chain_id;
      doc["genesis_hash"] = ToHex(source.genesis->hash);
    }
    doc["lot"] = ProtoToJson(p.lot);
    doc["roll_up"] = ProtoToJson(p.roll_up);
    doc["policy_known"] = p.policy_known;
    doc["targets"] = Targets(p);
    AddDueDiligence(p, doc);
    doc["trace_truncated"] = p.trace_truncated;
    // With a truncated trace, the graph-derived lists are lower bounds.
    doc["complete"] = !p.trace_truncated;
    return doc.dump(2) + "\n";
  }
};

}  // namespace

const ExportFormat& LotchainPassportFormat() {
  static const LotchainPassport format;
  return format;
}

}  // namespace lotchain::core
