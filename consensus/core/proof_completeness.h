// Completeness of a proof bundle (docs/PROOF-VERIFY.md "Completeness"): the second half of the
// auditor's verdict. The replay (proof_verify.cc) shows that what the bundle holds happened;
// this shows that it holds everything the lot's figures depend on, as of the anchor height,
// and nothing else:
//   1. every state proof of the anchor verifies under the anchor header's state_root, sorted by
//      key and distinct;
//   2. for every anchor key of the lot's scope computed on the REPLAYED state (proof_scope.h),
//      the anchor proves the committed value, and the replay produced exactly that value: the
//      lot's event count and last event hash, each facility's audit and open-flag counts, each
//      open flag still unresolved. A left-out event, audit or flag changes one of them;
//   3. every entry is part of the scope (an event of a lot of L, the registration or an audit
//      of a facility of the scope, the raising of an open flag of the scope): a bundle of
//      another lot relabelled, or the union of two bundles, holds entries that are not.
// Pure; never aborts on bundle bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/state.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::core {

struct CompletenessFailure {
  int tx_index = -1;        // position in bundle.txs, or -1
  std::string tx_hash;      // raw 32 bytes, or empty
  std::string_view check;   // a proof_checks name
  std::string message;
};

struct ReplayedEntry {
  int position = 0;     // in bundle.txs
  std::string tx_hash;  // raw 32 bytes
};

// `state_root` is the anchor header's; `replayed` the state after the replay; `entries` those
// the replay applied.
std::vector<CompletenessFailure> CheckCompleteness(const v1::ProofBundle& bundle,
                                                   std::string_view state_root,
                                                   const StateReader& replayed,
                                                   const std::vector<ReplayedEntry>& entries);

}  // namespace lotchain::core
