// Internal to the custody rules: the environment one transaction is applied in, and helpers
// shared by the per-event rule files (custody_*.cc). Not part of the public API.
#pragma once

#include <string>
#include <string_view>

#include "consensus/core/custody.h"
#include "consensus/core/proto_parse.h"
#include "consensus/core/custody_codes.h"
#include "lotchain/v1/state.pb.h"

namespace lotchain::core::internal {

// Upper bounds that keep every sum and product in the rules far from uint64 overflow.
inline constexpr uint64_t kMassGramsMax = 1'000'000'000'000'000;  // 1e15 g = 1 Gt per lot
inline constexpr uint64_t kCo2eGramsMax = 1'000'000'000'000'000;  // 1e15 g CO2e per event
inline constexpr size_t kTextBytesMax = 512;

// Reads see the transaction's own writes; writes accumulate in `delta`.
class TxEnv {
 public:
  TxEnv(const Genesis& genesis, const StateReader& base, const TxContext& ctx,
        const v1::Member& actor, std::string_view signer = {})
      : genesis_(genesis), view_(base, delta_), ctx_(ctx), actor_(actor), signer_(signer) {}

  const Genesis& genesis() const { return genesis_; }
  const StateReader& view() const { return view_; }
  const TxContext& ctx() const { return ctx_; }
  const v1::Member& actor() const { return actor_; }
  const std::string& actor_org() const { return actor_.org_id(); }
  std::string_view signer() const { return signer_; }  // the signing key (32 bytes)
  bool ActorHasRole(v1::Role role) const;
  StateDelta TakeDelta() { return std::move(delta_); }

  template <typename Record>
  bool Load(const std::string& key, Record* out) const {
    auto bytes = view_.Get(key);
    if (!bytes.has_value()) return false;
    // State written by these rules always parses; anything else is corruption (a bug).
    ParseOwnOrDie(*out, *bytes);
    return true;
  }
  template <typename Record>
  void Store(std::string key, const Record& record) {
    delta_.Put(std::move(key), record.SerializeAsString());
  }
  void StoreBytes(std::string key, std::string value) {
    delta_.Put(std::move(key), std::move(value));
  }
  void Erase(std::string key) { delta_.Delete(std::move(key)); }

  // Loaders that turn absence into the right rejection.
  Result<v1::Lot> LoadLot(std::string_view lot_id) const;
  Result<v1::Facility> LoadFacility(std::string_view facility_id) const;
  Status RequireNewLotId(std::string_view lot_id) const;

  // Appends an event to `lot`'s hash-linked history (writes the LotEvent record, advances
  // lot.last_event_hash and lot.event_count). The caller stores the lot afterwards.
  void AppendEvent(v1::Lot& lot, v1::LotEvent event);

  // Adds to the chain-wide totals (emissions injected / retired, lots, events).
  Status AddInjected(uint64_t co2e_grams);
  void AddRetired(uint64_t co2e_grams);

 private:
  const Genesis& genesis_;
  StateDelta delta_;
  OverlayState view_;
  const TxContext& ctx_;
  const v1::Member& actor_;
  std::string_view signer_;
};

__extension__ using Uint128 = unsigned __int128;

// The chain-wide CO2e totals (v1::Totals keeps each as a low and a high 64-bit word).
Uint128 InjectedTotal(const v1::Totals& totals);
Uint128 RetiredTotal(const v1::Totals& totals);

bool HasRole(const v1::Member& member, v1::Role role);

// Shared checks. Each returns OK or a rejection naming the field.
Status CheckId(std::string_view id, std::string_view field);
Status CheckText(std::string_view text, std::string_view field, size_t min_bytes,
                 size_t max_bytes);
Status CheckHash(std::string_view hash, std::string_view field);
Status CheckMass(uint64_t grams, std::string_view field);
Status CheckEmissions(const v1::Emissions& emissions, std::string_view field);
// Sorted by element, distinct, known elements, each <= mass, sum <= mass; recycled fields
// must be zero when `recycled_allowed` is false.
Status CheckComposition(const google::protobuf::RepeatedPtrField<v1::ElementMass>& composition,
                        uint64_t mass_grams, std::string_view field, bool recycled_allowed);
Status RequireRole(const TxEnv& env, std::initializer_list<v1::Role> roles,
                   std::string_view action);
Status RequireCustodian(const TxEnv& env, const v1::Lot& lot);
Status RequireActive(const v1::Lot& lot);
Status RequirePrevEvent(const v1::Lot& lot, std::string_view prev_event_hash);

std::string ZeroHash();
std::string_view LotStatusName(v1::LotStatus status);
// The facility's latest audit, as recorded (empty AuditRef when never audited).
v1::AuditRef AuditAt(const v1::Facility& facility);

// Event handlers, one per TxBody event (custody_*.cc).
Status ApplyRegisterFacility(TxEnv& env, const v1::RegisterFacility& tx);
Status ApplyCreateOriginLot(TxEnv& env, const v1::CreateOriginLot& tx);
Status ApplyOfferTransfer(TxEnv& env, const v1::OfferTransfer& tx);
Status ApplyAcceptTransfer(TxEnv& env, const v1::AcceptTransfer& tx);
Status ApplyRejectTransfer(TxEnv& env, const v1::RejectTransfer& tx);
Status ApplyCancelTransfer(TxEnv& env, const v1::CancelTransfer& tx);
Status ApplyTransform(TxEnv& env, const v1::Transform& tx);
Status ApplyRecover(TxEnv& env, const v1::Recover& tx);
Status ApplyRecordAudit(TxEnv& env, const v1::RecordAudit& tx);
Status ApplyRaiseRiskFlag(TxEnv& env, const v1::RaiseRiskFlag& tx);
Status ApplyResolveRiskFlag(TxEnv& env, const v1::ResolveRiskFlag& tx);
Status ApplyRegisterBattery(TxEnv& env, const v1::RegisterBattery& tx);
Status ApplyUpdateStateOfHealth(TxEnv& env, const v1::UpdateStateOfHealth& tx);
Status ApplyRepurpose(TxEnv& env, const v1::Repurpose& tx);
Status ApplyRetire(TxEnv& env, const v1::Retire& tx);
// Governance (governance_rules.cc).
Status ApplyProposeChange(TxEnv& env, const v1::ProposeChange& tx);
Status ApplyApproveProposal(TxEnv& env, const v1::ApproveProposal& tx);
Status ApplyRejectProposal(TxEnv& env, const v1::RejectProposal& tx);
Status ApplyRotateKey(TxEnv& env, const v1::RotateKey& tx);

}  // namespace lotchain::core::internal
