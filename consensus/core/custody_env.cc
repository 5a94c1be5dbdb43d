// Shared helpers of the custody rules: loaders, event hash-linking, field checks.
#include <algorithm>

#include "consensus/core/crypto.h"
#include "consensus/core/custody_env.h"

#include "consensus/core/quantity_text.h"
#include "consensus/core/genesis.h"
#include "consensus/core/ids.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {

bool HasRole(const v1::Member& member, v1::Role role) {
  return std::find(member.roles().begin(), member.roles().end(), role) != member.roles().end();
}

bool TxEnv::ActorHasRole(v1::Role role) const { return HasRole(actor_, role); }

Result<v1::Lot> TxEnv::LoadLot(std::string_view lot_id) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(lot_id, "lot_id"));
  v1::Lot lot;
  if (!Load(keys::Lot(lot_id), &lot)) {
    return Status(codes::kUnknownLot, "no lot \"" + std::string(lot_id) +
                                          "\" exists on this chain; check the id");
  }
  return lot;
}

Result<v1::Facility> TxEnv::LoadFacility(std::string_view facility_id) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(facility_id, "facility_id"));
  v1::Facility facility;
  if (!Load(keys::Facility(facility_id), &facility)) {
    return Status(codes::kUnknownFacility, "no facility \"" + std::string(facility_id) +
                                               "\" is registered; register it first");
  }
  return facility;
}

Status TxEnv::RequireNewLotId(std::string_view lot_id) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(lot_id, "lot_id"));
  if (view_.Get(keys::Lot(lot_id)).has_value()) {
    return Status(codes::kDuplicateLotId,
                  "lot id \"" + std::string(lot_id) + "\" is already taken; choose a new id");
  }
  return Status::Ok();
}

void TxEnv::AppendEvent(v1::Lot& lot, v1::LotEvent event) {
  LOTCHAIN_ASSERT(lot.last_event_hash().size() == kHashBytes);
  std::string preimage = "lotchain/event/v1";
  preimage.push_back('\0');
  preimage += lot.last_event_hash();
  preimage += ctx_.tx_hash;
  preimage += lot.lot_id();
  event.set_lot_id(lot.lot_id());
  event.set_seq(lot.event_count());
  event.set_prev_event_hash(lot.last_event_hash());
  event.set_event_hash(Sha256(preimage));
  event.set_tx_hash(ctx_.tx_hash);
  event.set_height(ctx_.height);
  event.set_tx_index(ctx_.tx_index);
  event.set_time_unix_ms(ctx_.time_unix_ms);
  event.set_actor_org(actor_.org_id());
  lot.set_last_event_hash(event.event_hash());
  lot.set_event_count(lot.event_count() + 1);
  Store(keys::LotEvent(lot.lot_id(), event.seq()), event);
  v1::Totals totals;
  Load(keys::Totals(), &totals);
  totals.set_events(totals.events() + 1);
  Store(keys::Totals(), totals);
}

Status TxEnv::AddInjected(uint64_t co2e_grams) {
  v1::Totals totals;
  Load(keys::Totals(), &totals);
  Uint128 sum = 0;
  // 2^128 g: unreachable at <= 10^15 g per event, but checked rather than assumed.
  if (__builtin_add_overflow(InjectedTotal(totals), static_cast<Uint128>(co2e_grams), &sum)) {
    return Status(codes::kAmountOverflow, "chain-wide emissions total would overflow");
  }
  totals.set_injected_co2e_grams(static_cast<uint64_t>(sum));
  totals.set_injected_co2e_grams_high(static_cast<uint64_t>(sum >> 64));
  Store(keys::Totals(), totals);
  return Status::Ok();
}

void TxEnv::AddRetired(uint64_t co2e_grams) {
  v1::Totals totals;
  Load(keys::Totals(), &totals);
  // Retired emissions are a part of injected emissions, so this cannot overflow.
  const Uint128 retired = RetiredTotal(totals) + co2e_grams;
  LOTCHAIN_ASSERT(retired <= InjectedTotal(totals));
  totals.set_retired_co2e_grams(static_cast<uint64_t>(retired));
  totals.set_retired_co2e_grams_high(static_cast<uint64_t>(retired >> 64));
  Store(keys::Totals(), totals);
}

Uint128 InjectedTotal(const v1::Totals& totals) {
  return (static_cast<Uint128>(totals.injected_co2e_grams_high()) << 64) |
         totals.injected_co2e_grams();
}

Uint128 RetiredTotal(const v1::Totals& totals) {
  return (static_cast<Uint128>(totals.retired_co2e_grams_high()) << 64) |
         totals.retired_co2e_grams();
}

Status CheckId(std::string_view id, std::string_view field) {
  if (IsValidId(id)) return Status::Ok();
  return Status(codes::kInvalidField, std::string(field) + " \"" + std::string(id.substr(0, 80)) +
                                          "\" " + std::string(kIdRule));
}

Status CheckText(std::string_view text, std::string_view field, size_t min_bytes,
                 size_t max_bytes) {
  if (text.size() >= min_bytes && text.size() <= max_bytes) return Status::Ok();
  return Status(codes::kInvalidField, std::string(field) + " must be " +
                                          std::to_string(min_bytes) + ".." +
                                          std::to_string(max_bytes) + " bytes, got " +
                                          std::to_string(text.size()));
}

