// Rules for transforms (refining, precursor, cathode, cell, module, pack, split, merge) and for
// recovery by recyclers. Both consume masses of input lots and produce new lots:
// - each consumed input keeps floor(x * remaining / mass) of every quantity x (footprint,
//   element grams, recycled grams) and gives up the rest (allocation.h), so nothing is lost;
// - no element's total mass may increase: for every element, the outputs' grams are at most the
//   grams consumed; and the outputs weigh at most the consumed mass plus the declared reagents
//   (which carry their own declared footprint), so no output can be conjured to absorb a share;
// - waste outputs (OUTPUT_ROLE_WASTE, manufacturing scrap) get no footprint; waste is never an
//   input of a transform (it would bring elements without their burden);
// - Transform: consumed footprint + process + reagent emissions are split over the product
//   outputs by the tracked element grams they carry, or by mass when none carries any (largest
//   remainder; physical allocation, docs/CUSTODY.md "Allocation");
//   recycled grams flow to each output in proportion to its element grams.
// - Recover: the cut-off rule of the EU battery carbon-footprint method: the end-of-life inputs'
//   footprint is closed (moved to the retired total) and the recovered outputs carry only the
//   recovery process emissions; all of an output's element grams count as recycled content.
#include <algorithm>
#include <map>
#include <set>

#include "consensus/core/allocation.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_env.h"
#include "consensus/core/quantity_text.h"
#include "consensus/core/genesis.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {

namespace {

struct ElementFlow {
  uint64_t grams = 0;
  uint64_t pre = 0;   // recycled pre-consumer grams
  uint64_t post = 0;  // recycled post-consumer grams
};

struct ConsumedInputs {
  std::vector<v1::Lot> lots;         // after consumption (not yet stored)
  std::vector<uint64_t> masses;      // g consumed from each
  uint64_t mass = 0;                 // g consumed in all
  uint64_t footprint = 0;            // g CO2e consumed
  uint64_t footprint_primary = 0;
  std::map<int, ElementFlow> elements;  // by v1::Element, ordered
};

// Takes `consumed` grams out of `lot` (in place) and adds what left it to `into`.
void ConsumeFromLot(v1::Lot& lot, uint64_t consumed, ConsumedInputs& into) {
  const uint64_t mass = lot.mass_grams();
  LOTCHAIN_ASSERT(consumed > 0 && consumed <= mass);
  uint64_t keep_fp = RemainingShare(lot.footprint_co2e_grams(), consumed, mass);
  uint64_t keep_primary = RemainingShare(lot.footprint_primary_co2e_grams(), consumed, mass);
  into.footprint += lot.footprint_co2e_grams() - keep_fp;
  into.footprint_primary += lot.footprint_primary_co2e_grams() - keep_primary;
  lot.set_footprint_co2e_grams(keep_fp);
  lot.set_footprint_primary_co2e_grams(keep_primary);
  for (auto& entry : *lot.mutable_composition()) {
    // The recycled total is split as a whole, then pre-consumer; post-consumer is the rest, so
    // recycled grams never exceed the element grams on either side.
    uint64_t recycled = entry.recycled_pre_consumer_grams() + entry.recycled_post_consumer_grams();
    uint64_t keep_grams = RemainingShare(entry.grams(), consumed, mass);
    uint64_t keep_recycled = RemainingShare(recycled, consumed, mass);
    uint64_t keep_pre = RemainingShare(entry.recycled_pre_consumer_grams(), consumed, mass);
    LOTCHAIN_ASSERT(keep_pre <= keep_recycled);
    LOTCHAIN_ASSERT(keep_recycled <= keep_grams);
    ElementFlow& flow = into.elements[entry.element()];
    flow.grams += entry.grams() - keep_grams;
    flow.pre += entry.recycled_pre_consumer_grams() - keep_pre;
    flow.post += (recycled - keep_recycled) - (entry.recycled_pre_consumer_grams() - keep_pre);
    entry.set_grams(keep_grams);
    entry.set_recycled_pre_consumer_grams(keep_pre);
    entry.set_recycled_post_consumer_grams(keep_recycled - keep_pre);
  }
  lot.set_mass_grams(mass - consumed);
  if (lot.mass_grams() == 0) lot.set_status(v1::LOT_STATUS_CONSUMED);
}

Result<ConsumedInputs> ConsumeInputs(
    const TxEnv& env, const google::protobuf::RepeatedPtrField<v1::LotConsumption>& inputs) {
  if (inputs.empty() || static_cast<size_t>(inputs.size()) > kTransformInputsMax) {
    return Status(codes::kInvalidField, "inputs must list 1.." +
                                            std::to_string(kTransformInputsMax) + " lots");
  }
  ConsumedInputs consumed;
  std::set<std::string> seen;
  for (const auto& input : inputs) {
    if (!seen.insert(input.lot_id()).second) {
      return Status(codes::kInvalidField, "input lot \"" + input.lot_id() + "\" is listed twice");
    }
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, env.LoadLot(input.lot_id()));
    LOTCHAIN_RETURN_IF_ERROR(RequireCustodian(env, lot));
    LOTCHAIN_RETURN_IF_ERROR(RequireActive(lot));
    LOTCHAIN_RETURN_IF_ERROR(RequirePrevEvent(lot, input.prev_event_hash()));
    if (input.mass_grams() == 0 || input.mass_grams() > lot.mass_grams()) {
      return Status(codes::kInsufficientMass,
                    "input lot \"" + lot.lot_id() + "\" holds " + FormatMass(lot.mass_grams()) +
                        "; cannot consume " + FormatMass(input.mass_grams()));
    }
    ConsumeFromLot(lot, input.mass_grams(), consumed);
    consumed.lots.push_back(std::move(lot));
    consumed.masses.push_back(input.mass_grams());
    consumed.mass += input.mass_grams();  // <= 64 lots of at most kMassGramsMax: no overflow
  }
  return consumed;
}

