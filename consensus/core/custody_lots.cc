// Rules for a lot's own lifecycle: origin, transfer (offer/accept/reject/cancel), battery data,
// retirement.
#include "consensus/core/custody.h"
#include "consensus/core/proto_parse.h"
#include "consensus/core/custody_env.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {

namespace {

// Loads a lot for an event by its custodian: known, hash-linked to its last event, custodian.
Result<v1::Lot> LoadForCustodian(const TxEnv& env, std::string_view lot_id,
                                 std::string_view prev_event_hash) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, env.LoadLot(lot_id));
  LOTCHAIN_RETURN_IF_ERROR(RequireCustodian(env, lot));
  LOTCHAIN_RETURN_IF_ERROR(RequirePrevEvent(lot, prev_event_hash));
  return lot;
}

v1::LotEvent Event(v1::EventKind kind) {
  v1::LotEvent event;
  event.set_kind(kind);
  return event;
}

}  // namespace

Status ApplyCreateOriginLot(TxEnv& env, const v1::CreateOriginLot& tx) {
  LOTCHAIN_RETURN_IF_ERROR(RequireRole(env, {v1::ROLE_MINER}, "create origin lots"));
  LOTCHAIN_RETURN_IF_ERROR(env.RequireNewLotId(tx.lot_id()));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.material(), "material", 1, 64));
  LOTCHAIN_RETURN_IF_ERROR(CheckMass(tx.mass_grams(), "mass_grams"));
  LOTCHAIN_RETURN_IF_ERROR(CheckComposition(tx.composition(), tx.mass_grams(), "composition",
                                            /*recycled_allowed=*/false));
  LOTCHAIN_RETURN_IF_ERROR(CheckHash(tx.certificate().document_sha256(),
                                     "certificate.document_sha256"));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.certificate().issuer(), "certificate.issuer", 1, 128));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.certificate().number(), "certificate.number", 1, 64));
  LOTCHAIN_RETURN_IF_ERROR(CheckEmissions(tx.emissions(), "emissions"));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Facility facility, env.LoadFacility(tx.facility_id()));
  if (facility.owner_org() != env.actor_org()) {
    return Status(codes::kNotFacilityOwner, "facility \"" + facility.facility_id() +
                                                "\" belongs to \"" + facility.owner_org() +
                                                "\"; origin lots are created at your own mine");
  }
  if (facility.kind() != v1::FACILITY_KIND_MINE) {
    return Status(codes::kWrongFacilityKind,
                  "facility \"" + facility.facility_id() + "\" is not a mine; origin lots "
                  "are created at mines");
  }
  LOTCHAIN_RETURN_IF_ERROR(env.AddInjected(tx.emissions().co2e_grams()));
  v1::Lot lot;
  lot.set_lot_id(tx.lot_id());
  lot.set_material(tx.material());
  lot.set_mass_grams(tx.mass_grams());
  lot.set_initial_mass_grams(tx.mass_grams());
  *lot.mutable_composition() = tx.composition();
  lot.set_custodian_org(env.actor_org());
  lot.set_status(v1::LOT_STATUS_ACTIVE);
  lot.set_footprint_co2e_grams(tx.emissions().co2e_grams());
  if (tx.emissions().quality() == v1::DATA_QUALITY_PRIMARY) {
    lot.set_footprint_primary_co2e_grams(tx.emissions().co2e_grams());
  }
  lot.set_facility_id(facility.facility_id());
  lot.set_created_height(env.ctx().height);
  lot.set_created_time_unix_ms(env.ctx().time_unix_ms);
  lot.set_last_event_hash(ZeroHash());
  *lot.mutable_origin_certificate() = tx.certificate();
  lot.set_origin_country(facility.country());
  v1::LotEvent event = Event(v1::EVENT_KIND_CREATED_ORIGIN);
  event.set_facility_id(facility.facility_id());
  *event.mutable_facility_audit() = AuditAt(facility);
  event.set_mass_grams(tx.mass_grams());
  event.set_co2e_added_grams(tx.emissions().co2e_grams());
  event.set_step_co2e_grams(tx.emissions().co2e_grams());
  env.AppendEvent(lot, std::move(event));
  env.Store(keys::Lot(lot.lot_id()), lot);
  v1::Totals totals;
  env.Load(keys::Totals(), &totals);
  totals.set_lots_created(totals.lots_created() + 1);
  env.Store(keys::Totals(), totals);
  return Status::Ok();
}

namespace {

// Waste carries no footprint share, so it may not be sold on as material: it goes only to
// those who treat waste (a recycler or a collector).
Status RequireWasteReceiver(const v1::Lot& lot, const v1::Member& to) {
  if (!lot.waste() || HasRole(to, v1::ROLE_RECYCLER) || HasRole(to, v1::ROLE_COLLECTOR)) {
    return Status::Ok();
  }
  return Status(codes::kWasteRestricted,
                "lot \"" + lot.lot_id() + "\" is waste declared by its producer; it may go only "
                "to a recycler or collector, and \"" + to.org_id() + "\" is neither");
}

}  // namespace

