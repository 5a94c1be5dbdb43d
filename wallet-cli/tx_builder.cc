#include "wallet-cli/tx_builder.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "consensus/core/ids.h"
#include "wallet-cli/keystore.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

using core::Result;
using core::Status;
using nlohmann::json;

constexpr size_t kDocumentBytesMax = 256u << 20;

Status BadInput(const std::string& message) { return Status("BAD_INPUT", message); }

// Prefixes the flag name to a quantity error: "--mass: "1.2x": unknown unit ...".
template <typename T>
Result<T> Flag(const std::string& flag, Result<T> value) {
  if (value.ok()) return value;
  return Status::FromCode(value.status().code(), flag + ": " + value.status().message());
}

// "refinery" -> FACILITY_KIND_REFINERY via the enum's descriptor; lists the choices on error.
Result<int> ParseEnum(const google::protobuf::EnumDescriptor* type, const std::string& prefix,
                      const std::string& flag, const std::string& text) {
  std::string upper = prefix;
  for (char c : text) {
    char u = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    upper.push_back(u == '-' ? '_' : u);
  }
  const auto* value = type->FindValueByName(upper);
  if (value != nullptr && value->number() != 0) return value->number();
  std::string choices;
  for (int i = 1; i < type->value_count(); ++i) {
    choices += (i > 1 ? ", " : "") + EnumLabel(type->value(i)->name(), prefix);
  }
  return BadInput(flag + ": \"" + text + "\" is not one of " + choices);
}

Result<std::string> RequireId(const std::string& flag, const std::string& id) {
  if (!core::IsValidId(id)) {
    return BadInput(flag + ": \"" + id.substr(0, 64) + "\" " + std::string(core::kIdRule));
  }
  return id;
}

Result<std::string> Digest(const std::string& flag, const DigestArgs& args) {
  if (!args.hex.empty() && !args.file.empty()) {
    return BadInput("give either " + flag + "-sha256 or " + flag + "-file, not both");
  }
  if (!args.file.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string data, ReadSmallFile(args.file, kDocumentBytesMax));
    return core::Sha256(data);
  }
  auto raw = core::FromHex(args.hex);
  if (args.hex.empty() || !raw.ok() || raw->size() != core::kHashBytes) {
    return BadInput(flag + "-sha256 must be 64 hex digits (SHA-256 of the document), or give " +
                    flag + "-file FILE to hash it");
  }
  return std::move(raw).value();
}

Result<v1::Emissions> Emissions(const std::string& flag, const EmissionArgs& args) {
  v1::Emissions e;
  if (args.co2e.empty()) return e;
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t grams, Flag(flag, ParseCo2eGrams(args.co2e)));
  LOTCHAIN_ASSIGN_OR_RETURN(
      int quality, ParseEnum(v1::DataQuality_descriptor(), "DATA_QUALITY_", "--quality",
                             args.quality.empty() ? std::string("secondary") : args.quality));
  e.set_co2e_grams(grams);
  e.set_quality(static_cast<v1::DataQuality>(quality));
  return e;
}

Result<std::string> Prev(const LotRef& lot, const PrevLookup& lookup) {
  if (!lot.prev_hex.empty()) {
    auto raw = core::FromHex(lot.prev_hex);
    if (!raw.ok() || raw->size() != core::kHashBytes) {
      return BadInput("--prev must be the lot's last event hash, 64 hex digits");
    }
    return std::move(raw).value();
  }
  if (!lookup) {
    return BadInput("lot \"" + lot.lot_id + "\": give --prev HEX (its last event hash, from "
                    "`lotchain lot show`) when building offline");
  }
  return lookup(lot.lot_id);
}

// "key=value;key=value" (values may contain spaces, not ';').
std::vector<std::pair<std::string, std::string>> SplitPairs(const std::string& spec) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(';', start);
    if (end == std::string::npos) end = spec.size();
    std::string part = spec.substr(start, end - start);
    size_t eq = part.find('=');
    if (!part.empty()) {
      pairs.emplace_back(eq == std::string::npos ? part : part.substr(0, eq),
                         eq == std::string::npos ? "" : part.substr(eq + 1));
    }
    start = end + 1;
  }
  return pairs;
}

