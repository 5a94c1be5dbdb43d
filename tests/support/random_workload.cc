#include "tests/support/random_workload.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "consensus/core/allocation.h"
#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/state_keys.h"

namespace lotchain::testing {

namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr uint64_t kMassMax = 1'000'000'000'000'000;  // custody_env.h kMassGramsMax
constexpr size_t kInputsMax = 4;
constexpr size_t kOutputsMax = 4;
constexpr size_t kAttemptsPerTx = 8;
constexpr size_t kReplayableMax = 32;
constexpr size_t kDeadLotsMax = 64;
constexpr int64_t kDayMs = 86'400'000;

uint64_t MulDiv(uint64_t a, uint64_t b, uint64_t c) {
  LOTCHAIN_ASSERT(c > 0);
  return static_cast<uint64_t>(static_cast<Uint128>(a) * b / c);
}

uint64_t SplitMix64(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

bool IsLive(const v1::Lot& lot) {
  return lot.status() == v1::LOT_STATUS_ACTIVE || lot.status() == v1::LOT_STATUS_IN_TRANSIT;
}

// The facility kind an organisation with `role` registers.
v1::FacilityKind KindFor(v1::Role role) {
  switch (role) {
    case v1::ROLE_MINER: return v1::FACILITY_KIND_MINE;
    case v1::ROLE_REFINER: return v1::FACILITY_KIND_REFINERY;
    case v1::ROLE_PRECURSOR_MAKER:
    case v1::ROLE_CATHODE_MAKER:
    case v1::ROLE_CELL_MAKER:
    case v1::ROLE_OEM:
    case v1::ROLE_SECOND_LIFE: return v1::FACILITY_KIND_PLANT;
    case v1::ROLE_RECYCLER:
    case v1::ROLE_COLLECTOR: return v1::FACILITY_KIND_RECYCLING;
    default: return v1::FACILITY_KIND_UNSPECIFIED;
  }
}

// Where material usually goes next in the supply chain.
std::vector<v1::Role> NextRoles(v1::Role role) {
  switch (role) {
    case v1::ROLE_MINER: return {v1::ROLE_REFINER};
    case v1::ROLE_REFINER: return {v1::ROLE_PRECURSOR_MAKER, v1::ROLE_REFINER};
    case v1::ROLE_PRECURSOR_MAKER: return {v1::ROLE_CATHODE_MAKER};
    case v1::ROLE_CATHODE_MAKER: return {v1::ROLE_CELL_MAKER};
    case v1::ROLE_CELL_MAKER: return {v1::ROLE_OEM};
    case v1::ROLE_OEM: return {v1::ROLE_SECOND_LIFE, v1::ROLE_RECYCLER, v1::ROLE_COLLECTOR};
    case v1::ROLE_SECOND_LIFE: return {v1::ROLE_RECYCLER, v1::ROLE_COLLECTOR};
    case v1::ROLE_COLLECTOR: return {v1::ROLE_RECYCLER};
    case v1::ROLE_RECYCLER: return {v1::ROLE_REFINER, v1::ROLE_PRECURSOR_MAKER};
    default: return {};
  }
}

const char* MaterialFor(v1::ProcessKind process) {
  switch (process) {
    case v1::PROCESS_KIND_REFINING: return "cobalt sulphate";
    case v1::PROCESS_KIND_PRECURSOR: return "pCAM NMC811";
    case v1::PROCESS_KIND_CATHODE: return "cathode active material";
    case v1::PROCESS_KIND_ANODE: return "anode graphite";
    case v1::PROCESS_KIND_CELL: return "pouch cell";
    case v1::PROCESS_KIND_MODULE: return "battery module";
    case v1::PROCESS_KIND_PACK: return "battery pack";
    default: return "intermediate";
  }
}

constexpr v1::Element kElementPool[] = {v1::ELEMENT_CO, v1::ELEMENT_NI, v1::ELEMENT_LI,
                                        v1::ELEMENT_MN, v1::ELEMENT_CU, v1::ELEMENT_AL,
                                        v1::ELEMENT_FE, v1::ELEMENT_P,  v1::ELEMENT_GRAPHITE};
constexpr const char* kCountries[] = {"CD", "ID", "AU", "CL", "CN", "FI", "DE", "KR", "PL", "US"};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Prng

Prng::Prng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : s_) word = SplitMix64(x);
}

uint64_t Prng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Prng::Below(uint64_t bound) {
  LOTCHAIN_ASSERT(bound > 0);
  // Reject the top partial range so every value is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    uint64_t v = Next();
    if (v < limit) return v % bound;
  }
}

uint64_t Prng::Between(uint64_t min, uint64_t max) {
  LOTCHAIN_ASSERT(min <= max);
  if (min == 0 && max == UINT64_MAX) return Next();
  return min + Below(max - min + 1);
}

// ---------------------------------------------------------------------------------------------
// Builder: the state of one NextBlock call.

class RandomWorkload::Builder {
 public:
  Builder(RandomWorkload& w, TestChain& chain)
      : w_(w), chain_(chain), rng_(w.prng_), time_next_ms_(chain.time_unix_ms + 1000) {
    for (const auto& [org, roles] : w_.roles_) orgs_.push_back(org);
  }

  std::vector<WorkloadTx> Build() {
    size_t count = static_cast<size_t>(
        rng_.Between(w_.options_.block_txs_min, w_.options_.block_txs_max));
    for (size_t i = 0; i < count; ++i) {
      bool invalid = rng_.Percent(w_.options_.invalid_percent);
      for (size_t attempt = 0; attempt < kAttemptsPerTx; ++attempt) {
        if (invalid ? TryInvalid() : TryValid()) break;
      }
    }
    return std::move(txs_);
  }