Status ApplyOfferTransfer(TxEnv& env, const v1::OfferTransfer& tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadForCustodian(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.to_org(), "to_org"));
  LOTCHAIN_RETURN_IF_ERROR(CheckEmissions(tx.transport_emissions(), "transport_emissions"));
  const std::optional<std::string> to_bytes = env.view().Get(keys::Member(tx.to_org()));
  if (!to_bytes.has_value()) {
    return Status(codes::kUnknownOrg, "organisation \"" + tx.to_org() +
                                          "\" is not a consortium member; check the id");
  }
  v1::Member to;
  ParseOwnOrDie(to, *to_bytes);  // written by genesis, never by a client
  if (tx.to_org() == env.actor_org()) {
    return Status(codes::kInvalidField, "to_org is your own organisation; a transfer needs "
                                        "another organisation");
  }
  LOTCHAIN_RETURN_IF_ERROR(RequireWasteReceiver(lot, to));
  // The sender declares the transport's emissions with the offer, but they are counted only when
  // the transport happens (AcceptTransfer): a rejected or cancelled offer adds nothing, so
  // repeated offers cannot inflate a footprint and no custodian chooses when to count them.
  uint64_t co2e = tx.transport_emissions().co2e_grams();
  lot.set_status(v1::LOT_STATUS_IN_TRANSIT);
  lot.mutable_pending_offer()->set_to_org(tx.to_org());
  lot.mutable_pending_offer()->set_transport_co2e_grams(co2e);
  lot.mutable_pending_offer()->set_transport_primary(tx.transport_emissions().quality() ==
                                                     v1::DATA_QUALITY_PRIMARY);
  v1::LotEvent event = Event(v1::EVENT_KIND_OFFERED);
  event.set_mass_grams(lot.mass_grams());
  env.AppendEvent(lot, std::move(event));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

namespace {

// Shared by accept / reject / cancel: the lot must carry a pending offer.
Result<v1::Lot> LoadInTransit(const TxEnv& env, std::string_view lot_id,
                              std::string_view prev_event_hash) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, env.LoadLot(lot_id));
  if (lot.status() != v1::LOT_STATUS_IN_TRANSIT) {
    return Status(codes::kNotInTransit, "lot \"" + lot.lot_id() + "\" has no pending transfer "
                                        "offer (it is " + std::string(LotStatusName(lot.status())) + ")");
  }
  LOTCHAIN_RETURN_IF_ERROR(RequirePrevEvent(lot, prev_event_hash));
  return lot;
}

Status RequireRecipient(const TxEnv& env, const v1::Lot& lot) {
  if (lot.pending_offer().to_org() == env.actor_org()) return Status::Ok();
  return Status(codes::kNotOfferRecipient, "lot \"" + lot.lot_id() + "\" is offered to \"" +
                                               lot.pending_offer().to_org() +
                                               "\"; only that organisation may accept or reject "
                                               "it (its sender may withdraw it with `transfer "
                                               "cancel`)");
}

Status CloseOffer(TxEnv& env, v1::Lot lot, v1::EventKind kind, const std::string& custodian) {
  uint64_t co2e = 0;
  if (kind == v1::EVENT_KIND_ACCEPTED) {  // the transport happened: count its emissions, once
    co2e = lot.pending_offer().transport_co2e_grams();
    LOTCHAIN_RETURN_IF_ERROR(env.AddInjected(co2e));
    lot.set_footprint_co2e_grams(lot.footprint_co2e_grams() + co2e);
    if (lot.pending_offer().transport_primary()) {
      lot.set_footprint_primary_co2e_grams(lot.footprint_primary_co2e_grams() + co2e);
    }
  }
  // Collection is what makes a battery post-consumer waste (EU 2023/1542 Art. 8): its holder
  // cannot declare a new battery end of life itself, only hand it to a collector.
  const bool collected = kind == v1::EVENT_KIND_ACCEPTED && lot.has_battery() &&
                         !lot.end_of_life() && env.ActorHasRole(v1::ROLE_COLLECTOR);
  lot.set_status(v1::LOT_STATUS_ACTIVE);
  lot.set_custodian_org(custodian);
  lot.clear_pending_offer();
  if (collected) lot.set_end_of_life(true);
  v1::LotEvent event = Event(kind);
  event.set_mass_grams(lot.mass_grams());
  event.set_co2e_added_grams(co2e);
  event.set_end_of_life(collected);
  env.AppendEvent(lot, std::move(event));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

}  // namespace

Status ApplyAcceptTransfer(TxEnv& env, const v1::AcceptTransfer& tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadInTransit(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireRecipient(env, lot));
  return CloseOffer(env, std::move(lot), v1::EVENT_KIND_ACCEPTED, env.actor_org());
}