struct Reagents {
  uint64_t mass = 0;  // g
  uint64_t co2e = 0;  // g CO2e
  uint64_t primary_co2e = 0;
};

Result<Reagents> CheckReagents(const google::protobuf::RepeatedPtrField<v1::ReagentInput>& list) {
  if (static_cast<size_t>(list.size()) > kTransformInputsMax) {
    return Status(codes::kInvalidField,
                  "reagents must list at most " + std::to_string(kTransformInputsMax));
  }
  Reagents out;
  for (const v1::ReagentInput& reagent : list) {
    LOTCHAIN_RETURN_IF_ERROR(CheckText(reagent.material(), "reagent material", 1, 64));
    LOTCHAIN_RETURN_IF_ERROR(CheckMass(reagent.mass_grams(), "reagent " + reagent.material() +
                                                                 " mass_grams"));
    LOTCHAIN_RETURN_IF_ERROR(
        CheckEmissions(reagent.emissions(), "reagent " + reagent.material() + " emissions"));
    out.mass += reagent.mass_grams();  // <= 64 * kMassGramsMax: no overflow
    if (__builtin_add_overflow(out.co2e, reagent.emissions().co2e_grams(), &out.co2e)) {
      return Status(codes::kAmountOverflow, "the reagents' emissions overflow");
    }
    if (reagent.emissions().quality() == v1::DATA_QUALITY_PRIMARY) {
      out.primary_co2e += reagent.emissions().co2e_grams();  // <= out.co2e
    }
  }
  return out;
}

bool IsWasteOutput(const v1::LotProduction& output) {
  return output.role() == v1::OUTPUT_ROLE_WASTE || output.manufacturing_scrap();
}

// Waste carried no footprint share when it was made; as an input of a transform it would bring
// its elements into a product without their burden.
Status RequireNotWaste(const v1::Lot& lot) {
  if (!lot.waste()) return Status::Ok();
  return Status(codes::kWasteRestricted,
                "lot \"" + lot.lot_id() + "\" is waste declared by its producer (it carries no "
                "footprint share), so no transform may use it: send it to a recycler for "
                "recovery (pre-consumer, when it is manufacturing scrap) or retire it");
}

// The allocation key of each output (docs/CUSTODY.md "Allocation"): the grams of tracked
// elements it carries, so the footprint follows the material that came from the consumed lots
// and an element-free output (which reagent mass alone could make as heavy as one likes) takes
// no share; when no product carries a tracked element, the products' masses. Waste weighs 0.
std::vector<uint64_t> AllocationKeys(
    const google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs) {
  std::vector<uint64_t> elements, masses;
  uint64_t element_total = 0;  // <= 64 outputs x kMassGramsMax: no overflow
  for (const auto& output : outputs) {
    uint64_t grams = 0;
    for (const auto& entry : output.composition()) grams += entry.grams();  // <= output mass
    const bool waste = IsWasteOutput(output);
    elements.push_back(waste ? 0 : grams);
    masses.push_back(waste ? 0 : output.mass_grams());
    element_total += elements.back();
  }
  return element_total > 0 ? elements : masses;
}

