// Rules for facilities, audits and risk flags (due diligence).
#include <algorithm>

#include "consensus/core/assert.h"
#include "consensus/core/custody_env.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {

namespace {

// Which roles may own which kind of facility.
Status RequireFacilityRole(const TxEnv& env, v1::FacilityKind kind) {
  switch (kind) {
    case v1::FACILITY_KIND_MINE:
      return RequireRole(env, {v1::ROLE_MINER}, "register a mine");
    case v1::FACILITY_KIND_REFINERY:
      return RequireRole(env, {v1::ROLE_REFINER}, "register a refinery");
    case v1::FACILITY_KIND_PLANT:
      return RequireRole(env,
                         {v1::ROLE_PRECURSOR_MAKER, v1::ROLE_CATHODE_MAKER, v1::ROLE_CELL_MAKER,
                          v1::ROLE_OEM, v1::ROLE_REFINER, v1::ROLE_SECOND_LIFE},
                         "register a plant");
    case v1::FACILITY_KIND_RECYCLING:
      return RequireRole(env, {v1::ROLE_RECYCLER, v1::ROLE_COLLECTOR},
                         "register a recycling facility");
    default:
      return Status(codes::kInvalidField,
                    "kind must be mine, refinery, plant or recycling");
  }
}

bool IsCountryCode(std::string_view country) {
  return country.size() == 2 && std::all_of(country.begin(), country.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

Status ApplyRegisterFacility(TxEnv& env, const v1::RegisterFacility& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.facility_id(), "facility_id"));
  LOTCHAIN_RETURN_IF_ERROR(RequireFacilityRole(env, tx.kind()));
  if (!IsCountryCode(tx.country())) {
    return Status(codes::kInvalidField, "country \"" + tx.country().substr(0, 16) +
                                            "\" must be an ISO 3166-1 alpha-2 code such as CD");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.name(), "name", 1, 128));
  if (tx.has_coordinates()) {
    const auto& c = tx.coordinates();
    if (c.latitude_microdeg() < -90'000'000 || c.latitude_microdeg() > 90'000'000 ||
        c.longitude_microdeg() < -180'000'000 || c.longitude_microdeg() > 180'000'000) {
      return Status(codes::kInvalidField, "coordinates out of range (micro-degrees: latitude "
                                          "-90e6..90e6, longitude -180e6..180e6)");
    }
  }
  if (env.view().Get(keys::Facility(tx.facility_id())).has_value()) {
    return Status(codes::kDuplicateFacilityId,
                  "facility id \"" + tx.facility_id() + "\" is already registered");
  }
  v1::Facility facility;
  facility.set_facility_id(tx.facility_id());
  facility.set_owner_org(env.actor_org());
  facility.set_kind(tx.kind());
  facility.set_country(tx.country());
  facility.set_name(tx.name());
  if (tx.has_coordinates()) *facility.mutable_coordinates() = tx.coordinates();
  facility.set_registered_height(env.ctx().height);
  env.Store(keys::Facility(facility.facility_id()), facility);
  return Status::Ok();
}

Status ApplyRecordAudit(TxEnv& env, const v1::RecordAudit& tx) {
  LOTCHAIN_RETURN_IF_ERROR(RequireRole(env, {v1::ROLE_AUDITOR}, "record audits"));
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.audit_id(), "audit_id"));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.standard(), "standard", 1, 128));
  LOTCHAIN_RETURN_IF_ERROR(CheckHash(tx.report_sha256(), "report_sha256"));
  if (tx.status() == v1::AUDIT_STATUS_UNSPECIFIED || !v1::AuditStatus_IsValid(tx.status())) {
    return Status(codes::kInvalidField, "status must be conformant, active, cross_recognized, "
                                        "eligible or non_conformant");
  }
  if (tx.audit_date_unix_ms() < 0 || tx.valid_until_unix_ms() <= tx.audit_date_unix_ms()) {
    return Status(codes::kInvalidField, "valid_until must be after audit_date (both Unix ms)");
  }
  if (tx.audit_date_unix_ms() > env.ctx().time_unix_ms) {
    return Status(codes::kInvalidField, "audit_date is in the future of the block time");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Facility facility, env.LoadFacility(tx.facility_id()));
  if (facility.owner_org() == env.actor_org()) {
    return Status(codes::kAuditorNotIndependent,
                  "an organisation may not audit its own facility \"" + facility.facility_id() + "\"");
  }
  if (env.view().Get(keys::Audit(tx.audit_id())).has_value()) {
    return Status(codes::kDuplicateAuditId, "audit id \"" + tx.audit_id() + "\" already exists");
  }
  v1::Audit audit;
  *audit.mutable_record() = tx;
  audit.set_auditor_org(env.actor_org());
  audit.set_height(env.ctx().height);
  env.Store(keys::Audit(tx.audit_id()), audit);
  env.Store(keys::FacilityAudit(tx.facility_id(), tx.audit_date_unix_ms(), tx.audit_id()), audit);
  // The latest audit (by audit date; a later recording wins a tie) is the facility's status.
  if (!facility.has_latest_audit() ||
      tx.audit_date_unix_ms() >= facility.latest_audit().audit_date_unix_ms()) {
    v1::AuditRef* ref = facility.mutable_latest_audit();
    ref->set_audit_id(tx.audit_id());
    ref->set_status(tx.status());
    ref->set_audit_date_unix_ms(tx.audit_date_unix_ms());
    ref->set_valid_until_unix_ms(tx.valid_until_unix_ms());
  }
  // Counted so that a proof bundle cannot leave an audit out (docs/PROOF-VERIFY.md).
  facility.set_audit_count(facility.audit_count() + 1);
  env.Store(keys::Facility(facility.facility_id()), facility);
  return Status::Ok();
}