Result<v1::LotConsumption> ParseInput(const std::string& spec, const PrevLookup& lookup) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    return BadInput("--input \"" + spec + "\": expected LOT=MASS or LOT=MASS@PREVHEX");
  }
  size_t at = spec.find('@', eq);
  LotRef ref{spec.substr(0, eq), at == std::string::npos ? "" : spec.substr(at + 1)};
  LOTCHAIN_RETURN_IF_ERROR(RequireId("--input lot", ref.lot_id).status());
  v1::LotConsumption input;
  input.set_lot_id(ref.lot_id);
  std::string mass = spec.substr(eq + 1, at == std::string::npos ? std::string::npos : at - eq - 1);
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t grams, Flag("--input " + ref.lot_id, ParseMassGrams(mass)));
  input.set_mass_grams(grams);
  LOTCHAIN_ASSIGN_OR_RETURN(*input.mutable_prev_event_hash(), Prev(ref, lookup));
  return input;
}

Result<v1::LotProduction> ParseOutput(const std::string& spec) {
  v1::LotProduction output;
  std::vector<std::string> elements;
  for (const auto& [key, value] : SplitPairs(spec)) {
    if (key == "id") {
      output.set_lot_id(value);
    } else if (key == "material") {
      output.set_material(value);
    } else if (key == "mass") {
      LOTCHAIN_ASSIGN_OR_RETURN(uint64_t grams, Flag("--output mass", ParseMassGrams(value)));
      if (grams == 0) {
        return BadInput("--output \"" + spec + "\": mass must be positive (a lot holds at "
                        "least 1 g); leave out an output that produced nothing");
      }
      output.set_mass_grams(grams);
    } else if (key == "role") {
      if (value != "product" && value != "waste") {
        return BadInput("--output \"" + spec + "\": role must be product or waste (waste gets "
                        "no share of the footprint and goes only to a recycler or collector)");
      }
      output.set_role(value == "waste" ? v1::OUTPUT_ROLE_WASTE : v1::OUTPUT_ROLE_PRODUCT);
    } else if (key == "scrap") {
      if (value != "yes" && value != "no") {
        return BadInput("--output \"" + spec + "\": scrap must be yes or no (yes declares the "
                        "output manufacturing scrap, which only a pre-consumer recovery takes)");
      }
      output.set_manufacturing_scrap(value == "yes");
    } else {
      elements.push_back(key + "=" + value);
    }
  }
  if (output.lot_id().empty() || output.material().empty() || output.mass_grams() == 0) {
    return BadInput("--output \"" + spec + "\": needs id=LOT;material=TEXT;mass=QTY and "
                    "optionally ELEMENT=QTY pairs, e.g. "
                    "\"id=cam-1;material=NMC811 cathode;mass=2t;Ni=950kg;Co=120kg\"");
  }
  LOTCHAIN_RETURN_IF_ERROR(RequireId("--output id", output.lot_id()).status());
  LOTCHAIN_ASSIGN_OR_RETURN(auto composition, ParseComposition(elements));
  for (auto& entry : composition) *output.add_composition() = std::move(entry);
  return output;
}