// Pre-consumer recycled content is battery manufacturing waste (EU 2023/1542 Art. 8): only the
// manufacturing steps declare scrap. A refinery's residues are waste (role waste), never scrap,
// so refining ore into "scrap" cannot make virgin material recyclable.
Status RequireScrapFromManufacturing(const v1::Transform& tx) {
  if (MayDeclareScrap(tx.process())) return Status::Ok();
  for (const auto& output : tx.outputs()) {
    if (!output.manufacturing_scrap()) continue;
    return Status(codes::kInvalidField,
                  "output " + output.lot_id() + ": only battery manufacturing (precursor, "
                  "cathode, anode, cell, module, pack) declares manufacturing scrap; declare "
                  "a residue of this process role=waste instead");
  }
  return Status::Ok();
}

Status CheckOutputs(const TxEnv& env,
                    const google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs,
                    const ConsumedInputs& consumed, const Reagents& reagents, bool recovery) {
  if (outputs.empty() || static_cast<size_t>(outputs.size()) > kTransformOutputsMax) {
    return Status(codes::kInvalidField, "outputs must list 1.." +
                                            std::to_string(kTransformOutputsMax) + " lots");
  }
  std::set<std::string> seen;
  std::map<int, uint64_t> produced;
  uint64_t output_mass = 0;  // <= 64 * kMassGramsMax: no overflow
  bool has_product = false;
  for (const auto& output : outputs) {
    if (!seen.insert(output.lot_id()).second) {
      return Status(codes::kInvalidField, "output lot \"" + output.lot_id() + "\" is listed twice");
    }
    LOTCHAIN_RETURN_IF_ERROR(env.RequireNewLotId(output.lot_id()));
    LOTCHAIN_RETURN_IF_ERROR(CheckText(output.material(), "output material", 1, 64));
    LOTCHAIN_RETURN_IF_ERROR(CheckMass(output.mass_grams(), "output mass_grams"));
    LOTCHAIN_RETURN_IF_ERROR(CheckComposition(output.composition(), output.mass_grams(),
                                              "output " + output.lot_id() + " composition",
                                              /*recycled_allowed=*/false));
    if (recovery && output.manufacturing_scrap()) {
      return Status(codes::kInvalidField, "output " + output.lot_id() + ": a recovery's outputs "
                                          "are recovered material, not manufacturing scrap");
    }
    if (!v1::OutputRole_IsValid(output.role())) {
      return Status(codes::kInvalidField, "output " + output.lot_id() + ": role must be product "
                                          "or waste");
    }
    has_product = has_product || !IsWasteOutput(output);
    output_mass += output.mass_grams();
    for (const auto& entry : output.composition()) produced[entry.element()] += entry.grams();
  }
  if (!has_product) {
    return Status(codes::kInvalidField, "every output is waste; at least one product must carry "
                                        "the footprint (retire a lot to dispose of it)");
  }
  for (const auto& [element, grams] : produced) {
    auto it = consumed.elements.find(element);
    uint64_t available = it == consumed.elements.end() ? 0 : it->second.grams;
    if (grams > available) {
      return Status(codes::kElementMassIncreases,
                    "outputs hold " + FormatMass(grams) + " of " +
                        std::string(ElementSymbol(static_cast<v1::Element>(element))) +
                        " but the inputs consumed only " + FormatMass(available) +
                        "; no element's mass may increase");
    }
  }
  if (output_mass > consumed.mass + reagents.mass) {
    return Status(codes::kMassIncreases,
                  "outputs weigh " + FormatMass(output_mass) + " but the inputs gave " +
                      FormatMass(consumed.mass) + " and the reagents " +
                      FormatMass(reagents.mass) + "; declare every reagent the process "
                      "used (material, mass and its footprint), or lower the output masses");
  }
  return Status::Ok();
}

Result<v1::Facility> LoadOwnFacility(const TxEnv& env, std::string_view facility_id,
                                     std::initializer_list<v1::FacilityKind> kinds,
                                     std::string_view what) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Facility facility, env.LoadFacility(facility_id));
  if (facility.owner_org() != env.actor_org()) {
    return Status(codes::kNotFacilityOwner, "facility \"" + facility.facility_id() +
                                                "\" belongs to \"" + facility.owner_org() + "\"");
  }
  if (std::find(kinds.begin(), kinds.end(), facility.kind()) == kinds.end()) {
    return Status(codes::kWrongFacilityKind,
                  "facility \"" + facility.facility_id() + "\" cannot host " + std::string(what));
  }
  return facility;
}