Status ApplyRaiseRiskFlag(TxEnv& env, const v1::RaiseRiskFlag& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.flag_id(), "flag_id"));
  if (tx.category() == v1::RISK_CATEGORY_UNSPECIFIED || !v1::RiskCategory_IsValid(tx.category())) {
    return Status(codes::kInvalidField, "category must be one of the nine EU 2023/1542 Annex X "
                                        "categories");
  }
  if (tx.severity() == v1::SEVERITY_UNSPECIFIED || !v1::Severity_IsValid(tx.severity())) {
    return Status(codes::kInvalidField, "severity must be low, medium, high or critical");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckHash(tx.evidence_sha256(), "evidence_sha256"));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.description(), "description", 0, kTextBytesMax));
  char target_kind = 0;
  std::string target_id;
  if (tx.target_case() != v1::RaiseRiskFlag::kLotId &&
      tx.target_case() != v1::RaiseRiskFlag::kFacilityId) {
    return Status(codes::kInvalidField, "a risk flag targets a lot_id or a facility_id");
  }
  if (env.view().Get(keys::RiskFlag(tx.flag_id())).has_value()) {
    return Status(codes::kDuplicateFlagId, "flag id \"" + tx.flag_id() + "\" already exists");
  }
  // The target counts its open flags, so that a proof bundle cannot leave one out.
  if (tx.target_case() == v1::RaiseRiskFlag::kLotId) {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, env.LoadLot(tx.lot_id()));
    target_kind = 'L';
    target_id = lot.lot_id();
    lot.set_open_flag_count(lot.open_flag_count() + 1);
    env.Store(keys::Lot(target_id), lot);
  } else {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Facility facility, env.LoadFacility(tx.facility_id()));
    target_kind = 'F';
    target_id = facility.facility_id();
    facility.set_open_flag_count(facility.open_flag_count() + 1);
    env.Store(keys::Facility(target_id), facility);
  }
  v1::RiskFlag flag;
  *flag.mutable_raised() = tx;
  flag.set_raised_by_org(env.actor_org());
  flag.set_raised_height(env.ctx().height);
  env.Store(keys::RiskFlag(tx.flag_id()), flag);
  env.Store(keys::OpenFlag(target_kind, target_id, tx.flag_id()), flag);
  return Status::Ok();
}

Status ApplyResolveRiskFlag(TxEnv& env, const v1::ResolveRiskFlag& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.flag_id(), "flag_id"));
  LOTCHAIN_RETURN_IF_ERROR(CheckHash(tx.resolution_sha256(), "resolution_sha256"));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.note(), "note", 0, kTextBytesMax));
  v1::RiskFlag flag;
  if (!env.Load(keys::RiskFlag(tx.flag_id()), &flag)) {
    return Status(codes::kUnknownFlag, "no risk flag \"" + tx.flag_id() + "\" exists");
  }
  if (flag.resolved()) {
    return Status(codes::kFlagAlreadyResolved, "risk flag \"" + tx.flag_id() +
                                                   "\" was already resolved by " +
                                                   flag.resolved_by_org());
  }
  // Whoever raised a flag may close it; otherwise only an auditor, so that a custodian cannot
  // silence a flag raised against it.
  if (flag.raised_by_org() != env.actor_org()) {
    LOTCHAIN_RETURN_IF_ERROR(
        RequireRole(env, {v1::ROLE_AUDITOR}, "resolve a risk flag raised by someone else"));
  }
  flag.set_resolved(true);
  flag.set_resolved_by_org(env.actor_org());
  flag.set_resolved_height(env.ctx().height);
  flag.set_resolution_sha256(tx.resolution_sha256());
  flag.set_resolution_note(tx.note());
  env.Store(keys::RiskFlag(tx.flag_id()), flag);
  const auto& raised = flag.raised();
  if (raised.target_case() == v1::RaiseRiskFlag::kLotId) {
    env.Erase(keys::OpenFlag('L', raised.lot_id(), tx.flag_id()));
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, env.LoadLot(raised.lot_id()));
    LOTCHAIN_ASSERT(lot.open_flag_count() > 0);  // this flag was open on it
    lot.set_open_flag_count(lot.open_flag_count() - 1);
    env.Store(keys::Lot(lot.lot_id()), lot);
  } else {
    env.Erase(keys::OpenFlag('F', raised.facility_id(), tx.flag_id()));
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Facility facility, env.LoadFacility(raised.facility_id()));
    LOTCHAIN_ASSERT(facility.open_flag_count() > 0);
    facility.set_open_flag_count(facility.open_flag_count() - 1);
    env.Store(keys::Facility(facility.facility_id()), facility);
  }
  return Status::Ok();
}

}  // namespace lotchain::core::internal
