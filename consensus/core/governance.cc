// Governance reads shared by the rules, the node's validator schedule and queries.
#include "consensus/core/governance.h"

#include "consensus/core/proto_parse.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core {

v1::GovernanceHead LoadGovernanceHead(const Genesis& genesis, const StateReader& state) {
  v1::GovernanceHead head;
  if (auto bytes = state.Get(keys::GovernanceHead())) {
    ParseOwnOrDie(head, *bytes);
    return head;
  }
  head.set_active_members(genesis.members.size());
  head.set_last_event_hash(std::string(32, '\0'));
  return head;
}

v1::ValidatorSpec ToSpec(const GenesisValidator& validator) {
  v1::ValidatorSpec spec;
  spec.set_validator_id(validator.id);
  spec.set_public_key(validator.public_key);
  spec.set_address(validator.address);
  spec.set_operator_org(validator.operator_org);
  return spec;
}

GenesisValidator FromSpec(const v1::ValidatorSpec& spec) {
  return GenesisValidator{.id = spec.validator_id(),
                          .public_key = spec.public_key(),
                          .address = spec.address(),
                          .operator_org = spec.operator_org()};
}

std::vector<v1::ValidatorSetRecord> ScheduledValidatorSets(const Genesis& genesis,
                                                           const StateReader& state) {
  std::vector<v1::ValidatorSetRecord> sets(1);
  sets[0].set_active_from(1);
  for (const auto& v : genesis.validators) *sets[0].add_validators() = ToSpec(v);
  const v1::GovernanceHead head = LoadGovernanceHead(genesis, state);
  for (uint64_t height : head.validator_set_heights()) {
    auto bytes = state.Get(keys::ValidatorSetFrom(height));
    LOTCHAIN_ASSERT(bytes.has_value());  // the head lists only heights the rules wrote
    ParseOwnOrDie(sets.emplace_back(), *bytes);
  }
  return sets;
}

v1::ProposalStatus EffectiveStatus(const v1::GovernanceProposal& proposal, uint64_t height) {
  if (proposal.status() == v1::PROPOSAL_STATUS_OPEN && height > proposal.expires_height()) {
    return v1::PROPOSAL_STATUS_EXPIRED;
  }
  return proposal.status();
}

std::string_view ProposalStatusName(v1::ProposalStatus status) {
  switch (status) {
    case v1::PROPOSAL_STATUS_OPEN: return "open";
    case v1::PROPOSAL_STATUS_ADOPTED: return "adopted";
    case v1::PROPOSAL_STATUS_REJECTED: return "rejected";
    case v1::PROPOSAL_STATUS_EXPIRED: return "expired";
    default: return "unspecified";
  }
}

std::string_view ChangeKindName(const v1::GovernanceChange& change) {
  using C = v1::GovernanceChange;
  switch (change.change_case()) {
    case C::kAddMember: return "add_member";
    case C::kSetMemberRoles: return "set_member_roles";
    case C::kSuspendMember: return "suspend_member";
    case C::kReinstateMember: return "reinstate_member";
    case C::kRemoveMember: return "remove_member";
    case C::kRevokeKey: return "revoke_key";
    case C::kAddValidator: return "add_validator";
    case C::kRemoveValidator: return "remove_validator";
    case C::kRekeyValidator: return "rekey_validator";
    case C::CHANGE_NOT_SET: break;
  }
  return "none";
}

bool IsGovernanceTx(const v1::TxBody& body) {
  switch (body.event_case()) {
    case v1::TxBody::kProposeChange:
    case v1::TxBody::kApproveProposal:
    case v1::TxBody::kRejectProposal:
    case v1::TxBody::kRotateKey: return true;
    default: return false;
  }
}

bool IsValidatorChange(const v1::GovernanceChange& change) {
  using C = v1::GovernanceChange;
  return change.change_case() == C::kAddValidator || change.change_case() == C::kRemoveValidator ||
         change.change_case() == C::kRekeyValidator;
}

}  // namespace lotchain::core