struct OutputPlan {
  uint64_t footprint_total = 0;  // to split over outputs by mass
  uint64_t step_total = 0;       // of which this step's own: process and reagents
  uint64_t primary_total = 0;
  bool recovery = false;
  v1::RecycledSource source = v1::RECYCLED_SOURCE_UNSPECIFIED;
  v1::ProcessKind process = v1::PROCESS_KIND_UNSPECIFIED;  // of a Transform
};

// Recycled grams of one output element: recovery makes all of it recycled; a transform passes on
// the consumed recycled share in proportion.
void SetRecycled(v1::ElementMass& entry, const ConsumedInputs& consumed, const OutputPlan& plan) {
  if (plan.recovery) {
    if (plan.source == v1::RECYCLED_SOURCE_PRE_CONSUMER) {
      entry.set_recycled_pre_consumer_grams(entry.grams());
    } else {
      entry.set_recycled_post_consumer_grams(entry.grams());
    }
    return;
  }
  auto it = consumed.elements.find(entry.element());
  if (it == consumed.elements.end() || it->second.grams == 0) return;
  const ElementFlow& flow = it->second;
  entry.set_recycled_pre_consumer_grams(ProportionalFloor(flow.pre, entry.grams(), flow.grams));
  entry.set_recycled_post_consumer_grams(ProportionalFloor(flow.post, entry.grams(), flow.grams));
}

// The record of one output lot of a transform or recovery, with its allocated footprint
// (edges, facility, height and event are added by WriteOutputs).
v1::Lot OutputLot(const TxEnv& env, const v1::LotProduction& output,
                  const ConsumedInputs& consumed, const OutputPlan& plan, uint64_t footprint,
                  uint64_t primary) {
  v1::Lot lot;
  lot.set_lot_id(output.lot_id());
  lot.set_material(output.material());
  lot.set_mass_grams(output.mass_grams());
  lot.set_initial_mass_grams(output.mass_grams());
  *lot.mutable_composition() = output.composition();
  for (auto& entry : *lot.mutable_composition()) SetRecycled(entry, consumed, plan);
  lot.set_custodian_org(env.actor_org());
  lot.set_status(v1::LOT_STATUS_ACTIVE);
  lot.set_footprint_co2e_grams(footprint);
  lot.set_footprint_primary_co2e_grams(primary);
  lot.set_waste(IsWasteOutput(output));
  if (plan.recovery) {
    // A recovery's waste (slag, residues) is not recovered material: it cannot be recovered
    // again as recycled content.
    if (!lot.waste()) lot.set_recovered_source(plan.source);
  } else {
    lot.set_produced_by_process(plan.process);
    lot.set_manufacturing_scrap(output.manufacturing_scrap());
  }
  return lot;
}

void WriteOutputs(TxEnv& env, const google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs,
                  const ConsumedInputs& consumed, const v1::Facility& facility,
                  const OutputPlan& plan) {
  std::vector<uint64_t> masses;
  for (const auto& output : outputs) masses.push_back(output.mass_grams());
  const std::vector<uint64_t> keys = AllocationKeys(outputs);
  std::vector<uint64_t> footprints = AllocateByWeight(plan.footprint_total, keys);
  std::vector<uint64_t> primaries = AllocateByWeight(plan.primary_total, keys);
  std::vector<uint64_t> steps = AllocateByWeight(plan.step_total, keys);
  // Mass on each DAG edge: every input's consumed mass, split over the outputs by mass.
  std::vector<std::vector<uint64_t>> edges;
  for (uint64_t consumed_mass : consumed.masses) edges.push_back(AllocateByWeight(consumed_mass, masses));
  for (size_t j = 0; j < static_cast<size_t>(outputs.size()); ++j) {
    const auto& output = outputs[static_cast<int>(j)];
    v1::Lot lot = OutputLot(env, output, consumed, plan, footprints[j], primaries[j]);
    for (size_t i = 0; i < consumed.lots.size(); ++i) {
      v1::ParentEdge* edge = lot.add_parents();
      edge->set_lot_id(consumed.lots[i].lot_id());
      edge->set_mass_grams(edges[i][j]);
      v1::ChildEdge child;
      child.set_child_lot_id(lot.lot_id());
      child.set_mass_grams(edges[i][j]);
      env.Store(keys::Child(consumed.lots[i].lot_id(), lot.lot_id()), child);
    }
    lot.set_facility_id(facility.facility_id());
    lot.set_created_height(env.ctx().height);
    lot.set_created_time_unix_ms(env.ctx().time_unix_ms);
    lot.set_last_event_hash(ZeroHash());
    v1::LotEvent event;
    event.set_kind(plan.recovery ? v1::EVENT_KIND_RECOVERED : v1::EVENT_KIND_PRODUCED);
    event.set_facility_id(facility.facility_id());
    *event.mutable_facility_audit() = AuditAt(facility);
    event.set_mass_grams(output.mass_grams());
    event.set_co2e_added_grams(footprints[j]);
    // Rounding of two allocations can put the step's share 1 g above the whole's.
    event.set_step_co2e_grams(std::min(steps[j], footprints[j]));
    env.AppendEvent(lot, std::move(event));
    env.Store(keys::Lot(lot.lot_id()), lot);
  }
  v1::Totals totals;
  env.Load(keys::Totals(), &totals);
  totals.set_lots_created(totals.lots_created() + static_cast<uint64_t>(outputs.size()));
  env.Store(keys::Totals(), totals);
}

