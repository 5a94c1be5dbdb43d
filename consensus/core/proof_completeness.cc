#include "consensus/core/proof_completeness.h"

#include "lotchain/v1/governance.pb.h"

#include <map>
#include <optional>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/proof_scope.h"
#include "consensus/core/proof_verify.h"
#include "consensus/core/state_keys.h"
#include "consensus/core/state_tree.h"
#include "lotchain/v1/governance.pb.h"
#include "lotchain/v1/state.pb.h"
#include "lotchain/v1/tx.pb.h"

namespace lotchain::core {

namespace checks = proof_checks;

namespace {

using Failures = std::vector<CompletenessFailure>;

std::string Num(uint64_t n) { return std::to_string(n); }

// Says, for a person, what differs between the committed record and the replayed one.
std::string DescribeLot(std::string_view id, const std::optional<std::string>& committed,
                        const std::optional<std::string>& replayed, uint64_t height) {
  const std::string at = " as of height " + Num(height);
  const std::string lot = "lot \"" + std::string(id) + "\"";
  if (!committed.has_value()) return lot + " does not exist" + at + ", but the bundle makes it";
  if (!replayed.has_value()) {
    return lot + " (in the lot's ancestry or consumed with it) exists" + at +
           ", but the bundle holds none of its history";
  }
  v1::Lot want;
  v1::Lot got;
  if (!want.ParseFromString(*committed) || !got.ParseFromString(*replayed)) {
    return lot + ": its committed record does not parse";
  }
  if (want.event_count() != got.event_count()) {
    return lot + " has " + Num(want.event_count()) + " events" + at + "; the bundle holds " +
           Num(got.event_count()) + " (events were left out)";
  }
  if (want.open_flag_count() != got.open_flag_count()) {
    return lot + " has " + Num(want.open_flag_count()) + " open risk flags" + at +
           "; the bundle holds " + Num(got.open_flag_count());
  }
  if (want.last_event_hash() != got.last_event_hash()) {
    return lot + ": its last event" + at + " is not the one the bundle ends with";
  }
  return lot + ": its record" + at + " differs from the bundle's replay";
}

std::string DescribeFacility(std::string_view id, const std::optional<std::string>& committed,
                             const std::optional<std::string>& replayed, uint64_t height) {
  const std::string at = " as of height " + Num(height);
  const std::string facility = "facility \"" + std::string(id) + "\"";
  if (!committed.has_value()) return facility + " does not exist" + at;
  if (!replayed.has_value()) return facility + " is named, but its registration is missing";
  v1::Facility want;
  v1::Facility got;
  if (!want.ParseFromString(*committed) || !got.ParseFromString(*replayed)) {
    return facility + ": its committed record does not parse";
  }
  if (want.audit_count() != got.audit_count()) {
    return facility + " has " + Num(want.audit_count()) + " audits recorded" + at +
           "; the bundle holds " + Num(got.audit_count()) + " (an audit was left out)";
  }
  if (want.open_flag_count() != got.open_flag_count()) {
    return facility + " has " + Num(want.open_flag_count()) + " open risk flags" + at +
           "; the bundle holds " + Num(got.open_flag_count()) + " (a flag was left out)";
  }
  return facility + ": its record" + at + " differs from the bundle's replay";
}

std::string DescribeFlag(std::string_view id, const std::optional<std::string>& committed,
                         uint64_t height) {
  const std::string flag = "risk flag \"" + std::string(id) + "\"";
  v1::RiskFlag want;
  if (committed.has_value() && want.ParseFromString(*committed) && want.resolved()) {
    return flag + " was resolved at height " + Num(want.resolved_height()) +
           "; the bundle shows it open";
  }
  return flag + ": its record as of height " + Num(height) + " differs from the bundle's";
}

uint64_t GovernanceEvents(const std::optional<std::string>& head_bytes) {
  v1::GovernanceHead head;
  return head_bytes.has_value() && head.ParseFromString(*head_bytes) ? head.event_count() : 0;
}

std::string DescribeGovernance(const std::optional<std::string>& committed,
                               const std::optional<std::string>& replayed, uint64_t height) {
  return "the governance log had " + std::to_string(GovernanceEvents(committed)) +
         " events at height " + std::to_string(height) + " but the bundle replays to " +
         std::to_string(GovernanceEvents(replayed)) +
         " (or to another last event hash): a governance transaction (a member admitted, a key "
         "rotated, a validator-set change) was left out or altered, so the members' keys and "
         "the validator sets the bundle implies cannot be trusted";
}

std::string Describe(std::string_view key, const std::optional<std::string>& committed,
                     const std::optional<std::string>& replayed, uint64_t height) {
  if (key.starts_with("l/")) return DescribeLot(key.substr(2), committed, replayed, height);
  if (key.starts_with("f/")) return DescribeFacility(key.substr(2), committed, replayed, height);
  if (key.starts_with("r/")) return DescribeFlag(key.substr(2), committed, height);
  if (key == keys::GovernanceHead()) return DescribeGovernance(committed, replayed, height);
  return "state record \"" + std::string(key) + "\" differs";
}

// Verified anchor proofs by key (check 1).
std::map<std::string, std::optional<std::string>> VerifiedProofs(const v1::StateAnchor& anchor,
                                                                  std::string_view state_root,
                                                                  Failures& out) {
  std::map<std::string, std::optional<std::string>> proven;
  const std::string* prev = nullptr;
  for (const v1::StateProof& proof : anchor.proofs()) {
    if (prev != nullptr && !(*prev < proof.key())) {
      out.push_back({-1, "", checks::kStateProof,
                     "the anchor's state proofs are not sorted by key and distinct (at \"" +
                         proof.key().substr(0, 80) + "\"): a merged or edited bundle"});
      return {};
    }
    prev = &proof.key();
    Status verdict = VerifyStateProof(state_root, proof);
    if (!verdict.ok()) {
      out.push_back({-1, "", checks::kStateProof,
                     "state proof of \"" + proof.key().substr(0, 80) + "\": " + verdict.message()});
      continue;
    }
    proven.emplace(proof.key(), proof.present() ? std::optional<std::string>(proof.value())
                                                : std::nullopt);
  }
  return proven;
}

// Check 3: is this replayed entry part of the scope?
bool InScope(const ProofScope& scope, const std::set<std::string>& event_txs,
             const v1::ProofBundle& bundle, const ReplayedEntry& entry) {
  if (event_txs.count(entry.tx_hash) != 0) return true;
  v1::SignedTx envelope;
  v1::TxBody body;
  if (!envelope.ParseFromString(bundle.txs(entry.position).signed_tx()) ||
      !body.ParseFromString(envelope.body())) {
    return false;
  }
  if (body.has_register_facility()) {
    return scope.facilities.count(body.register_facility().facility_id()) != 0;
  }
  if (body.has_record_audit()) {
    return scope.facilities.count(body.record_audit().facility_id()) != 0;
  }
  if (body.has_raise_risk_flag()) {
    return scope.open_flags.count(body.raise_risk_flag().flag_id()) != 0;
  }
  return false;
}

}  // namespace

Failures CheckCompleteness(const v1::ProofBundle& bundle, std::string_view state_root,
                           const StateReader& replayed,
                           const std::vector<ReplayedEntry>& entries) {
  Failures out;
  const uint64_t height = bundle.anchor().height();
  std::map<std::string, std::optional<std::string>> proven =
      VerifiedProofs(bundle.anchor(), state_root, out);
  if (!out.empty()) return out;
  // The replayed state is the verifier's only view: no limit beyond what it could replay.
  Result<ProofScope> scope =
      ComputeProofScope(replayed, bundle.lot_id(), {UINT32_MAX, SIZE_MAX});
  if (!scope.ok()) {
    // The lot itself is missing; the replay check reports it. Prove it was missing at H too.
    auto it = proven.find(keys::Lot(bundle.lot_id()));
    if (it != proven.end() && it->second.has_value()) {
      out.push_back({-1, "", checks::kIncomplete,
                     DescribeLot(bundle.lot_id(), it->second, std::nullopt, height)});
    }
    return out;
  }
  for (const std::string& key : scope->AnchorKeys()) {
    auto it = proven.find(key);
    if (it == proven.end()) {
      out.push_back({-1, "", checks::kIncomplete,
                     "the anchor has no state proof of \"" + key.substr(0, 80) +
                         "\", so the bundle cannot show that its history is complete"});
      continue;
    }
    const std::optional<std::string> mine = replayed.Get(key);
    if (mine != it->second) {
      out.push_back({-1, "", checks::kIncomplete, Describe(key, it->second, mine, height)});
    }
  }
  std::set<std::string> event_txs;
  for (const ProofEventRef& event : scope->events) event_txs.insert(event.tx_hash);
  for (const ProofEventRef& event : scope->governance) event_txs.insert(event.tx_hash);
  for (const ReplayedEntry& entry : entries) {
    if (InScope(*scope, event_txs, bundle, entry)) continue;
    out.push_back({entry.position, entry.tx_hash, checks::kExtraneous,
                   "this transaction is not part of the proof of lot \"" + bundle.lot_id() +
                       "\" (no event of its lots, audit, registration or open flag of its "
                       "facilities): a bundle of another lot relabelled, or two bundles "
                       "merged"});
  }
  return out;
}

}  // namespace lotchain::core
