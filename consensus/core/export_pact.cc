// Format "pact": the lot's product carbon footprint as a PACT (WBCSD Partnership for Carbon
// Transparency) v3 ProductFootprint, written from the PACT Technical Specifications v3.0
// (docs/EXPORTS.md has the mapping and the notice its licence requires). Decimals are strings,
// as the specification requires, and exact: they come from the integer roll-up.
#include "consensus/core/export_pcf.h"

namespace lotchain::core {
namespace {

using nlohmann::json;
using namespace exports;

constexpr std::string_view kName = "pact";

Result<json> Declarations(const ExportSource& source) {
  json out;
  LOTCHAIN_ASSIGN_OR_RETURN(
      std::vector<std::string> ipcc,
      RequireDeclared(source, kName, "ipcc", "AR6",
                      "the chain does not hold which IPCC characterization factors the "
                      "members' CO2e figures used"));
  for (const auto& factor : ipcc) {
    bool ok = factor.size() > 2 && factor.rfind("AR", 0) == 0 &&
              factor.find_first_not_of("0123456789", 2) == std::string::npos;
    if (!ok) return Status("EXPORT_INPUT_MISSING", "pact: --declare ipcc takes AR4, AR5, AR6, ...");
  }
  out["ipccCharacterizationFactors"] = ipcc;
  LOTCHAIN_ASSIGN_OR_RETURN(
      out["crossSectoralStandards"],
      RequireDeclared(source, kName, "standard", "ISO14067",
                      "the chain does not hold which standards the members' figures follow"));
  LOTCHAIN_ASSIGN_OR_RETURN(
      out["fossilCarbonContent"],
      DeclaredDecimal(source, kName, "fossil-carbon-content",
                      "the chain does not hold the carbon content of the product (kg C per kg)"));
  if (Declared(source, "packaging-included") != nullptr) {
    LOTCHAIN_ASSIGN_OR_RETURN(bool packaging,
                              DeclaredBool(source, kName, "packaging-included", ""));
    out["packagingEmissionsIncluded"] = packaging;
  }
  return out;
}

json CarbonFootprint(const PcfFigures& pcf, json declared) {
  json cf = {{"declaredUnitOfMeasurement", "kilogram"},
             {"declaredUnitAmount", "1"},
             {"productMassPerDeclaredUnit", "1"},
             {"referencePeriodStart", IsoTime(pcf.period.start_unix_ms)},
             {"referencePeriodEnd", IsoTime(pcf.period.end_unix_ms)}};
  if (!pcf.country.empty()) cf["geographyCountry"] = pcf.country;
  cf["boundaryProcessesDescription"] = pcf.boundary;
  cf["pcfExcludingBiogenicUptake"] = pcf.kg_co2e_per_kg;
  cf["pcfIncludingBiogenicUptake"] = pcf.kg_co2e_per_kg;
  cf["fossilGhgEmissions"] = pcf.kg_co2e_per_kg;
  cf["exemptedEmissionsPercent"] = "0";
  cf["allocationRulesDescription"] = pcf.allocation;
  cf["primaryDataShare"] = pcf.primary_share_percent;
  cf.update(declared);
  return cf;
}

class Pact final : public ExportFormat {
 public:
  std::string_view name() const override { return kName; }
  std::string_view summary() const override {
    return "PACT v3 ProductFootprint: the lot's carbon footprint per kg (needs --declare ipcc=, "
           "standard=, fossil-carbon-content=)";
  }
  Result<std::string> Render(const ExportSource& source) const override {
    LOTCHAIN_ASSIGN_OR_RETURN(PcfFigures pcf, ComputePcf(source, kName));
    LOTCHAIN_ASSIGN_OR_RETURN(json declared, Declarations(source));
    const Passport& p = *source.passport;
    json doc;
    doc["id"] = NameUuid("pact\n" + pcf.chain_id + "\n" + p.lot.lot_id() + "\n" +
                         std::to_string(p.as_of_height));
    doc["specVersion"] = "3.0.3";
    doc["created"] = IsoTime(pcf.created_unix_ms);
    doc["status"] = "Active";
    doc["companyName"] = pcf.company_name;
    doc["companyIds"] = CompanyIds(source, pcf);
    doc["productDescription"] = pcf.product_description;
    doc["productIds"] = {pcf.lot_urn};
    doc["productNameCompany"] = pcf.product_name;
    doc["comment"] = pcf.comment;
    doc["pcf"] = CarbonFootprint(pcf, std::move(declared));
    return doc.dump(2) + "\n";
  }
};

}  // namespace

const ExportFormat& PactFormat() {
  static const Pact format;
  return format;
}

}  // namespace lotchain::core
