// The product carbon footprint of a lot as the PCF formats state it (catenax-pcf, pact): one
// computation, so both documents carry the same figures. Declared unit: 1 kg of the lot.
#pragma once

#include <string>
#include <vector>

#include "consensus/core/export_format.h"
#include "consensus/core/export_support.h"

namespace lotchain::core::exports {

struct PcfFigures {
  std::string chain_id;
  std::string lot_urn, org_urn;
  std::string company_name;  // the custodian's member name (or org id without a genesis)
  std::string product_name;  // the lot's material
  std::string product_description;
  std::string kg_co2e_per_kg;         // roll_up.co2e_mg_per_kg / 10^6, exact decimal
  std::string primary_share_percent;  // roll_up.primary_share_ppm / 10^4, exact decimal
  Period period;
  int64_t created_unix_ms = 0;  // the block the trace holds as of
  std::string country;          // of the facility where the lot was made; empty if unknown
  std::string boundary;         // boundaryProcessesDescription
  std::string allocation;       // allocationRulesDescription
  std::string comment;          // what the figures are, and what is left out
};

// EXPORT_NOT_APPLICABLE for a lot with no mass left (no footprint per kg).
Result<PcfFigures> ComputePcf(const ExportSource& source, std::string_view format);

// The declared company ids (URNs) after the chain's own: {org_urn, declared...}.
std::vector<std::string> CompanyIds(const ExportSource& source, const PcfFigures& pcf);

// A declared decimal ("0", "0.25"): EXPORT_INPUT_MISSING when it is not one.
Result<std::string> DeclaredDecimal(const ExportSource& source, std::string_view format,
                                    std::string_view key, std::string_view why);
// A declared "true" or "false".
Result<bool> DeclaredBool(const ExportSource& source, std::string_view format, std::string_view key,
                          std::string_view why);


}  // namespace lotchain::core::exports
