// The governance transactions: propose, approve, reject, rotate a key (docs/GOVERNANCE.md).
// A change is checked when proposed and again when adopted (the state may have moved on), and
// applied by the transaction that brings the approvals to the quorum.
#include <algorithm>

#include "consensus/core/crypto.h"
#include "consensus/core/custody_env.h"
#include "consensus/core/governance.h"
#include "consensus/core/governance_internal.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {
namespace {

Result<v1::GovernanceProposal> LoadProposal(const TxEnv& env, const std::string& proposal_id) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(proposal_id, "proposal_id"));
  v1::GovernanceProposal proposal;
  if (!env.Load(keys::Proposal(proposal_id), &proposal)) {
    return Status(codes::kUnknownProposal,
                  "no governance proposal \"" + proposal_id + "\"; `lotchain gov list` shows them");
  }
  return proposal;
}

// A proposal still open to votes at this height.
Status RequireOpen(const TxEnv& env, const v1::GovernanceProposal& proposal) {
  switch (EffectiveStatus(proposal, env.ctx().height)) {
    case v1::PROPOSAL_STATUS_OPEN: return Status::Ok();
    case v1::PROPOSAL_STATUS_EXPIRED:
      return Status(codes::kProposalExpired,
                    "proposal \"" + proposal.proposal_id() + "\" expired after height " +
                        std::to_string(proposal.expires_height()) +
                        " without reaching the quorum; propose it again under a new id");
    default:
      return Status(codes::kProposalDecided,
                    "proposal \"" + proposal.proposal_id() + "\" was " +
                        std::string(ProposalStatusName(proposal.status())) + " at height " +
                        std::to_string(proposal.decided_height()));
  }
}

Status RequireNotVoted(const TxEnv& env, const v1::GovernanceProposal& proposal) {
  const auto& org = env.actor_org();
  auto has = [&](const auto& list) { return std::find(list.begin(), list.end(), org) != list.end(); };
  if (has(proposal.approvals()) || has(proposal.rejections())) {
    return Status(codes::kAlreadyVoted, "member \"" + org + "\" has already voted on proposal \"" +
                                            proposal.proposal_id() + "\"");
  }
  return Status::Ok();
}

void InsertSorted(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& org) {
  list->Add(std::string(org));
  std::sort(list->begin(), list->end());
}

// Adopts when the approvals reach the quorum; the change is re-checked against today's state.
Status MaybeAdopt(TxEnv& env, v1::GovernanceProposal& proposal, v1::GovernanceHead& head) {
  if (!QuorumMet(env, proposal, head)) return Status::Ok();
  LOTCHAIN_RETURN_IF_ERROR(CheckChange(env, proposal.change(), head));
  LOTCHAIN_RETURN_IF_ERROR(AdoptChange(env, proposal, head));
  proposal.set_status(v1::PROPOSAL_STATUS_ADOPTED);
  proposal.set_decided_height(env.ctx().height);
  proposal.set_decided_tx_hash(env.ctx().tx_hash);
  if (proposal.effective_height() == 0) proposal.set_effective_height(env.ctx().height);
  AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_ADOPTED, proposal.proposal_id());
  return Status::Ok();
}

}  // namespace

Status ApplyProposeChange(TxEnv& env, const v1::ProposeChange& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(tx.proposal_id(), "proposal_id"));
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.rationale(), "rationale", 0, kTextBytesMax));
  if (env.view().Get(keys::Proposal(tx.proposal_id())).has_value()) {
    return Status(codes::kDuplicateProposalId, "proposal id \"" + tx.proposal_id() +
                                                   "\" is taken; choose a new id");
  }
  v1::GovernanceHead head = LoadGovernanceHead(env.genesis(), env.view());
  LOTCHAIN_RETURN_IF_ERROR(CheckChange(env, tx.change(), head));
  v1::GovernanceProposal proposal;
  proposal.set_proposal_id(tx.proposal_id());
  *proposal.mutable_change() = tx.change();
  proposal.set_rationale(tx.rationale());
  proposal.set_proposer_org(env.actor_org());
  proposal.set_proposed_height(env.ctx().height);
  proposal.set_expires_height(env.ctx().height +
                              env.genesis().policy.governance.proposal_ttl_blocks);
  proposal.add_approvals(env.actor_org());
  proposal.set_status(v1::PROPOSAL_STATUS_OPEN);
  proposal.set_proposed_tx_hash(env.ctx().tx_hash);
  AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_PROPOSED, tx.proposal_id());
  LOTCHAIN_RETURN_IF_ERROR(MaybeAdopt(env, proposal, head));  // a consortium of one
  env.Store(keys::Proposal(tx.proposal_id()), proposal);
  env.Store(keys::GovernanceHead(), head);
  return Status::Ok();
}

