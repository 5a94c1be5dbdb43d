// Format "catenax-pcf": the lot's product carbon footprint as the Catena-X aspect
// io.catenax.pcf 9.0.0 (PCF Rulebook v4, hierarchical). Numbers are JSON numbers written as the
// exact decimals of the integer roll-up (ExactNumbers). docs/EXPORTS.md has the mapping.
#include <array>

#include "consensus/core/export_pcf.h"

namespace lotchain::core {
namespace {

using nlohmann::json;
using namespace exports;

constexpr std::string_view kName = "catenax-pcf";

// UN M49 regions of ISO 3166-1 alpha-2 countries (the schema requires a region or subregion).
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kRegions = {{
    {"Africa",
     "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW "
     "ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW IO TF"},
    {"Americas",
     "AI AG AR AW BS BB BZ BM BO BQ BV BR CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD GP GT GY HT "
     "HN JM MQ MX MS NI PA PY PE PR BL KN LC MF PM VC SX GS SR TT TC US UY VE VG VI"},
    {"Asia",
     "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP KP "
     "OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE"},
    {"Europe",
     "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE LV LI LT LU MT "
     "MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB"},
    {"Oceania",
     "AS AU CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM VU WF CX CC"},
}};

Result<std::string> Region(const std::string& country) {
  if (country.size() == 2) {
    for (const auto& [region, countries] : kRegions) {
      for (size_t at = countries.find(country); at != std::string_view::npos;
           at = countries.find(country, at + 1)) {
        if (at % 3 == 0) return std::string(region);
      }
    }
  }
  return Status("EXPORT_NOT_APPLICABLE",
                "catenax-pcf: no UN region known for country \"" + country + "\"");
}

json Methodology(const ExportSource& source, const PcfFigures& pcf) {
  const auto* standards = Declared(source, "standard");
  const auto* ipcc = Declared(source, "ipcc");
  std::string factors = ipcc != nullptr && ipcc->size() == 1 ? (*ipcc)[0] : "unspecified";
  return json::array({{
      {"massBalancingInformation",
       {{{"massBalancingUsed", false},
         {"freeAttributionInMassBalancing", "not applicable"},
         {"massBalancingCertificateScheme", "not applicable"}}}},
      {"standards",
       {{{"crossSectoralStandards", standards ? json(*standards) : json::array()},
         {"productOrSectorSpecificRules", json::array()}}}},
      {"gwpCharacterizationFactorDetails", {{{"ipccCharacterizationFactors", factors}}}},
      {"allocationInForeground",
       {{{"allocationWasteIncineration", "cut-off"},
         {"allocationRulesDescription", pcf.allocation}}}},
  }});
}

Result<json> Assessment(const ExportSource& source, const PcfFigures& pcf, ExactNumbers& n) {
  LOTCHAIN_ASSIGN_OR_RETURN(
      bool ccs, DeclaredBool(source, kName, "ccs",
                             "the chain does not hold whether CCS/BECCS was used upstream"));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string region, Region(pcf.country));
  const Passport& p = *source.passport;
  json info = {
      {"technology",
       {{{"ccsTechnologicalCO2CaptureIncluded", ccs},
         {"boundaryProcessesDescription", pcf.boundary}}}},
      {"idAndVersion",
       {{{"id", NameUuid("catenax-pcf\n" + pcf.chain_id + "\n" + p.lot.lot_id() + "\n" +
                         std::to_string(p.as_of_height))},
         {"version", 0},
         {"status", "Active"},
         {"retroOrProspectivePcfType", "Retrospective PCF"}}}},
      {"boundarySpecifications",
       {{{"exemptedEmissionsPercent", 0},
         {"exemptedEmissionsDescription", "The roll-up exempts no declared emission."}}}},
      {"geography", {{{"geographyRegionOrSubregion", region}, {"geographyCountry", pcf.country}}}},
      {"time",
       {{{"referencePeriodStart", IsoTime(pcf.period.start_unix_ms)},
         {"referencePeriodEnd", IsoTime(pcf.period.end_unix_ms)},
         {"created", IsoTime(pcf.created_unix_ms)},
         {"validityPeriodEnd", IsoTime(AddYears(pcf.period.end_unix_ms, 3))}}}},
  };
  return json::array({{
      {"dataSourcesAndQuality", {{{"primaryDataShare", n.Number(pcf.primary_share_percent)}}}},
      {"pcfAssessmentInformation", {info}},
      {"pcfMethodology", Methodology(source, pcf)},
  }});
}

Result<json> Stages(const ExportSource& source, const PcfFigures& pcf, ExactNumbers& n) {
  LOTCHAIN_ASSIGN_OR_RETURN(
      bool packaging,
      DeclaredBool(source, kName, "packaging-included",
                   "the chain does not hold whether reagents declared upstream include packaging"));
  json production = {{"pcfIncludingBiogenicUptake", n.Number(pcf.kg_co2e_per_kg)},
                     {"pcfExcludingBiogenicUptake", n.Number(pcf.kg_co2e_per_kg)},
                     {"fossilGhgEmissions", n.Number(pcf.kg_co2e_per_kg)}};
  return json::array({{
      {"productionStage", {production}},
      {"distributionStage", {{{"distributionStageIncluded", false}}}},
      {"packagingStage", {{{"packagingEmissionsIncluded", packaging}}}},
  }});
}

class CatenaxPcf final : public ExportFormat {
 public:
  std::string_view name() const override { return kName; }
  std::string_view summary() const override {
    return "Catena-X io.catenax.pcf 9.0.0: the lot's carbon footprint per kg (needs --declare "
           "ccs=, packaging-included=)";
  }
  Result<std::string> Render(const ExportSource& source) const override {
    LOTCHAIN_ASSIGN_OR_RETURN(PcfFigures pcf, ComputePcf(source, kName));
    ExactNumbers n;
    LOTCHAIN_ASSIGN_OR_RETURN(json assessment, Assessment(source, pcf, n));
    LOTCHAIN_ASSIGN_OR_RETURN(json stages, Stages(source, pcf, n));
    json product = {
        {"productNameCompany", pcf.product_name},  {"productIds", {pcf.lot_urn}},
        {"declaredUnitOfMeasurement", "kilogram"}, {"declaredUnitAmount", 1},
        {"productMassPerDeclaredUnit", 1},         {"productDescription", pcf.product_description}};
    json company = {{"companyName", pcf.company_name}, {"companyIds", CompanyIds(source, pcf)}};
    json doc;
    doc["scopeOfPcfForm"] = {{{"specVersion", "urn:io.catenax.pcf:datamodel:version:9.0.0"},
                              {"partialFullPcf", "Cradle-to-gate"}}};
    doc["companyAndProductInformation"] = {
        {{"companyInformation", {company}}, {"productInformation", {product}}}};
    doc["pcfAssessmentAndMethodology"] = std::move(assessment);
    doc["general"] = {{{"comment", pcf.comment}}};
    doc["carbonContent"] = json::array();
    if (const auto* fossil = Declared(source, "fossil-carbon-content")) {
      LOTCHAIN_ASSIGN_OR_RETURN(std::string c,
                                DeclaredDecimal(source, kName, "fossil-carbon-content", ""));
      doc["carbonContent"].push_back({{"fossilCarbonContent", n.Number(c)}});
      (void)fossil;
    }
    doc["productLifeCycleStagesAndEmissions"] = std::move(stages);
    return n.Dump(doc);
  }
};

}  // namespace

const ExportFormat& CatenaxPcfFormat() {
  static const CatenaxPcf format;
  return format;
}

}  // namespace lotchain::core