Result<v1::ReagentInput> ParseReagent(const std::string& spec) {
  v1::ReagentInput reagent;
  EmissionArgs emissions;
  bool has_co2e = false;
  for (const auto& [key, value] : SplitPairs(spec)) {
    if (key == "material") {
      reagent.set_material(value);
    } else if (key == "mass") {
      LOTCHAIN_ASSIGN_OR_RETURN(uint64_t grams, Flag("--reagent mass", ParseMassGrams(value)));
      if (grams == 0) {
        return BadInput("--reagent \"" + spec + "\": mass must be positive (at least 1 g); leave "
                        "out a reagent the process did not use");
      }
      reagent.set_mass_grams(grams);
    } else if (key == "co2e") {
      emissions.co2e = value;
      has_co2e = true;
    } else if (key == "quality") {
      emissions.quality = value;
    } else {
      return BadInput("--reagent \"" + spec + "\": unknown key \"" + key + "\"");
    }
  }
  if (reagent.material().empty() || reagent.mass_grams() == 0 || !has_co2e) {
    return BadInput("--reagent \"" + spec + "\": needs material=TEXT;mass=QTY;co2e=QTY (its "
                    "cradle-to-gate footprint) and optionally quality=primary|secondary, e.g. "
                    "\"material=sulphuric acid;mass=400kg;co2e=60kg;quality=secondary\"");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(*reagent.mutable_emissions(),
                            Emissions("--reagent " + reagent.material() + " co2e", emissions));
  return reagent;
}

template <typename Event>
Status FillInputsOutputs(const TransformArgs& args, const PrevLookup& lookup, Event* event) {
  if (args.inputs.empty()) return BadInput("give at least one --input LOT=MASS");
  if (args.outputs.empty()) return BadInput("give at least one --output id=...;material=...;mass=...");
  for (const auto& spec : args.inputs) {
    LOTCHAIN_ASSIGN_OR_RETURN(*event->add_inputs(), ParseInput(spec, lookup));
  }
  for (const auto& spec : args.outputs) {
    LOTCHAIN_ASSIGN_OR_RETURN(*event->add_outputs(), ParseOutput(spec));
  }
  for (const auto& spec : args.reagents) {
    LOTCHAIN_ASSIGN_OR_RETURN(*event->add_reagents(), ParseReagent(spec));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<v1::ElementMass>> ParseComposition(const std::vector<std::string>& specs) {
  std::vector<v1::ElementMass> out;
  for (const auto& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return BadInput("--element \"" + spec + "\": expected SYMBOL=MASS, e.g. Co=120kg");
    }
    auto element = core::ParseElement(spec.substr(0, eq));
    if (!element.ok()) return BadInput("--element \"" + spec + "\": " + element.status().message());
    LOTCHAIN_ASSIGN_OR_RETURN(uint64_t grams,
                              Flag("--element " + spec.substr(0, eq),
                                   ParseMassGrams(spec.substr(eq + 1))));
    for (const auto& e : out) {
      if (e.element() == *element) return BadInput("element " + spec.substr(0, eq) + " given twice");
    }
    v1::ElementMass entry;
    entry.set_element(*element);
    entry.set_grams(grams);
    out.push_back(entry);
  }
  std::sort(out.begin(), out.end(), [](const v1::ElementMass& a, const v1::ElementMass& b) {
    return a.element() < b.element();
  });
  return out;
}

Result<v1::TxBody> BuildRegisterFacility(const FacilityArgs& args) {
  v1::TxBody body;
  auto* e = body.mutable_register_facility();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--id", args.facility_id));
  LOTCHAIN_ASSIGN_OR_RETURN(int kind, ParseEnum(v1::FacilityKind_descriptor(), "FACILITY_KIND_",
                                                "--kind", args.kind));
  e->set_kind(static_cast<v1::FacilityKind>(kind));
  if (args.country.size() != 2) return BadInput("--country must be an ISO 3166-1 alpha-2 code, e.g. CD");
  std::string country = args.country;
  for (char& c : country) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  e->set_country(country);
  if (args.name.empty()) return BadInput("--name is required (1..128 bytes)");
  e->set_name(args.name);
  if (!args.location.empty()) {
    size_t comma = args.location.find(',');
    if (comma == std::string::npos) return BadInput("--location must be LAT,LON in degrees");
    LOTCHAIN_ASSIGN_OR_RETURN(int32_t lat, Flag("--location latitude",
                                                ParseMicrodegrees(args.location.substr(0, comma), 90'000'000)));
    LOTCHAIN_ASSIGN_OR_RETURN(int32_t lon, Flag("--location longitude",
                                                ParseMicrodegrees(args.location.substr(comma + 1), 180'000'000)));
    e->mutable_coordinates()->set_latitude_microdeg(lat);
    e->mutable_coordinates()->set_longitude_microdeg(lon);
  }
  return body;
}

Result<v1::TxBody> BuildCreateOriginLot(const OriginLotArgs& args) {
  v1::TxBody body;
  auto* e = body.mutable_create_origin_lot();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("--id", args.lot_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--facility", args.facility_id));
  if (args.material.empty()) return BadInput("--material is required, e.g. \"cobalt hydroxide\"");
  e->set_material(args.material);
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t mass, Flag("--mass", ParseMassGrams(args.mass)));
  e->set_mass_grams(mass);
  LOTCHAIN_ASSIGN_OR_RETURN(auto composition, ParseComposition(args.elements));
  for (auto& entry : composition) *e->add_composition() = std::move(entry);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_certificate()->mutable_document_sha256(),
                            Digest("--certificate", args.certificate));
  if (args.issuer.empty() || args.number.empty()) {
    return BadInput("--issuer and --cert-number (of the origin certificate) are required");
  }
  e->mutable_certificate()->set_issuer(args.issuer);
  e->mutable_certificate()->set_number(args.number);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_emissions(), Emissions("--co2e", args.emissions));
  return body;
}

