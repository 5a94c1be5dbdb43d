// Internal to the governance rules (governance_rules.cc, governance_changes.cc).
#pragma once

#include <string>
#include <string_view>

#include "consensus/core/custody_env.h"
#include "lotchain/v1/governance.pb.h"

namespace lotchain::core::internal {

// Whether `change` can apply to the state as it is now (ids exist or are new, keys unused, at
// least one active member and one validator stay, ...). Checked when proposed and when adopted.
Status CheckChange(const TxEnv& env, const v1::GovernanceChange& change,
                   const v1::GovernanceHead& head);
// Applies an adopted, checked change; sets proposal.effective_height for validator changes.
Status AdoptChange(TxEnv& env, v1::GovernanceProposal& proposal, v1::GovernanceHead& head);

// The approvals of active members reach the member quorum and, for a validator change, the
// validators their operators run reach the validator quorum of the set now certifying.
bool QuorumMet(const TxEnv& env, const v1::GovernanceProposal& proposal, const v1::GovernanceHead& head);
// So many active members rejected that the member quorum can no longer be met.
bool QuorumUnreachable(const TxEnv& env, const v1::GovernanceProposal& proposal,
                       const v1::GovernanceHead& head);

// A 32-byte key that has never signed for any member (keys are never reused).
Status CheckNewMemberKey(const TxEnv& env, std::string_view key, std::string_view field);
// Writes "x/" key: it may not sign again; `why` is shown to whoever tries.
void RevokeKeyRecord(TxEnv& env, const std::string& key, const std::string& org_id,
                     std::string why);

// Appends an event (with `event`'s extra fields) to the hash-linked governance log and stores
// it; the caller stores `head`.
void AppendGovernanceEvent(TxEnv& env, v1::GovernanceHead& head, v1::GovernanceEventKind kind,
                           const std::string& proposal_id, v1::GovernanceEvent event = {});

}  // namespace lotchain::core::internal