Status ApplyRejectTransfer(TxEnv& env, const v1::RejectTransfer& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.reason(), "reason", 0, 256));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadInTransit(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireRecipient(env, lot));
  std::string custodian = lot.custodian_org();
  return CloseOffer(env, std::move(lot), v1::EVENT_KIND_REJECTED, custodian);
}

Status ApplyCancelTransfer(TxEnv& env, const v1::CancelTransfer& tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadInTransit(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireCustodian(env, lot));
  std::string custodian = lot.custodian_org();
  return CloseOffer(env, std::move(lot), v1::EVENT_KIND_CANCELLED, custodian);
}

Status ApplyRegisterBattery(TxEnv& env, const v1::RegisterBattery& tx) {
  LOTCHAIN_RETURN_IF_ERROR(
      RequireRole(env, {v1::ROLE_OEM, v1::ROLE_CELL_MAKER}, "register battery data"));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadForCustodian(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
  if (!IsBatteryProduct(lot)) {
    return Status(codes::kNotBatteryProduct,
                  "lot \"" + lot.lot_id() + "\" (" + lot.material() +
                      ") is not a cell, module or pack produced by such a transform (or is "
                      "declared scrap); battery data is registered on the cell, module or pack lot");
  }
  if (lot.has_battery()) {
    return Status(codes::kBatteryAlreadyRegistered,
                  "lot \"" + lot.lot_id() + "\" already has battery data (serial " +
                      lot.battery().serial() + ")");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.serial(), "serial", 1, 64));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.chemistry(), "chemistry", 1, 32));
  if (tx.rated_capacity_wh() == 0 || tx.rated_capacity_wh() > 1'000'000'000) {
    return Status(codes::kInvalidField, "rated_capacity_wh must be 1..1e9 Wh");
  }
  if (tx.expected_lifetime_wh() < tx.rated_capacity_wh() ||
      tx.expected_lifetime_wh() > 1'000'000'000'000'000) {
    return Status(codes::kInvalidField,
                  "expected_lifetime_wh must be at least rated_capacity_wh (and <= 1e18 Wh)");
  }
  v1::Battery* battery = lot.mutable_battery();
  battery->set_serial(tx.serial());
  battery->set_chemistry(tx.chemistry());
  battery->set_rated_capacity_wh(tx.rated_capacity_wh());
  battery->set_expected_lifetime_wh(tx.expected_lifetime_wh());
  battery->set_state_of_health_ppm(1'000'000);
  env.AppendEvent(lot, Event(v1::EVENT_KIND_BATTERY_REGISTERED));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

Status ApplyUpdateStateOfHealth(TxEnv& env, const v1::UpdateStateOfHealth& tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadForCustodian(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
  if (!lot.has_battery()) {
    return Status(codes::kNotABattery, "lot \"" + lot.lot_id() + "\" has no battery data; "
                                       "register it as a battery first");
  }
  if (tx.state_of_health_ppm() > 1'000'000) {
    return Status(codes::kInvalidField, "state_of_health_ppm must be 0..1000000");
  }
  if (tx.delivered_energy_wh() < lot.battery().delivered_energy_wh()) {
    return Status(codes::kEnergyDecreases,
                  "delivered_energy_wh " + std::to_string(tx.delivered_energy_wh()) +
                      " is below the recorded " +
                      std::to_string(lot.battery().delivered_energy_wh()) +
                      " Wh; it is cumulative and never decreases");
  }
  lot.mutable_battery()->set_state_of_health_ppm(tx.state_of_health_ppm());
  lot.mutable_battery()->set_delivered_energy_wh(tx.delivered_energy_wh());
  env.AppendEvent(lot, Event(v1::EVENT_KIND_STATE_OF_HEALTH));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

Status ApplyRepurpose(TxEnv& env, const v1::Repurpose& tx) {
  LOTCHAIN_RETURN_IF_ERROR(
      RequireRole(env, {v1::ROLE_SECOND_LIFE}, "repurpose batteries for second life"));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadForCustodian(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
  if (!lot.has_battery()) {
    return Status(codes::kNotABattery, "lot \"" + lot.lot_id() + "\" has no battery data");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.application(), "application", 1, 128));
  lot.mutable_battery()->set_second_life_application(tx.application());
  env.AppendEvent(lot, Event(v1::EVENT_KIND_REPURPOSED));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

Status ApplyRetire(TxEnv& env, const v1::Retire& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.reason(), "reason", 0, 256));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, LoadForCustodian(env, tx.lot_id(), tx.prev_event_hash()));
  LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
  env.AddRetired(lot.footprint_co2e_grams());
  lot.set_status(v1::LOT_STATUS_RETIRED);
  v1::LotEvent event = Event(v1::EVENT_KIND_RETIRED);
  event.set_mass_grams(lot.mass_grams());
  env.AppendEvent(lot, std::move(event));
  env.Store(keys::Lot(lot.lot_id()), lot);
  return Status::Ok();
}

}  // namespace lotchain::core::internal
