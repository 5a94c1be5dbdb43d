// What a lot's proof bundle covers (docs/PROOF-VERIFY.md "Bundle contents"), computed by one
// function that both sides run: the node on its state to build the bundle, the auditor's
// verifier on the state it replayed from the bundle, to check the bundle holds all of it and
// nothing else.
//
// The scope of lot X is
//   lots        L: X, the parents of every lot of L, and the co-inputs of every transform or
//               recovery that consumed a lot of L (every output lists all inputs of its
//               transaction as parents, so these are the parents of the children of L);
//   facilities  every facility a lot of L or one of its events names;
//   open flags  the unresolved risk flags on a lot of L or on one of those facilities;
//   event txs   the transaction behind every event of every lot of L;
//   governance  the transaction behind every event of the governance log (docs/GOVERNANCE.md):
//               the verifier replays them to know the members' keys and the validator set of
//               every height, from the genesis file alone.
// Its anchor keys are the state records whose values at the anchor height show that nothing
// was left out: each lot of L (event count and last event hash, open flag count), each
// facility (audit count, open flag count), each open flag (still unresolved) and the
// governance head "G/gov" (event count and last event hash; absent before the first one).
//
// Pure function of the state; bounded by the limits (error PROOF_TOO_LARGE names the limit).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/result.h"
#include "consensus/core/state.h"

namespace lotchain::core {

struct ProofEventRef {
  uint64_t height = 0;
  uint32_t tx_index = 0;
  std::string tx_hash;
  std::string lot_id;
};

struct ProofScope {
  std::vector<std::string> lots;     // L, breadth-first from the lot
  std::set<std::string> missing_lots;  // named by L (a parent, a co-input) but not in the state
  std::set<std::string> facilities;
  std::set<std::string> open_flags;  // flag ids
  std::vector<ProofEventRef> events;  // of every lot of L, lot by lot, in history order
  std::vector<ProofEventRef> governance;  // one per governance tx, in log order (lot_id empty)
  std::vector<std::string> AnchorKeys() const;  // ascending, distinct
};

inline constexpr uint64_t kGovernanceEventsMax = 100'000;

struct ProofScopeLimits {
  uint32_t lots_max = 64'000;
  size_t children_max = 10'000;  // children of one lot
};

// Errors: the lot's own QueryLot error when it does not exist; PROOF_TOO_LARGE.
Result<ProofScope> ComputeProofScope(const StateReader& state, std::string_view lot_id,
                                     const ProofScopeLimits& limits);

}  // namespace lotchain::core