void WriteInputs(TxEnv& env, ConsumedInputs& consumed, const v1::Facility& facility) {
  for (size_t i = 0; i < consumed.lots.size(); ++i) {
    v1::Lot& lot = consumed.lots[i];
    v1::LotEvent event;
    event.set_kind(v1::EVENT_KIND_CONSUMED);
    event.set_facility_id(facility.facility_id());
    *event.mutable_facility_audit() = AuditAt(facility);
    event.set_mass_grams(consumed.masses[i]);
    env.AppendEvent(lot, std::move(event));
    env.Store(keys::Lot(lot.lot_id()), lot);
  }
}

// The emissions this transaction adds (process plus reagents), counted in the chain's injected
// total; the plan starts with them as the footprint to allocate.
Result<OutputPlan> PlanEmissions(TxEnv& env, const v1::Emissions& process,
                                 const Reagents& reagents) {
  OutputPlan plan;
  if (__builtin_add_overflow(process.co2e_grams(), reagents.co2e, &plan.footprint_total)) {
    return Status(codes::kAmountOverflow, "process and reagent emissions overflow");
  }
  LOTCHAIN_RETURN_IF_ERROR(env.AddInjected(plan.footprint_total));
  plan.step_total = plan.footprint_total;
  plan.primary_total = reagents.primary_co2e;
  if (process.quality() == v1::DATA_QUALITY_PRIMARY) plan.primary_total += process.co2e_grams();
  return plan;
}

// Recovery turns waste into recycled content (EU 2023/1542 Art. 8); mined material is not waste,
// so recovering it would launder virgin material into "recycled" content (IsRecoverableAs).
Status RequireRecoverable(const v1::Lot& lot, v1::RecycledSource source) {
  if (IsRecoverableAs(lot, source)) return Status::Ok();
  if (source == v1::RECYCLED_SOURCE_POST_CONSUMER) {
    return Status(codes::kNotRecoverable,
                  "lot \"" + lot.lot_id() + "\" has not reached end of life; post-consumer "
                  "recovery takes only registered batteries (cells, modules, packs) that a "
                  "collector has taken custody of, or material already recovered post-consumer" +
                      std::string(lot.has_battery() ? ": offer the battery to a collection "
                                                      "member first (role collector)"
                                                    : ""));
  }
  return Status(codes::kNotRecoverable,
                "lot \"" + lot.lot_id() + "\" is not manufacturing scrap; pre-consumer recovery "
                "takes only outputs their producer declared manufacturing_scrap in the transform, "
                "or material already recovered pre-consumer");
}

}  // namespace