 private:
  // ----- helpers ------------------------------------------------------------------------------
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    LOTCHAIN_ASSERT(!items.empty());
    return items[static_cast<size_t>(rng_.Below(items.size()))];
  }

  bool HasRole(const std::string& org, v1::Role role) const {
    auto it = w_.roles_.find(org);
    if (it == w_.roles_.end()) return false;
    return std::find(it->second.begin(), it->second.end(), role) != it->second.end();
  }
  v1::Role FirstRole(const std::string& org) const {
    auto it = w_.roles_.find(org);
    return it == w_.roles_.end() || it->second.empty() ? v1::ROLE_UNSPECIFIED : it->second[0];
  }
  std::vector<std::string> OrgsWith(std::initializer_list<v1::Role> roles) const {
    std::vector<std::string> out;
    for (const auto& org : orgs_) {
      for (v1::Role role : roles) {
        if (HasRole(org, role)) {
          out.push_back(org);
          break;
        }
      }
    }
    return out;
  }
  std::string OtherOrg(const std::string& not_this) {
    std::vector<std::string> others;
    for (const auto& org : orgs_) {
      if (org != not_this) others.push_back(org);
    }
    return others.empty() ? std::string() : Pick(others);
  }
  std::vector<Fac> FacilitiesOf(const std::string& org,
                                std::initializer_list<v1::FacilityKind> kinds) const {
    std::vector<Fac> out;
    for (const auto& f : w_.facilities_) {
      if (f.owner == org && std::find(kinds.begin(), kinds.end(), f.kind) != kinds.end()) {
        out.push_back(f);
      }
    }
    return out;
  }

  // Unlocked lots matching `pred`, in id order.
  template <typename Pred>
  std::vector<const v1::Lot*> Lots(Pred pred) const {
    std::vector<const v1::Lot*> out;
    for (const auto& [id, lot] : w_.lots_) {
      if (locked_lots_.count(id) == 0 && pred(lot)) out.push_back(&lot);
    }
    return out;
  }
  std::vector<const v1::Lot*> ActiveLotsOf(const std::string& org) const {
    return Lots([&](const v1::Lot& l) {
      return l.status() == v1::LOT_STATUS_ACTIVE && l.custodian_org() == org;
    });
  }
  std::vector<const v1::Lot*> ActiveLots() const {
    return Lots([](const v1::Lot& l) { return l.status() == v1::LOT_STATUS_ACTIVE; });
  }
  std::vector<const v1::Lot*> TransitLots() const {
    return Lots([](const v1::Lot& l) { return l.status() == v1::LOT_STATUS_IN_TRANSIT; });
  }

  // Marks `lot` as written by this block's tx; `custodian_after` holds it after that tx.
  void Lock(const v1::Lot& lot, const std::string& custodian_after) {
    locked_lots_[lot.lot_id()] = custodian_after;
  }

  v1::Emissions RandomEmissions(uint64_t typical_max) {
    v1::Emissions e;
    uint64_t grams = rng_.Percent(1) ? rng_.Between(1'000'000'000'000, 1'000'000'000'000'000)
                                     : rng_.Between(0, typical_max);
    e.set_co2e_grams(grams);
    if (grams > 0 || rng_.Percent(50)) {
      e.set_quality(rng_.Percent(50) ? v1::DATA_QUALITY_PRIMARY : v1::DATA_QUALITY_SECONDARY);
    }
    return e;
  }
  std::string RandomHash() { return core::Sha256("rw/" + std::to_string(rng_.Next())); }

  void Emit(const std::string& org, const v1::TxBody& body, std::string action,
            std::string expected_reason, bool tamper_signature = false) {
    WorkloadTx tx;
    tx.org = org;
    tx.signed_bytes = chain_.Sign(org, body);
    v1::SignedTx envelope;
    LOTCHAIN_ASSERT(envelope.ParseFromString(tx.signed_bytes));
    LOTCHAIN_ASSERT(tx.body.ParseFromString(envelope.body()));
    if (tamper_signature) {
      std::string sig = envelope.signature();
      sig[static_cast<size_t>(rng_.Below(sig.size()))] ^= 0x01;
      envelope.set_signature(sig);
      tx.signed_bytes = envelope.SerializeAsString();
    } else {
      // Authentic: its nonce is consumed whatever the outcome, so its bytes replay later.
      w_.replay_pending_.push_back({org, envelope.signer(), tx.body.nonce(), tx.signed_bytes});
    }
    tx.action = std::move(action);
    tx.expected_reason = std::move(expected_reason);
    txs_.push_back(std::move(tx));
  }

  // ----- valid actions ------------------------------------------------------------------------
  bool TryValid() {
    bool crowded = w_.lots_.size() > w_.options_.live_lots_target;
    // Weights per action, in the order of the switch below.
    const uint64_t weights[] = {MissingFacilityOrg().empty() ? 2u : 60u,
                                crowded ? 3u : 16u, 20, 14, 3, crowded ? 22u : 14u,
                                crowded ? 10u : 5u, 4, 3, 3, 4, 4, 2, crowded ? 10u : 3u};
    uint64_t total = 0;
    for (uint64_t v : weights) total += v;
    uint64_t r = rng_.Below(total);
    size_t action = 0;
    while (r >= weights[action]) r -= weights[action++];
    switch (action) {
      case 0: return RegisterFacility();
      case 1: return CreateOrigin();
      case 2: return Offer();
      case 3: return AnswerOffer();
      case 4: return Cancel();
      case 5: return TransformOrRecover(/*recover=*/false, Fault::kNone);
      case 6: return TransformOrRecover(/*recover=*/true, Fault::kNone);
      case 7: return Audit();
      case 8: return RaiseFlag();
      case 9: return ResolveFlag();
      case 10: return RegisterBattery();
      case 11: return StateOfHealth();
      case 12: return Repurpose();
      default: return Retire();
    }
  }

  std::string MissingFacilityOrg() const {
    for (const auto& org : orgs_) {
      v1::FacilityKind kind = KindFor(FirstRole(org));
      if (kind == v1::FACILITY_KIND_UNSPECIFIED || registering_.count(org) != 0) continue;
      bool has = false;
      for (const auto* list : {&w_.facilities_, &w_.facilities_pending_}) {
        for (const auto& f : *list) has = has || f.owner == org;
      }
      if (!has) return org;
    }
    return {};
  }

  bool RegisterFacility() {
    std::string org = MissingFacilityOrg();
    if (org.empty()) {
      org = Pick(orgs_);
      if (registering_.count(org) != 0) return false;
    }
    v1::FacilityKind kind = KindFor(FirstRole(org));
    if (kind == v1::FACILITY_KIND_UNSPECIFIED) return false;
    registering_.insert(org);
    v1::TxBody body;
    auto* f = body.mutable_register_facility();
    f->set_facility_id(w_.NewId("F"));
    f->set_kind(kind);
    f->set_country(kCountries[rng_.Below(std::size(kCountries))]);
    f->set_name(org + " site " + f->facility_id());
    if (rng_.Percent(50)) {
      f->mutable_coordinates()->set_latitude_microdeg(
          static_cast<int32_t>(rng_.Below(180'000'001)) - 90'000'000);
      f->mutable_coordinates()->set_longitude_microdeg(
          static_cast<int32_t>(rng_.Below(360'000'001)) - 180'000'000);
    }
    w_.facilities_pending_.push_back({f->facility_id(), org, kind});
    Emit(org, body, "register_facility", "");
    return true;
  }

  uint64_t RandomMass() {
    uint64_t r = rng_.Below(100);
    if (r < 5) return rng_.Between(100'000'000'000'000, kMassMax);  // near the limit
    if (r < 20) return rng_.Between(1, 1000);                         // tiny: rounding edges
    return rng_.Between(1000, 1'000'000'000);
  }

  v1::CreateOriginLot OriginBody(const std::string& lot_id, const std::string& mine) {
    v1::CreateOriginLot c;
    c.set_lot_id(lot_id);
    c.set_facility_id(mine);
    c.set_material(rng_.Percent(50) ? "cobalt hydroxide" : "spodumene concentrate");
    c.set_mass_grams(RandomMass());
    uint64_t budget = c.mass_grams();
    for (v1::Element e : kElementPool) {
      if (!rng_.Percent(40)) continue;
      uint64_t grams = rng_.Below(budget / 2 + 1);
      budget -= grams;
      *c.add_composition() = Element(e, grams);
    }
    c.mutable_certificate()->set_document_sha256(core::Sha256("cert/" + lot_id));
    c.mutable_certificate()->set_issuer("Ministry of Mines");
    c.mutable_certificate()->set_number("CERT-" + lot_id);
    *c.mutable_emissions() = RandomEmissions(1'000'000'000);
    return c;
  }

  bool CreateOrigin() {
    std::vector<std::string> miners = OrgsWith({v1::ROLE_MINER});
    if (miners.empty()) return false;
    const std::string& org = Pick(miners);
    std::vector<Fac> mines = FacilitiesOf(org, {v1::FACILITY_KIND_MINE});
    if (mines.empty()) return false;
    v1::TxBody body;
    *body.mutable_create_origin_lot() = OriginBody(w_.NewId("L"), Pick(mines).id);
    w_.lots_pending_.push_back(body.create_origin_lot().lot_id());
    Emit(org, body, "create_origin", "");
    return true;
  }

  bool TreatsWaste(const std::string& org) const {
    return HasRole(org, v1::ROLE_RECYCLER) || HasRole(org, v1::ROLE_COLLECTOR);
  }

  std::string OfferTarget(const std::string& from) {
    std::vector<std::string> candidates;
    if (!rng_.Percent(15)) {
      for (v1::Role role : NextRoles(FirstRole(from))) {
        for (const auto& org : OrgsWith({role})) {
          if (org != from) candidates.push_back(org);
        }
      }
    }
    return candidates.empty() ? OtherOrg(from) : Pick(candidates);
  }

  v1::OfferTransfer OfferBody(const v1::Lot& lot, const std::string& to) {
    v1::OfferTransfer o;
    o.set_lot_id(lot.lot_id());
    o.set_prev_event_hash(lot.last_event_hash());
    o.set_to_org(to);
    *o.mutable_transport_emissions() = RandomEmissions(50'000'000);
    return o;
  }

  bool Offer() {
    auto lots = ActiveLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::string to = OfferTarget(lot.custodian_org());
    // Batteries mostly go on to collection and collected ones to recycling, so that
    // post-consumer recovery (property 8) is exercised on every run.
    const std::vector<std::string> next =
        lot.end_of_life() ? OrgsWith({v1::ROLE_RECYCLER})
        : lot.has_battery() ? OrgsWith({v1::ROLE_COLLECTOR}) : std::vector<std::string>{};
    if (!next.empty() && rng_.Percent(70)) to = Pick(next);
    if (to == lot.custodian_org()) to = OtherOrg(to);
    if (lot.waste()) {  // waste goes only to those who treat it
      std::vector<std::string> treaters;
      for (const auto& org : OrgsWith({v1::ROLE_RECYCLER, v1::ROLE_COLLECTOR})) {
        if (org != lot.custodian_org()) treaters.push_back(org);
      }
      if (treaters.empty()) return false;
      to = Pick(treaters);
    }
    if (to.empty()) return false;
    v1::TxBody body;
    *body.mutable_offer_transfer() = OfferBody(lot, to);
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "offer", "");
    return true;
  }

  // Waste offered as material to someone who does not treat waste.
  bool OfferWasteAsMaterial() {
    auto lots = Lots([](const v1::Lot& l) { return l.status() == v1::LOT_STATUS_ACTIVE && l.waste(); });
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::vector<std::string> others;
    for (const auto& org : orgs_) {
      if (org != lot.custodian_org() && !TreatsWaste(org)) others.push_back(org);
    }
    if (others.empty()) return false;
    v1::TxBody body;
    *body.mutable_offer_transfer() = OfferBody(lot, Pick(others));
    Emit(lot.custodian_org(), body, "offer_waste_as_material", core::codes::kWasteRestricted);
    return true;
  }

  bool AnswerOffer() {
    auto lots = TransitLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    const char* action = "accept";
    if (rng_.Percent(80)) {
      body.mutable_accept_transfer()->set_lot_id(lot.lot_id());
      body.mutable_accept_transfer()->set_prev_event_hash(lot.last_event_hash());
    } else {
      action = "reject";
      body.mutable_reject_transfer()->set_lot_id(lot.lot_id());
      body.mutable_reject_transfer()->set_prev_event_hash(lot.last_event_hash());
      body.mutable_reject_transfer()->set_reason("assay mismatch");
    }
    bool accept = body.has_accept_transfer();
    Lock(lot, accept ? lot.pending_offer().to_org() : lot.custodian_org());
    Emit(lot.pending_offer().to_org(), body, action, "");
    return true;
  }

  bool Cancel() {
    auto lots = TransitLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    body.mutable_cancel_transfer()->set_lot_id(lot.lot_id());
    body.mutable_cancel_transfer()->set_prev_event_hash(lot.last_event_hash());
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "cancel", "");
    return true;
  }

  enum class Fault {
    kNone,
    kTooMuchMass,
    kElementIncrease,
    kNotRecoverable,
    kPhantomOutput,  // an output heavier than inputs + reagents can give (footprint dumping)
    kWasteInput,     // a transform that takes declared waste back in as material
    kAllWaste,       // no product output to carry the footprint
  };

  // Builds a transform (or recovery) by an organisation with a suitable facility and lots.
  bool TransformOrRecover(bool recover, Fault fault) {
    std::vector<std::string> actors =
        recover ? OrgsWith({v1::ROLE_RECYCLER})
                : OrgsWith({v1::ROLE_REFINER, v1::ROLE_PRECURSOR_MAKER, v1::ROLE_CATHODE_MAKER,
                            v1::ROLE_CELL_MAKER, v1::ROLE_OEM, v1::ROLE_SECOND_LIFE});
    if (actors.empty()) return false;
    const std::string& org = Pick(actors);
    std::vector<Fac> sites =
        recover ? FacilitiesOf(org, {v1::FACILITY_KIND_RECYCLING})
                : FacilitiesOf(org, {v1::FACILITY_KIND_REFINERY, v1::FACILITY_KIND_PLANT});
    if (sites.empty()) return false;
    std::vector<const v1::Lot*> lots = ActiveLotsOf(org);
    const v1::Lot* bad_input = nullptr;
    v1::RecycledSource source = rng_.Percent(30) ? v1::RECYCLED_SOURCE_PRE_CONSUMER
                                                 : v1::RECYCLED_SOURCE_POST_CONSUMER;
    if (recover) {
      // Valid recoveries take only waste of their source; the laundering attempt puts one lot
      // that is not (an origin lot, an ordinary product) among its inputs.
      std::vector<const v1::Lot*> eligible, ineligible;
      for (const v1::Lot* lot : lots) (core::IsRecoverableAs(*lot, source) ? eligible : ineligible).push_back(lot);
      if (fault == Fault::kNotRecoverable) {
        if (ineligible.empty()) return false;
        bad_input = Pick(ineligible);
        eligible.push_back(bad_input);
        lots = std::move(eligible);
      } else {
        lots = std::move(eligible);
      }
    } else {
      // Waste never feeds a transform; the laundering attempt puts one waste lot among inputs.
      std::vector<const v1::Lot*> material, waste;
      for (const v1::Lot* lot : lots) (lot->waste() ? waste : material).push_back(lot);
      if (fault == Fault::kWasteInput) {
        if (waste.empty()) return false;
        bad_input = Pick(waste);
        material.push_back(bad_input);
      }
      lots = std::move(material);
    }
    if (lots.empty()) return false;
    // Inputs: 1..4 distinct lots, each consumed fully or in part.
    size_t input_count = static_cast<size_t>(rng_.Between(1, std::min(kInputsMax, lots.size())));
    for (size_t i = 0; i < input_count; ++i) {
      size_t j = i + static_cast<size_t>(rng_.Below(lots.size() - i));
      std::swap(lots[i], lots[j]);
    }
    lots.resize(input_count);
    if (bad_input != nullptr && std::find(lots.begin(), lots.end(), bad_input) == lots.end()) {
      lots[0] = bad_input;
    }
    google::protobuf::RepeatedPtrField<v1::LotConsumption> inputs;
    std::map<int, uint64_t> consumed_elements;
    uint64_t consumed_mass = 0;
    for (const v1::Lot* lot : lots) {
      uint64_t mass = lot->mass_grams();
      uint64_t take = rng_.Percent(40) ? mass : rng_.Between(1, mass);
      *inputs.Add() = Consume(lot->lot_id(), lot->last_event_hash(), take);
      consumed_mass += take;
      for (const auto& e : lot->composition()) {
        consumed_elements[e.element()] += e.grams() - core::RemainingShare(e.grams(), take, mass);
      }
    }
    // Some processes declare reagents (acids, electrolyte, housings): mass and footprint that
    // enter from outside the chain and let the outputs weigh more than the consumed lots.
    google::protobuf::RepeatedPtrField<v1::ReagentInput> reagents;
    uint64_t reagent_mass = 0;
    if (rng_.Percent(30)) {
      for (uint64_t k = rng_.Between(1, 3); k > 0; --k) {
        v1::ReagentInput* reagent = reagents.Add();
        reagent->set_material(k % 2 == 0 ? "sulphuric acid" : "electrolyte");
        reagent->set_mass_grams(rng_.Between(1, std::min<uint64_t>(kMassMax, consumed_mass)));
        *reagent->mutable_emissions() = RandomEmissions(100'000'000);
        reagent_mass += reagent->mass_grams();
      }
    }
    google::protobuf::RepeatedPtrField<v1::LotProduction> outputs =
        Outputs(consumed_mass + reagent_mass, consumed_elements);
    const v1::ProcessKind process =
        recover ? v1::PROCESS_KIND_UNSPECIFIED : static_cast<v1::ProcessKind>(rng_.Between(1, 10));
    MarkWaste(outputs, recover, process);
    std::string action = recover ? "recover" : "transform";
    std::string expected;
    if (fault == Fault::kNotRecoverable) {
      action = "recover_not_waste";
      expected = core::codes::kNotRecoverable;
    } else if (fault == Fault::kTooMuchMass) {
      auto& input = inputs[static_cast<int>(rng_.Below(static_cast<uint64_t>(inputs.size())))];
      const v1::Lot& lot = w_.lots_.at(input.lot_id());
      input.set_mass_grams(lot.mass_grams() + 1);
      action = "too_much_mass";
      expected = core::codes::kInsufficientMass;
    } else if (fault == Fault::kElementIncrease) {
      if (!AddExcessElement(outputs, consumed_elements)) return false;
      action = "element_increase";
      expected = core::codes::kElementMassIncreases;
    } else if (fault == Fault::kPhantomOutput) {
      if (!AddPhantomOutput(outputs, consumed_mass + reagent_mass)) return false;
      action = "phantom_output";
      expected = core::codes::kMassIncreases;
    } else if (fault == Fault::kWasteInput) {
      action = "transform_waste";
      expected = core::codes::kWasteRestricted;
    } else if (fault == Fault::kAllWaste) {
      for (auto& out : outputs) out.set_role(v1::OUTPUT_ROLE_WASTE);
      action = "all_outputs_waste";
      expected = core::codes::kInvalidField;
    }
    v1::TxBody body;
    const std::string& facility = Pick(sites).id;
    if (recover) {
      auto* r = body.mutable_recover();
      r->set_facility_id(facility);
      *r->mutable_inputs() = inputs;
      *r->mutable_outputs() = outputs;
      *r->mutable_process_emissions() = RandomEmissions(500'000'000);
      r->set_source(source);
      *r->mutable_reagents() = reagents;
    } else {
      auto* t = body.mutable_transform();
      t->set_facility_id(facility);
      t->set_process(process);
      *t->mutable_inputs() = inputs;
      *t->mutable_outputs() = outputs;
      for (auto& out : *t->mutable_outputs()) out.set_material(MaterialFor(t->process()));
      *t->mutable_process_emissions() = RandomEmissions(500'000'000);
      *t->mutable_reagents() = reagents;
    }
    if (expected.empty()) {
      for (const v1::Lot* lot : lots) Lock(*lot, org);
      for (const auto& out : outputs) w_.lots_pending_.push_back(out.lot_id());
    }
    Emit(org, body, action, expected);
    return true;
  }

  // 1..4 outputs with a random share of the consumed mass; each element's output grams are a
  // random fraction of the grams consumed, and each output's elements fit in its mass.
  google::protobuf::RepeatedPtrField<v1::LotProduction> Outputs(
      uint64_t consumed_mass, const std::map<int, uint64_t>& consumed_elements) {
    uint64_t count = std::min<uint64_t>(rng_.Between(1, kOutputsMax), consumed_mass);
    uint64_t total = std::max(count, MulDiv(consumed_mass, rng_.Between(250, 1000), 1000));
    total = std::min(total, count * kMassMax);
    std::vector<uint64_t> weights;
    for (uint64_t j = 0; j < count; ++j) weights.push_back(rng_.Between(1, 100));
    std::vector<uint64_t> masses = core::AllocateByWeight(total - count, weights);
    total = 0;
    for (uint64_t& m : masses) {
      m = std::min(m + 1, kMassMax);
      total += m;
    }
    std::map<int, uint64_t> shares;
    uint64_t share_sum = 0;
    for (const auto& [element, grams] : consumed_elements) {
      if (rng_.Percent(15)) continue;  // some elements leave as waste
      uint64_t share = MulDiv(grams, rng_.Between(0, 1000), 1000);
      shares[element] = share;
      share_sum += share;
    }
    if (share_sum > total) {
      for (auto& [element, share] : shares) share = MulDiv(share, total, share_sum);
    }
    google::protobuf::RepeatedPtrField<v1::LotProduction> outputs;
    for (uint64_t mass : masses) {
      v1::LotProduction* p = outputs.Add();
      p->set_lot_id(w_.NewId("L"));
      p->set_material("recovered material");
      p->set_mass_grams(mass);
      for (const auto& [element, share] : shares) {
        uint64_t grams = MulDiv(share, mass, total);
        if (grams > 0) *p->add_composition() = Element(static_cast<v1::Element>(element), grams);
      }
    }
    return outputs;
  }

  // Declares some outputs waste (a transform's manufacturing scrap, or waste by role; a
  // recovery's residues), keeping at least one product to carry the footprint.
  void MarkWaste(google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs, bool recover,
                 v1::ProcessKind process) {
    const bool manufacturing = core::MayDeclareScrap(process);
    bool has_product = false;
    for (auto& out : outputs) {
      if (!recover && manufacturing && rng_.Percent(15)) {
        out.set_manufacturing_scrap(true);
      } else if (rng_.Percent(10)) {
        out.set_role(v1::OUTPUT_ROLE_WASTE);
      } else {
        has_product = true;
      }
    }
    if (!has_product) {
      outputs[0].set_manufacturing_scrap(false);
      outputs[0].set_role(v1::OUTPUT_ROLE_PRODUCT);
    }
  }

  // Adds an element-free product heavier than what is left of inputs + reagents: the footprint
  // dump the mass bound refuses.
  bool AddPhantomOutput(google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs,
                        uint64_t available) {
    if (outputs.size() >= static_cast<int>(kOutputsMax) + 1) return false;
    uint64_t produced = 0;
    for (const auto& out : outputs) produced += out.mass_grams();
    uint64_t room = available >= produced ? available - produced : 0;
    if (room >= kMassMax) return false;
    v1::LotProduction* p = outputs.Add();
    p->set_lot_id(w_.NewId("L"));
    p->set_material("by-product");
    p->set_mass_grams(rng_.Between(room + 1, kMassMax));
    return true;
  }

  // Makes output 0 hold more of one element than the inputs gave up.
  bool AddExcessElement(google::protobuf::RepeatedPtrField<v1::LotProduction>& outputs,
                        const std::map<int, uint64_t>& consumed_elements) {
    v1::Element element = kElementPool[rng_.Below(std::size(kElementPool))];
    uint64_t produced_elsewhere = 0;
    for (int j = 1; j < outputs.size(); ++j) {
      for (const auto& e : outputs[j].composition()) {
        if (e.element() == element) produced_elsewhere += e.grams();
      }
    }
    auto it = consumed_elements.find(element);
    uint64_t available = it == consumed_elements.end() ? 0 : it->second;
    uint64_t grams = available >= produced_elsewhere ? available - produced_elsewhere + 1 : 1;
    v1::LotProduction& out = outputs[0];
    std::map<int, uint64_t> composition;
    for (const auto& e : out.composition()) composition[e.element()] = e.grams();
    composition[element] = grams;
    uint64_t sum = 0;
    for (const auto& [e, g] : composition) sum += g;
    if (sum > kMassMax) return false;
    out.set_mass_grams(std::max(out.mass_grams(), sum));
    out.clear_composition();
    for (const auto& [e, g] : composition) {
      *out.add_composition() = Element(static_cast<v1::Element>(e), g);
    }
    return true;
  }

  bool Audit() {
    std::vector<std::string> auditors = OrgsWith({v1::ROLE_AUDITOR});
    if (auditors.empty() || w_.facilities_.empty()) return false;
    const std::string& org = Pick(auditors);
    const Fac& facility = Pick(w_.facilities_);
    if (facility.owner == org) return false;
    v1::TxBody body;
    auto* a = body.mutable_record_audit();
    a->set_audit_id(w_.NewId("A"));
    a->set_facility_id(facility.id);
    a->set_standard("RMI RMAP Cobalt Refiner DD Standard");
    a->set_status(static_cast<v1::AuditStatus>(rng_.Between(1, 5)));
    int64_t age_ms = static_cast<int64_t>(rng_.Below(400)) * kDayMs;
    a->set_audit_date_unix_ms(std::max<int64_t>(0, time_next_ms_ - age_ms));
    a->set_valid_until_unix_ms(a->audit_date_unix_ms() +
                               static_cast<int64_t>(rng_.Between(1, 1100)) * kDayMs);
    a->set_report_sha256(RandomHash());
    Emit(org, body, "audit", "");
    return true;
  }

  bool RaiseFlag() {
    v1::TxBody body;
    auto* r = body.mutable_raise_risk_flag();
    r->set_flag_id(w_.NewId("R"));
    if (rng_.Percent(50) && !w_.lots_.empty()) {
      auto it = w_.lots_.begin();
      std::advance(it, static_cast<long>(rng_.Below(w_.lots_.size())));
      r->set_lot_id(it->first);
    } else if (!w_.facilities_.empty()) {
      r->set_facility_id(Pick(w_.facilities_).id);
    } else {
      return false;
    }
    r->set_category(static_cast<v1::RiskCategory>(rng_.Between(1, 9)));
    r->set_severity(static_cast<v1::Severity>(rng_.Between(1, 4)));
    r->set_evidence_sha256(RandomHash());
    r->set_description("grievance report");
    std::string org = Pick(orgs_);
    w_.flags_pending_.push_back({r->flag_id(), org});
    Emit(org, body, "raise_flag", "");
    return true;
  }

  bool ResolveFlag() {
    std::vector<Flag> flags;
    for (const auto& f : w_.open_flags_) {
      if (locked_flags_.count(f.id) == 0) flags.push_back(f);
    }
    if (flags.empty()) return false;
    const Flag& flag = Pick(flags);
    std::string org = flag.raiser;
    std::vector<std::string> auditors = OrgsWith({v1::ROLE_AUDITOR});
    if (!auditors.empty() && rng_.Percent(50)) org = Pick(auditors);
    v1::TxBody body;
    body.mutable_resolve_risk_flag()->set_flag_id(flag.id);
    body.mutable_resolve_risk_flag()->set_resolution_sha256(RandomHash());
    body.mutable_resolve_risk_flag()->set_note("remediated");
    locked_flags_.insert(flag.id);
    Emit(org, body, "resolve_flag", "");
    return true;
  }

  bool RegisterBattery() {
    auto lots = Lots([&](const v1::Lot& l) {
      return l.status() == v1::LOT_STATUS_ACTIVE && !l.has_battery() && core::IsBatteryProduct(l) &&
             (HasRole(l.custodian_org(), v1::ROLE_OEM) ||
              HasRole(l.custodian_org(), v1::ROLE_CELL_MAKER));
    });
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    auto* b = body.mutable_register_battery();
    b->set_lot_id(lot.lot_id());
    b->set_prev_event_hash(lot.last_event_hash());
    b->set_serial("SN-" + lot.lot_id());
    b->set_chemistry(rng_.Percent(50) ? "NMC811" : "LFP");
    b->set_rated_capacity_wh(rng_.Between(1, 1'000'000));
    b->set_expected_lifetime_wh(b->rated_capacity_wh() * rng_.Between(1, 3000));
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "register_battery", "");
    return true;
  }

  bool StateOfHealth() {
    auto lots = Lots([](const v1::Lot& l) {
      return l.status() == v1::LOT_STATUS_ACTIVE && l.has_battery();
    });
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    auto* s = body.mutable_update_state_of_health();
    s->set_lot_id(lot.lot_id());
    s->set_prev_event_hash(lot.last_event_hash());
    s->set_state_of_health_ppm(static_cast<uint32_t>(rng_.Below(1'000'001)));
    s->set_delivered_energy_wh(lot.battery().delivered_energy_wh() + rng_.Below(10'000'000));
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "state_of_health", "");
    return true;
  }

  bool Repurpose() {
    auto lots = Lots([&](const v1::Lot& l) {
      return l.status() == v1::LOT_STATUS_ACTIVE && l.has_battery() &&
             HasRole(l.custodian_org(), v1::ROLE_SECOND_LIFE);
    });
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    body.mutable_repurpose()->set_lot_id(lot.lot_id());
    body.mutable_repurpose()->set_prev_event_hash(lot.last_event_hash());
    body.mutable_repurpose()->set_application("stationary storage");
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "repurpose", "");
    return true;
  }

  bool Retire() {
    auto lots = ActiveLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    body.mutable_retire()->set_lot_id(lot.lot_id());
    body.mutable_retire()->set_prev_event_hash(lot.last_event_hash());
    body.mutable_retire()->set_reason("end of life");
    Lock(lot, lot.custodian_org());
    Emit(lot.custodian_org(), body, "retire", "");
    return true;
  }

  // ----- deliberately invalid actions ---------------------------------------------------------
  bool TryInvalid() {
    switch (rng_.Below(18)) {
      case 13: return TransformOrRecover(/*recover=*/true, Fault::kNotRecoverable);
      case 14: return TransformOrRecover(rng_.Percent(20), Fault::kPhantomOutput);
      case 15: return TransformOrRecover(/*recover=*/false, Fault::kWasteInput);
      case 16: return TransformOrRecover(rng_.Percent(20), Fault::kAllWaste);
      case 17: return OfferWasteAsMaterial();
      case 12: return StaleInBlock();
      case 0: return WrongCustodian();
      case 1: return StalePrev();
      case 2: return TransformOrRecover(rng_.Percent(20), Fault::kTooMuchMass);
      case 3: return TransformOrRecover(rng_.Percent(20), Fault::kElementIncrease);
      case 4: return ReplayedNonce();
      case 5: return BadSignature();
      case 6: return UnknownLot();
      case 7: return NotRecipient();
      case 8: return NotActive();
      case 9: return CompositionExceedsMass();
      case 10: return RoleForbidden();
      default: return DuplicateLotId();
    }
  }

  bool WrongCustodian() {
    auto lots = ActiveLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::string signer = OtherOrg(lot.custodian_org());
    if (signer.empty()) return false;
    v1::TxBody body;
    if (rng_.Percent(50)) {
      std::string to = OtherOrg(signer);
      if (to.empty()) return false;
      *body.mutable_offer_transfer() = OfferBody(lot, to);
    } else {
      body.mutable_retire()->set_lot_id(lot.lot_id());
      body.mutable_retire()->set_prev_event_hash(lot.last_event_hash());
    }
    Emit(signer, body, "wrong_custodian", core::codes::kNotCustodian);
    return true;
  }

  bool StalePrev() {
    auto lots = ActiveLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::string to = OfferTarget(lot.custodian_org());
    if (to.empty()) return false;
    v1::TxBody body;
    *body.mutable_offer_transfer() = OfferBody(lot, to);
    body.mutable_offer_transfer()->set_prev_event_hash(RandomHash());
    Emit(lot.custodian_org(), body, "stale_prev", core::codes::kStaleEvent);
    return true;
  }

  // A lot an earlier tx of this block already moved on, addressed with its committed last event:
  // exercises the rules' reads through the block's own writes (double spend in one block).
  bool StaleInBlock() {
    if (locked_lots_.empty()) return false;
    auto it = locked_lots_.begin();
    std::advance(it, static_cast<long>(rng_.Below(locked_lots_.size())));
    const v1::Lot& lot = w_.lots_.at(it->first);
    v1::TxBody body;
    body.mutable_retire()->set_lot_id(lot.lot_id());
    body.mutable_retire()->set_prev_event_hash(lot.last_event_hash());
    Emit(it->second, body, "stale_in_block", core::codes::kStaleEvent);
    return true;
  }

  bool ReplayedNonce() {
    if (w_.replayable_.empty()) return false;
    const Replayable& old = Pick(w_.replayable_);
    WorkloadTx tx;
    tx.org = old.org;
    tx.signed_bytes = old.bytes;
    v1::SignedTx envelope;
    LOTCHAIN_ASSERT(envelope.ParseFromString(old.bytes));
    LOTCHAIN_ASSERT(tx.body.ParseFromString(envelope.body()));
    tx.action = "replayed_nonce";
    tx.expected_reason = core::codes::kReplayedNonce;
    txs_.push_back(std::move(tx));
    return true;
  }

  bool BadSignature() {
    auto lots = ActiveLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::string to = OfferTarget(lot.custodian_org());
    if (to.empty()) return false;
    v1::TxBody body;
    *body.mutable_offer_transfer() = OfferBody(lot, to);
    Emit(lot.custodian_org(), body, "bad_signature", core::codes::kBadSignature,
         /*tamper_signature=*/true);
    return true;
  }

  bool UnknownLot() {
    std::string org = Pick(orgs_);
    std::string to = OtherOrg(org);
    if (to.empty()) return false;
    v1::TxBody body;
    body.mutable_offer_transfer()->set_lot_id(w_.NewId("ghost"));
    body.mutable_offer_transfer()->set_prev_event_hash(std::string(32, '\0'));
    body.mutable_offer_transfer()->set_to_org(to);
    Emit(org, body, "unknown_lot", core::codes::kUnknownLot);
    return true;
  }

  bool NotRecipient() {
    auto lots = TransitLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    std::vector<std::string> others;
    for (const auto& org : orgs_) {
      if (org != lot.pending_offer().to_org()) others.push_back(org);
    }
    if (others.empty()) return false;
    v1::TxBody body;
    body.mutable_accept_transfer()->set_lot_id(lot.lot_id());
    body.mutable_accept_transfer()->set_prev_event_hash(lot.last_event_hash());
    Emit(Pick(others), body, "not_recipient", core::codes::kNotOfferRecipient);
    return true;
  }

  bool NotActive() {
    auto lots = TransitLots();
    if (lots.empty()) return false;
    const v1::Lot& lot = *Pick(lots);
    v1::TxBody body;
    body.mutable_retire()->set_lot_id(lot.lot_id());
    body.mutable_retire()->set_prev_event_hash(lot.last_event_hash());
    Emit(lot.custodian_org(), body, "not_active", core::codes::kLotNotActive);
    return true;
  }

  bool CompositionExceedsMass() {
    std::vector<std::string> miners = OrgsWith({v1::ROLE_MINER});
    if (miners.empty()) return false;
    const std::string& org = Pick(miners);
    std::vector<Fac> mines = FacilitiesOf(org, {v1::FACILITY_KIND_MINE});
    if (mines.empty()) return false;
    v1::TxBody body;
    v1::CreateOriginLot c = OriginBody(w_.NewId("L"), Pick(mines).id);
    c.set_mass_grams(std::min(c.mass_grams(), kMassMax - 1));
    c.clear_composition();
    *c.add_composition() = Element(v1::ELEMENT_CO, c.mass_grams() + 1);
    *body.mutable_create_origin_lot() = c;
    Emit(org, body, "composition_exceeds_mass", core::codes::kCompositionExceedsMass);
    return true;
  }

  bool RoleForbidden() {
    std::vector<std::string> others;
    for (const auto& org : orgs_) {
      if (!HasRole(org, v1::ROLE_MINER)) others.push_back(org);
    }
    if (others.empty() || w_.facilities_.empty()) return false;
    v1::TxBody body;
    *body.mutable_create_origin_lot() = OriginBody(w_.NewId("L"), Pick(w_.facilities_).id);
    Emit(Pick(others), body, "role_forbidden", core::codes::kRoleForbidden);
    return true;
  }

  bool DuplicateLotId() {
    std::vector<std::string> miners = OrgsWith({v1::ROLE_MINER});
    if (miners.empty() || (w_.lots_.empty() && w_.dead_lot_ids_.empty())) return false;
    const std::string& org = Pick(miners);
    std::vector<Fac> mines = FacilitiesOf(org, {v1::FACILITY_KIND_MINE});
    if (mines.empty()) return false;
    std::string existing;
    if (!w_.dead_lot_ids_.empty() && (w_.lots_.empty() || rng_.Percent(50))) {
      existing = Pick(w_.dead_lot_ids_);
    } else {
      auto it = w_.lots_.begin();
      std::advance(it, static_cast<long>(rng_.Below(w_.lots_.size())));
      existing = it->first;
    }
    v1::TxBody body;
    *body.mutable_create_origin_lot() = OriginBody(existing, Pick(mines).id);
    Emit(org, body, "duplicate_lot_id", core::codes::kDuplicateLotId);
    return true;
  }

  RandomWorkload& w_;
  TestChain& chain_;
  Prng& rng_;
  const int64_t time_next_ms_;  // the time TestChain gives the next block
  std::vector<std::string> orgs_;
  // Lots written by an earlier tx of this block -> their custodian after that tx.
  std::map<std::string, std::string> locked_lots_;
  std::set<std::string> locked_flags_;  // resolved by an earlier tx of this block
  std::set<std::string> registering_;   // registering a facility in this block
  std::vector<WorkloadTx> txs_;
};

