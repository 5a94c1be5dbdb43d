#include "consensus/core/export_pcf.h"

#include "consensus/core/quantity_text.h"

namespace lotchain::core::exports {

namespace {

constexpr std::string_view kBoundary =
    "Cradle-to-gate as recorded on lotchain: extraction emissions of every origin lot, the "
    "transports accepted on the way, and the process and reagent emissions of every transform "
    "and recovery upstream of the lot, each declared by the member that performed it.";
constexpr std::string_view kAllocation =
    "Mass allocation: each transform's or recovery's consumed footprint plus its process and "
    "reagent emissions is shared among its product outputs by mass (integer grams, largest "
    "remainder); declared waste and manufacturing scrap get no share. Recycled material carries "
    "only its recovery emissions (cut-off).";

bool IsDecimal(std::string_view text) {
  size_t digits = 0, i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (digits == 0) return false;
  if (i == text.size()) return true;
  if (text[i] != '.' || i + 1 == text.size()) return false;
  for (++i; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

std::string Comment(const ExportSource& source, const PcfFigures& pcf) {
  const Passport& p = *source.passport;
  std::string text = "Computed by lotchain from chain " + pcf.chain_id + " as of block " +
                     std::to_string(p.as_of_height) + " (" + IsoTime(p.as_of_time_unix_ms) +
                     "), over " + std::to_string(p.trace_lots) +
                     " lots upstream. lotchain records each emission as one CO2e total without a "
                     "fossil, biogenic or land-use split: the PCF figures and the fossil GHG "
                     "emissions carry that total, and no biogenic uptake is stated.";
  if (p.trace_truncated) {
    text += " The trace was cut at " + std::to_string(p.trace_lots) +
            " lots: the footprint is the lot's own and complete, but the reference period start "
            "is a bound from the lots shown.";
  }
  return text;
}

}  // namespace

Result<PcfFigures> ComputePcf(const ExportSource& source, std::string_view format) {
  LOTCHAIN_ASSERT(source.upstream != nullptr && source.passport != nullptr);
  const Passport& p = *source.passport;
  const v1::Lot& lot = p.lot;
  if (lot.mass_grams() == 0) {
    return Status("EXPORT_NOT_APPLICABLE",
                  "lot " + lot.lot_id() + " has no mass left: it has no footprint per kg");
  }
  if (const auto* ids = Declared(source, "company-id")) {
    for (const auto& id : *ids) {
      bool urn = id.size() > 4 && (id[0] == 'u' || id[0] == 'U') &&
                 (id[1] == 'r' || id[1] == 'R') && (id[2] == 'n' || id[2] == 'N') && id[3] == ':';
      if (!urn) {
        return Status("EXPORT_INPUT_MISSING", std::string(format) +
                                                  ": --declare company-id takes a URN, e.g. "
                                                  "urn:BPNL000000000DWF");
      }
    }
  }
  PcfFigures pcf;
  LOTCHAIN_ASSIGN_OR_RETURN(pcf.chain_id, ChainIdOf(source, format));
  pcf.lot_urn = Urn(pcf.chain_id, "lot", lot.lot_id());
  pcf.org_urn = Urn(pcf.chain_id, "org", lot.custodian_org());
  pcf.company_name = OrgName(source, lot.custodian_org());
  pcf.product_name = lot.material();
  pcf.product_description = lot.material() + ", lot " + lot.lot_id() + " (" +
                            FormatMass(lot.mass_grams()) + ") on lotchain chain " + pcf.chain_id;
  pcf.kg_co2e_per_kg = Decimal(p.roll_up.co2e_mg_per_kg(), 6);
  pcf.primary_share_percent = PercentOfPpm(p.roll_up.primary_share_ppm());
  pcf.period = ReferencePeriod(*source.upstream);
  pcf.created_unix_ms = p.as_of_time_unix_ms;
  pcf.country = source.upstream->nodes(0).facility().country();
  pcf.boundary = std::string(kBoundary);
  pcf.allocation = std::string(kAllocation);
  pcf.comment = Comment(source, pcf);
  return pcf;
}

std::vector<std::string> CompanyIds(const ExportSource& source, const PcfFigures& pcf) {
  std::vector<std::string> ids = {pcf.org_urn};
  if (const auto* declared = Declared(source, "company-id")) {
    for (const auto& id : *declared) {
      if (id != pcf.org_urn) ids.push_back(id);
    }
  }
  return ids;
}

Result<std::string> DeclaredDecimal(const ExportSource& source, std::string_view format,
                                    std::string_view key, std::string_view why) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::vector<std::string> values,
                            RequireDeclared(source, format, key, "0", why));
  if (values.size() != 1 || !IsDecimal(values[0])) {
    return Status("EXPORT_INPUT_MISSING", std::string(format) + ": --declare " + std::string(key) +
                                              " takes one decimal, e.g. 0.25");
  }
  return values[0];
}

Result<bool> DeclaredBool(const ExportSource& source, std::string_view format, std::string_view key,
                          std::string_view why) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::vector<std::string> values,
                            RequireDeclared(source, format, key, "false", why));
  if (values.size() != 1 || (values[0] != "true" && values[0] != "false")) {
    return Status("EXPORT_INPUT_MISSING",
                  std::string(format) + ": --declare " + std::string(key) + " takes true or false");
  }
  return values[0] == "true";
}

}  // namespace lotchain::core::exports