Status ApplyTransform(TxEnv& env, const v1::Transform& tx) {
  LOTCHAIN_RETURN_IF_ERROR(RequireRole(
      env, {v1::ROLE_REFINER, v1::ROLE_PRECURSOR_MAKER, v1::ROLE_CATHODE_MAKER,
            v1::ROLE_CELL_MAKER, v1::ROLE_OEM, v1::ROLE_SECOND_LIFE},
      "transform lots"));
  if (tx.process() == v1::PROCESS_KIND_UNSPECIFIED || !v1::ProcessKind_IsValid(tx.process())) {
    return Status(codes::kInvalidField, "process must name the kind of transform");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckEmissions(tx.process_emissions(), "process_emissions"));
  LOTCHAIN_ASSIGN_OR_RETURN(
      v1::Facility facility,
      LoadOwnFacility(env, tx.facility_id(),
                      {v1::FACILITY_KIND_REFINERY, v1::FACILITY_KIND_PLANT}, "a transform"));
  LOTCHAIN_ASSIGN_OR_RETURN(Reagents reagents, CheckReagents(tx.reagents()));
  LOTCHAIN_ASSIGN_OR_RETURN(ConsumedInputs consumed, ConsumeInputs(env, tx.inputs()));
  for (const v1::Lot& lot : consumed.lots) LOTCHAIN_RETURN_IF_ERROR(RequireNotWaste(lot));
  LOTCHAIN_RETURN_IF_ERROR(RequireScrapFromManufacturing(tx));
  LOTCHAIN_RETURN_IF_ERROR(CheckOutputs(env, tx.outputs(), consumed, reagents, /*recovery=*/false));
  LOTCHAIN_ASSIGN_OR_RETURN(OutputPlan plan, PlanEmissions(env, tx.process_emissions(), reagents));
  plan.process = tx.process();
  if (__builtin_add_overflow(plan.footprint_total, consumed.footprint, &plan.footprint_total)) {
    return Status(codes::kAmountOverflow, "the outputs' footprint would overflow");
  }
  plan.primary_total += consumed.footprint_primary;  // <= footprint_total
  WriteInputs(env, consumed, facility);
  WriteOutputs(env, tx.outputs(), consumed, facility, plan);
  return Status::Ok();
}

Status ApplyRecover(TxEnv& env, const v1::Recover& tx) {
  LOTCHAIN_RETURN_IF_ERROR(RequireRole(env, {v1::ROLE_RECYCLER}, "recover material"));
  if (tx.source() != v1::RECYCLED_SOURCE_PRE_CONSUMER &&
      tx.source() != v1::RECYCLED_SOURCE_POST_CONSUMER) {
    return Status(codes::kInvalidField, "source must be pre_consumer or post_consumer");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckEmissions(tx.process_emissions(), "process_emissions"));
  LOTCHAIN_ASSIGN_OR_RETURN(
      v1::Facility facility,
      LoadOwnFacility(env, tx.facility_id(), {v1::FACILITY_KIND_RECYCLING}, "recovery"));
  LOTCHAIN_ASSIGN_OR_RETURN(Reagents reagents, CheckReagents(tx.reagents()));
  LOTCHAIN_ASSIGN_OR_RETURN(ConsumedInputs consumed, ConsumeInputs(env, tx.inputs()));
  for (const v1::Lot& lot : consumed.lots) {
    LOTCHAIN_RETURN_IF_ERROR(RequireRecoverable(lot, tx.source()));
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckOutputs(env, tx.outputs(), consumed, reagents, /*recovery=*/true));
  LOTCHAIN_ASSIGN_OR_RETURN(OutputPlan plan, PlanEmissions(env, tx.process_emissions(), reagents));
  env.AddRetired(consumed.footprint);  // cut-off: the end-of-life burden stays upstream
  plan.recovery = true;
  plan.source = tx.source();
  WriteInputs(env, consumed, facility);
  WriteOutputs(env, tx.outputs(), consumed, facility, plan);
  return Status::Ok();
}

}  // namespace lotchain::core::internal

namespace lotchain::core {

bool IsBatteryProduct(const v1::Lot& lot) {
  const v1::ProcessKind p = lot.produced_by_process();
  return (p == v1::PROCESS_KIND_CELL || p == v1::PROCESS_KIND_MODULE ||
          p == v1::PROCESS_KIND_PACK) &&
         !lot.waste();  // manufacturing scrap is waste too
}

bool MayDeclareScrap(v1::ProcessKind process) {
  switch (process) {
    case v1::PROCESS_KIND_PRECURSOR:
    case v1::PROCESS_KIND_CATHODE:
    case v1::PROCESS_KIND_ANODE:
    case v1::PROCESS_KIND_CELL:
    case v1::PROCESS_KIND_MODULE:
    case v1::PROCESS_KIND_PACK: return true;
    default: return false;
  }
}

bool IsRecoverableAs(const v1::Lot& lot, v1::RecycledSource source) {
  if (source == v1::RECYCLED_SOURCE_POST_CONSUMER) {
    return (lot.has_battery() && lot.end_of_life()) ||
           lot.recovered_source() == v1::RECYCLED_SOURCE_POST_CONSUMER;
  }
  return lot.manufacturing_scrap() || lot.recovered_source() == v1::RECYCLED_SOURCE_PRE_CONSUMER;
}

}  // namespace lotchain::core
