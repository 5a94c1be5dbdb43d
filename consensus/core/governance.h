// Governance: how the consortium changes its members, roles, keys and validators by quorum
// (governance.proto; docs/GOVERNANCE.md). The rules themselves are custody-style handlers
// (internal::ApplyProposeChange & co., dispatched by ApplyTx); this header is what the rest of
// the system reads: the validator sets the chain has scheduled, proposals' effective status.
// Pure: no I/O, clock or randomness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/state.h"
#include "lotchain/v1/governance.pb.h"
#include "lotchain/v1/tx.pb.h"

namespace lotchain::core {

// A validator-set change adopted in block H certifies blocks from H + 2 on (Tendermint-style):
// block H + 1's header already commits to the new set as its next_validators_hash, and every
// node has committed H, so knows the set, before it starts H + 2.
inline constexpr uint64_t kValidatorActivationDelay = 2;
inline constexpr size_t kMemberKeysMax = 16;

// The governance head, or the genesis defaults (no event, genesis member count) before the first
// governance transaction.
v1::GovernanceHead LoadGovernanceHead(const Genesis& genesis, const StateReader& state);

// Every validator set the chain has scheduled, by first height: the genesis set at 1, then one
// per "V/" record the head lists. Ascending; the last may be for a height not yet reached.
std::vector<v1::ValidatorSetRecord> ScheduledValidatorSets(const Genesis& genesis,
                                                           const StateReader& state);

// Conversions between the genesis form and the record form of a validator.
v1::ValidatorSpec ToSpec(const GenesisValidator& validator);
GenesisValidator FromSpec(const v1::ValidatorSpec& spec);

// OPEN proposals past their expiry height read as EXPIRED (expiry is lazy: no transaction is
// needed for it, and an expired proposal can no longer be approved or rejected).
v1::ProposalStatus EffectiveStatus(const v1::GovernanceProposal& proposal, uint64_t height);
std::string_view ProposalStatusName(v1::ProposalStatus status);
// "add_member", "remove_validator", ... for messages, logs and the CLI.
std::string_view ChangeKindName(const v1::GovernanceChange& change);
bool IsValidatorChange(const v1::GovernanceChange& change);
// Proposals, approvals, rejections and key rotations: what a proof bundle carries for every lot.
bool IsGovernanceTx(const v1::TxBody& body);

}  // namespace lotchain::core