Result<v1::TxBody> BuildOffer(const OfferArgs& args, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_offer_transfer();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", args.lot.lot_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_to_org(), RequireId("--to", args.to_org));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_transport_emissions(), Emissions("--co2e", args.transport));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(args.lot, lookup));
  return body;
}

Result<v1::TxBody> BuildAccept(const LotRef& lot, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_accept_transfer();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", lot.lot_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(lot, lookup));
  return body;
}

Result<v1::TxBody> BuildReject(const LotRef& lot, const std::string& reason,
                               const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_reject_transfer();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", lot.lot_id));
  e->set_reason(reason);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(lot, lookup));
  return body;
}

Result<v1::TxBody> BuildCancel(const LotRef& lot, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_cancel_transfer();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", lot.lot_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(lot, lookup));
  return body;
}

Result<v1::TxBody> BuildTransform(const TransformArgs& args, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_transform();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--facility", args.facility_id));
  LOTCHAIN_ASSIGN_OR_RETURN(int process, ParseEnum(v1::ProcessKind_descriptor(), "PROCESS_KIND_",
                                                   "--process", args.process));
  e->set_process(static_cast<v1::ProcessKind>(process));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_process_emissions(), Emissions("--co2e", args.emissions));
  LOTCHAIN_RETURN_IF_ERROR(FillInputsOutputs(args, lookup, e));
  return body;
}

Result<v1::TxBody> BuildRecover(const TransformArgs& args, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_recover();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--facility", args.facility_id));
  LOTCHAIN_ASSIGN_OR_RETURN(int source, ParseEnum(v1::RecycledSource_descriptor(),
                                                  "RECYCLED_SOURCE_", "--source", args.source));
  e->set_source(static_cast<v1::RecycledSource>(source));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_process_emissions(), Emissions("--co2e", args.emissions));
  LOTCHAIN_RETURN_IF_ERROR(FillInputsOutputs(args, lookup, e));
  return body;
}

Result<v1::TxBody> BuildAudit(const AuditArgs& args) {
  v1::TxBody body;
  auto* e = body.mutable_record_audit();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_audit_id(), RequireId("--id", args.audit_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--facility", args.facility_id));
  if (args.standard.empty()) {
    return BadInput("--standard is required, e.g. \"RMI RMAP Cobalt Refiner DD Standard\"");
  }
  e->set_standard(args.standard);
  LOTCHAIN_ASSIGN_OR_RETURN(int status, ParseEnum(v1::AuditStatus_descriptor(), "AUDIT_STATUS_",
                                                  "--status", args.status));
  e->set_status(static_cast<v1::AuditStatus>(status));
  LOTCHAIN_ASSIGN_OR_RETURN(int64_t date, Flag("--date", ParseDateUnixMs(args.date)));
  LOTCHAIN_ASSIGN_OR_RETURN(int64_t until, Flag("--valid-until", ParseDateUnixMs(args.valid_until)));
  if (until <= date) return BadInput("--valid-until must be after --date");
  e->set_audit_date_unix_ms(date);
  e->set_valid_until_unix_ms(until);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_report_sha256(), Digest("--report", args.report));
  return body;
}