Status CheckHash(std::string_view hash, std::string_view field) {
  if (hash.size() == kHashBytes) return Status::Ok();
  return Status(codes::kInvalidField, std::string(field) + " must be a 32-byte SHA-256, got " +
                                          std::to_string(hash.size()) + " bytes");
}

Status CheckMass(uint64_t grams, std::string_view field) {
  if (grams > 0 && grams <= kMassGramsMax) return Status::Ok();
  return Status(codes::kInvalidField, std::string(field) + " must be 1 g.." +
                                          FormatMass(kMassGramsMax) + ", got " +
                                          FormatMass(grams));
}

Status CheckEmissions(const v1::Emissions& emissions, std::string_view field) {
  if (emissions.co2e_grams() > kCo2eGramsMax) {
    return Status(codes::kInvalidField, std::string(field) + ".co2e_grams exceeds " +
                                            FormatMass(kCo2eGramsMax) + " CO2e");
  }
  if (emissions.co2e_grams() > 0 && emissions.quality() == v1::DATA_QUALITY_UNSPECIFIED) {
    return Status(codes::kInvalidField,
                  std::string(field) + ".quality must be primary or secondary");
  }
  if (!v1::DataQuality_IsValid(emissions.quality())) {
    return Status(codes::kInvalidField, std::string(field) + ".quality is not a known value");
  }
  return Status::Ok();
}

Status CheckComposition(const google::protobuf::RepeatedPtrField<v1::ElementMass>& composition,
                        uint64_t mass_grams, std::string_view field, bool recycled_allowed) {
  uint64_t sum = 0;
  int prev = 0;
  for (const auto& entry : composition) {
    const std::string name = std::string(field) + "[" + std::string(ElementSymbol(entry.element())) + "]";
    if (entry.element() == v1::ELEMENT_UNSPECIFIED || !v1::Element_IsValid(entry.element())) {
      return Status(codes::kInvalidField, std::string(field) + " names an unknown element");
    }
    if (entry.element() <= prev) {
      return Status(codes::kInvalidField, std::string(field) +
                                              " must be sorted by element without duplicates");
    }
    prev = entry.element();
    if (entry.grams() > mass_grams) {
      return Status(codes::kCompositionExceedsMass,
                    name + " is " + FormatMass(entry.grams()) + ", more than the lot's " +
                        FormatMass(mass_grams));
    }
    bool has_recycled = entry.recycled_pre_consumer_grams() != 0 ||
                        entry.recycled_post_consumer_grams() != 0;
    if (has_recycled && !recycled_allowed) {
      return Status(codes::kInvalidField,
                    name + ": recycled grams are computed by the chain; leave them 0");
    }
    if (entry.recycled_pre_consumer_grams() > entry.grams() ||
        entry.recycled_post_consumer_grams() > entry.grams() - entry.recycled_pre_consumer_grams()) {
      return Status(codes::kInvalidField, name + ": recycled grams exceed the element's grams");
    }
    sum += entry.grams();  // each <= 1e15 and at most 10 entries: no overflow
    if (sum > mass_grams) {
      return Status(codes::kCompositionExceedsMass,
                    std::string(field) + " adds up to more than the lot's " +
                        FormatMass(mass_grams));
    }
  }
  return Status::Ok();
}

Status RequireRole(const TxEnv& env, std::initializer_list<v1::Role> roles,
                   std::string_view action) {
  std::string names;
  for (v1::Role role : roles) {
    if (env.ActorHasRole(role)) return Status::Ok();
    if (!names.empty()) names += " or ";
    names += RoleName(role);
  }
  return Status(codes::kRoleForbidden, "organisation \"" + env.actor_org() + "\" may not " +
                                           std::string(action) + ": that needs the role " +
                                           names + " in genesis");
}

Status RequireCustodian(const TxEnv& env, const v1::Lot& lot) {
  if (lot.custodian_org() == env.actor_org()) return Status::Ok();
  return Status(codes::kNotCustodian, "lot \"" + lot.lot_id() + "\" is in the custody of \"" +
                                          lot.custodian_org() + "\", not \"" + env.actor_org() +
                                          "\"; only the custodian may do this");
}

Status RequireActive(const v1::Lot& lot) {
  if (lot.status() == v1::LOT_STATUS_ACTIVE) return Status::Ok();
  return Status(codes::kLotNotActive, "lot \"" + lot.lot_id() + "\" is " +
                                          std::string(LotStatusName(lot.status())) +
                                          "; only an active lot can do this");
}

Status RequirePrevEvent(const v1::Lot& lot, std::string_view prev_event_hash) {
  if (prev_event_hash == lot.last_event_hash()) return Status::Ok();
  return Status(codes::kStaleEvent,
                "lot \"" + lot.lot_id() + "\": prev_event_hash " +
                    ToHex(prev_event_hash) + " is not its last event " +
                    ToHex(lot.last_event_hash()) + "; re-read the lot and rebuild the transaction");
}

std::string ZeroHash() { return std::string(kHashBytes, '\0'); }

std::string_view LotStatusName(v1::LotStatus status) {
  switch (status) {
    case v1::LOT_STATUS_ACTIVE: return "active";
    case v1::LOT_STATUS_IN_TRANSIT: return "in transit";
    case v1::LOT_STATUS_CONSUMED: return "consumed";
    case v1::LOT_STATUS_RETIRED: return "retired";
    default: return "unknown";
  }
}

v1::AuditRef AuditAt(const v1::Facility& facility) { return facility.latest_audit(); }

}  // namespace lotchain::core::internal