// ---------------------------------------------------------------------------------------------
// RandomWorkload

RandomWorkload::RandomWorkload(uint64_t seed, WorkloadOptions options)
    : seed_(seed), options_(std::move(options)), prng_(seed) {
  LOTCHAIN_ASSERT(options_.block_txs_min <= options_.block_txs_max);
  LOTCHAIN_ASSERT(options_.invalid_percent <= 100);
}

std::string RandomWorkload::NewId(const char* kind) {
  return options_.id_prefix + kind + std::to_string(++id_count_);
}

std::vector<std::string> RandomWorkload::SignedTxs(const std::vector<WorkloadTx>& block) {
  std::vector<std::string> out;
  out.reserve(block.size());
  for (const auto& tx : block) out.push_back(tx.signed_bytes);
  return out;
}

void RandomWorkload::Refresh(const TestChain& chain) {
  const core::MemState& state = chain.state();
  if (roles_.empty()) {
    for (const auto& member : chain.genesis().members) {
      auto& roles = roles_[member.org_id()];
      for (int role : member.roles()) roles.push_back(static_cast<v1::Role>(role));
    }
  }
  for (const auto& f : facilities_pending_) {
    if (state.Get(core::keys::Facility(f.id)).has_value()) facilities_.push_back(f);
  }
  facilities_pending_.clear();
  for (auto& id : lots_pending_) {
    if (chain.HasLot(id)) live_lot_ids_.push_back(std::move(id));
  }
  lots_pending_.clear();
  // Re-parse only the lots whose encoding changed since the last block.
  std::vector<std::string> still_live;
  for (auto& id : live_lot_ids_) {
    std::optional<std::string> bytes = state.Get(core::keys::Lot(id));
    LOTCHAIN_ASSERT(bytes.has_value());
    auto cached = lot_bytes_.find(id);
    if (cached == lot_bytes_.end() || cached->second != *bytes) {
      LOTCHAIN_ASSERT(lots_[id].ParseFromString(*bytes));
      lot_bytes_[id] = std::move(*bytes);
    }
    if (IsLive(lots_.at(id))) {
      still_live.push_back(std::move(id));
      continue;
    }
    lots_.erase(id);
    lot_bytes_.erase(id);
    if (dead_lot_ids_.size() < kDeadLotsMax) {
      dead_lot_ids_.push_back(std::move(id));
    } else {
      dead_lot_ids_[static_cast<size_t>(prng_.Below(kDeadLotsMax))] = std::move(id);
    }
  }
  live_lot_ids_ = std::move(still_live);
  for (auto& f : flags_pending_) open_flags_.push_back(std::move(f));
  flags_pending_.clear();
  std::vector<Flag> open;
  for (auto& f : open_flags_) {
    auto bytes = state.Get(core::keys::RiskFlag(f.id));
    v1::RiskFlag flag;
    if (bytes.has_value() && flag.ParseFromString(*bytes) && !flag.resolved()) {
      open.push_back(std::move(f));
    }
  }
  open_flags_ = std::move(open);
  for (auto& r : replay_pending_) {
    auto bytes = state.Get(core::keys::SignerNonce(r.signer));
    v1::SignerNonce nonce;
    if (!bytes.has_value() || !nonce.ParseFromString(*bytes) || nonce.last_nonce() < r.nonce) {
      continue;  // not committed (e.g. the block was never executed)
    }
    if (replayable_.size() < kReplayableMax) {
      replayable_.push_back(std::move(r));
    } else {
      replayable_[static_cast<size_t>(prng_.Below(kReplayableMax))] = std::move(r);
    }
  }
  replay_pending_.clear();
}

std::vector<WorkloadTx> RandomWorkload::NextBlock(TestChain& chain) {
  Refresh(chain);
  Builder builder(*this, chain);
  return builder.Build();
}

}  // namespace lotchain::testing
