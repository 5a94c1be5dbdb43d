// The registry of export formats (export_format.h). A new format: one file export_<name>.cc
// defining its ExportFormat, and one line here.
#include "consensus/core/export_format.h"

namespace lotchain::core {

const std::vector<const ExportFormat*>& ExportFormats() {
  static const std::vector<const ExportFormat*> formats = {
      &LotchainPassportFormat(), &BatterypassFormat(), &CatenaxBatteryPassFormat(),
      &CatenaxPcfFormat(),       &PactFormat(),        &EpcisFormat()};
  return formats;
}

Result<const ExportFormat*> FindExportFormat(std::string_view name) {
  std::string known;
  for (const ExportFormat* format : ExportFormats()) {
    if (format->name() == name) return format;
    known += (known.empty() ? "" : ", ") + std::string(format->name());
  }
  return Status("UNKNOWN_FORMAT",
                "no export format \"" + std::string(name) + "\"; the formats are: " + known);
}

}  // namespace lotchain::core
