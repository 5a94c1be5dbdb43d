// The export seam: one interface for every document lotchain hands to other systems (the EU
// battery passport, Catena-X and PACT footprints, EPCIS, UNTP credentials, ...), one file per
// format (export_<name>.cc), one registry (export_formats.cc). The CLI (`lotchain export`), the
// node's HTTP API and the explorer all render through it, from the same inputs: the lot's
// upstream trace read in one snapshot, and the passport computed over it. Pure: a format
// turns values into one document and never reads a clock, a file or the network.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/passport.h"
#include "consensus/core/result.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::core {

// Facts the chain does not hold that a format's schema requires, declared by the member who
// exports (`lotchain export --declare KEY=VALUE`, repeatable): e.g. "ipcc" -> {"AR6"}. Each
// format documents the keys it reads (docs/EXPORTS.md); a format never lets a declaration
// replace a figure the chain holds.
using ExportDeclarations = std::map<std::string, std::vector<std::string>, std::less<>>;

// What every format is rendered from.
struct ExportSource {
  const v1::Trace* upstream = nullptr;  // the lot's upstream trace (root first), one snapshot
  const Passport* passport = nullptr;   // BuildPassport over it
  const Genesis* genesis = nullptr;     // the chain's genesis; null when the caller has none
  // The chain's id (the node's status), for identifiers of lots, facilities and members;
  // formats prefer genesis->chain_id when the genesis is given.
  std::string chain_id;
  const ExportDeclarations* declarations = nullptr;  // null = none declared
};

class ExportFormat {
 public:
  virtual ~ExportFormat() = default;
  virtual std::string_view name() const = 0;     // the --format value, e.g. "lotchain-passport"
  virtual std::string_view summary() const = 0;  // one line for `lotchain export --help`
  // One document (JSON, or a compact JWS for a credential). Errors name what is missing
  // (e.g. a genesis for a format that states the policy), never invent it.
  virtual Result<std::string> Render(const ExportSource& source) const = 0;
};

// The formats by name (export_<name>.cc), also reachable through the registry below.
const ExportFormat& LotchainPassportFormat();
const ExportFormat& CatenaxPcfFormat();    // export_catenax_pcf.cc
const ExportFormat& PactFormat();          // export_pact.cc
const ExportFormat& BatterypassFormat();   // export_batterypass.cc
const ExportFormat& CatenaxBatteryPassFormat();  // export_catenax_battery_pass.cc
const ExportFormat& EpcisFormat();         // export_epcis.cc

// Every format, in the order `lotchain export --help` lists them.
const std::vector<const ExportFormat*>& ExportFormats();
// The format called `name`; error UNKNOWN_FORMAT lists the known ones.
Result<const ExportFormat*> FindExportFormat(std::string_view name);

}  // namespace lotchain::core