Status ApplyApproveProposal(TxEnv& env, const v1::ApproveProposal& tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::GovernanceProposal proposal, LoadProposal(env, tx.proposal_id()));
  LOTCHAIN_RETURN_IF_ERROR(RequireOpen(env, proposal));
  LOTCHAIN_RETURN_IF_ERROR(RequireNotVoted(env, proposal));
  v1::GovernanceHead head = LoadGovernanceHead(env.genesis(), env.view());
  InsertSorted(proposal.mutable_approvals(), env.actor_org());
  AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_APPROVED, tx.proposal_id());
  LOTCHAIN_RETURN_IF_ERROR(MaybeAdopt(env, proposal, head));
  env.Store(keys::Proposal(tx.proposal_id()), proposal);
  env.Store(keys::GovernanceHead(), head);
  return Status::Ok();
}

Status ApplyRejectProposal(TxEnv& env, const v1::RejectProposal& tx) {
  LOTCHAIN_RETURN_IF_ERROR(CheckText(tx.reason(), "reason", 0, 256));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::GovernanceProposal proposal, LoadProposal(env, tx.proposal_id()));
  LOTCHAIN_RETURN_IF_ERROR(RequireOpen(env, proposal));
  LOTCHAIN_RETURN_IF_ERROR(RequireNotVoted(env, proposal));
  v1::GovernanceHead head = LoadGovernanceHead(env.genesis(), env.view());
  InsertSorted(proposal.mutable_rejections(), env.actor_org());
  AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_REJECTED, tx.proposal_id());
  if (QuorumUnreachable(env, proposal, head)) {
    proposal.set_status(v1::PROPOSAL_STATUS_REJECTED);
    proposal.set_decided_height(env.ctx().height);
    proposal.set_decided_tx_hash(env.ctx().tx_hash);
    AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_DEFEATED, tx.proposal_id());
  }
  env.Store(keys::Proposal(tx.proposal_id()), proposal);
  env.Store(keys::GovernanceHead(), head);
  return Status::Ok();
}

// Signed by the key being replaced (AuthenticateTx found it active), so a thief who holds only
// the new key cannot do it, and the owner of the old key can do it alone and at once.
Status ApplyRotateKey(TxEnv& env, const v1::RotateKey& tx) {
  const std::string old_key(env.signer());
  LOTCHAIN_RETURN_IF_ERROR(CheckNewMemberKey(env, tx.new_public_key(), "new_public_key"));
  v1::Member member = env.actor();
  for (auto& key : *member.mutable_public_keys()) {
    if (key == old_key) key = tx.new_public_key();
  }
  env.Store(keys::Member(member.org_id()), member);
  env.Erase(keys::SignerOrg(old_key));
  env.StoreBytes(keys::SignerOrg(tx.new_public_key()), member.org_id());
  RevokeKeyRecord(env, old_key, member.org_id(), "rotated to " + ToHex(tx.new_public_key()));
  v1::GovernanceHead head = LoadGovernanceHead(env.genesis(), env.view());
  v1::GovernanceEvent rotated;
  rotated.set_old_public_key(old_key);
  rotated.set_new_public_key(tx.new_public_key());
  AppendGovernanceEvent(env, head, v1::GOVERNANCE_EVENT_KIND_KEY_ROTATED, "", std::move(rotated));
  env.Store(keys::GovernanceHead(), head);
  return Status::Ok();
}

// Appends to the hash-linked governance log and stores the event; the caller stores `head`.
void AppendGovernanceEvent(TxEnv& env, v1::GovernanceHead& head, v1::GovernanceEventKind kind,
                           const std::string& proposal_id, v1::GovernanceEvent event) {
  std::string preimage = "lotchain/governance/v1";
  preimage.push_back('\0');
  preimage += head.last_event_hash();
  preimage += env.ctx().tx_hash;
  preimage += keys::BigEndian64(head.event_count());
  event.set_seq(head.event_count());
  event.set_kind(kind);
  event.set_prev_event_hash(head.last_event_hash());
  event.set_event_hash(Sha256(preimage));
  event.set_tx_hash(env.ctx().tx_hash);
  event.set_height(env.ctx().height);
  event.set_tx_index(env.ctx().tx_index);
  event.set_time_unix_ms(env.ctx().time_unix_ms);
  event.set_actor_org(env.actor_org());
  event.set_proposal_id(proposal_id);
  head.set_event_count(head.event_count() + 1);
  head.set_last_event_hash(event.event_hash());
  env.Store(keys::GovernanceEvent(event.seq()), event);
}

}  // namespace lotchain::core::internal