Result<v1::TxBody> BuildRaiseFlag(const FlagRaiseArgs& args) {
  v1::TxBody body;
  auto* e = body.mutable_raise_risk_flag();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_flag_id(), RequireId("--id", args.flag_id));
  if (args.lot_id.empty() == args.facility_id.empty()) {
    return BadInput("give exactly one target: --lot LOT or --facility FACILITY");
  }
  if (!args.lot_id.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("--lot", args.lot_id));
  } else {
    LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_facility_id(), RequireId("--facility", args.facility_id));
  }
  LOTCHAIN_ASSIGN_OR_RETURN(int category, ParseEnum(v1::RiskCategory_descriptor(),
                                                    "RISK_CATEGORY_", "--category", args.category));
  e->set_category(static_cast<v1::RiskCategory>(category));
  LOTCHAIN_ASSIGN_OR_RETURN(int severity, ParseEnum(v1::Severity_descriptor(), "SEVERITY_",
                                                    "--severity", args.severity));
  e->set_severity(static_cast<v1::Severity>(severity));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_evidence_sha256(), Digest("--evidence", args.evidence));
  e->set_description(args.description);
  return body;
}

Result<v1::TxBody> BuildResolveFlag(const FlagResolveArgs& args) {
  v1::TxBody body;
  auto* e = body.mutable_resolve_risk_flag();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_flag_id(), RequireId("FLAG", args.flag_id));
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_resolution_sha256(),
                            Digest("--resolution", args.resolution));
  e->set_note(args.note);
  return body;
}

Result<v1::TxBody> BuildRegisterBattery(const BatteryRegisterArgs& args, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_register_battery();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", args.lot.lot_id));
  if (args.serial.empty() || args.chemistry.empty()) {
    return BadInput("--serial and --chemistry (e.g. NMC811, LFP) are required");
  }
  e->set_serial(args.serial);
  e->set_chemistry(args.chemistry);
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t capacity, Flag("--capacity", ParseEnergyWh(args.capacity)));
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t lifetime, Flag("--lifetime", ParseEnergyWh(args.lifetime)));
  e->set_rated_capacity_wh(capacity);
  e->set_expected_lifetime_wh(lifetime);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(args.lot, lookup));
  return body;
}

Result<v1::TxBody> BuildUpdateBattery(const BatteryUpdateArgs& args, const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_update_state_of_health();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", args.lot.lot_id));
  LOTCHAIN_ASSIGN_OR_RETURN(uint32_t soh, Flag("--soh", ParsePpm(args.state_of_health)));
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t delivered, Flag("--delivered", ParseEnergyWh(args.delivered)));
  e->set_state_of_health_ppm(soh);
  e->set_delivered_energy_wh(delivered);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(args.lot, lookup));
  return body;
}

Result<v1::TxBody> BuildRepurpose(const LotRef& lot, const std::string& application,
                                  const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_repurpose();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", lot.lot_id));
  if (application.empty()) return BadInput("--application is required, e.g. \"stationary storage\"");
  e->set_application(application);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(lot, lookup));
  return body;
}

Result<v1::TxBody> BuildRetire(const LotRef& lot, const std::string& reason,
                               const PrevLookup& lookup) {
  v1::TxBody body;
  auto* e = body.mutable_retire();
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_lot_id(), RequireId("LOT", lot.lot_id));
  e->set_reason(reason);
  LOTCHAIN_ASSIGN_OR_RETURN(*e->mutable_prev_event_hash(), Prev(lot, lookup));
  return body;
}

}  // namespace lotchain::wallet
