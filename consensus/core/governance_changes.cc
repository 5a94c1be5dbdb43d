// Governance changes: whether each kind can apply (CheckChange), what adopting it writes
// (AdoptChange), and the quorum (docs/GOVERNANCE.md "Rules").
#include <algorithm>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/governance.h"
#include "consensus/core/governance_internal.h"
#include "consensus/core/ids.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core::internal {
namespace {

using Specs = google::protobuf::RepeatedPtrField<v1::ValidatorSpec>;

Result<v1::Member> LoadMember(const TxEnv& env, const std::string& org_id) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(org_id, "org_id"));
  v1::Member member;
  if (!env.Load(keys::Member(org_id), &member) || member.status() == v1::MEMBER_STATUS_REMOVED) {
    return Status(codes::kUnknownOrg, "no member \"" + org_id + "\" (or it was removed)");
  }
  return member;
}

bool IsActive(const TxEnv& env, const std::string& org_id) {
  v1::Member member;
  return env.Load(keys::Member(org_id), &member) && member.status() == v1::MEMBER_STATUS_ACTIVE;
}

Status CheckRoles(const google::protobuf::RepeatedField<int>& roles) {
  if (roles.empty()) return Status(codes::kInvalidField, "roles must name at least one role");
  std::set<int> seen;
  for (int role : roles) {
    if (role == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(role)) {
      return Status(codes::kInvalidField, "roles holds an unknown role " + std::to_string(role));
    }
    if (!seen.insert(role).second) return Status(codes::kInvalidField, "a role is listed twice");
  }
  return Status::Ok();
}

google::protobuf::RepeatedField<int> SortedRoles(const google::protobuf::RepeatedField<int>& r) {
  google::protobuf::RepeatedField<int> out = r;
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckAddress(const std::string& address) {
  if (!IsHostPort(address)) {
    return Status(codes::kInvalidField,
                  "validator address must be HOST:PORT with a port 1..65535 (as the nodes dial "
                  "it), got \"" + address.substr(0, 80) + "\"");
  }
  return Status::Ok();
}

// The newest scheduled set (which later changes build on) and the one certifying this height.
v1::ValidatorSetRecord LatestSet(const TxEnv& env) {
  return ScheduledValidatorSets(env.genesis(), env.view()).back();
}
v1::ValidatorSetRecord CertifyingSet(const TxEnv& env) {
  auto sets = ScheduledValidatorSets(env.genesis(), env.view());
  size_t i = 0;
  while (i + 1 < sets.size() && sets[i + 1].active_from() <= env.ctx().height) ++i;
  return sets[i];
}

int FindValidator(const Specs& set, const std::string& id) {
  for (int i = 0; i < set.size(); ++i) {
    if (set[i].validator_id() == id) return i;
  }
  return -1;
}

Status RequireKeyNotInSet(const Specs& set, const std::string& key) {
  if (key.size() != kPublicKeyBytes) {
    return Status(codes::kInvalidField, "validator key must be 32 bytes, got " +
                                            std::to_string(key.size()));
  }
  for (const auto& v : set) {
    if (v.public_key() == key) {
      return Status(codes::kDuplicateValidator,
                    "validator \"" + v.validator_id() + "\" already has key " + ToHex(key));
    }
  }
  return Status::Ok();
}

Status CheckAddMember(const TxEnv& env, const v1::MemberSpec& m) {
  LOTCHAIN_RETURN_IF_ERROR(CheckId(m.org_id(), "member.org_id"));
  if (env.view().Get(keys::Member(m.org_id())).has_value()) {
    return Status(codes::kDuplicateOrgId, "member id \"" + m.org_id() +
                                              "\" is or was in use; choose a new id");
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckText(m.name(), "member.name", 1, 128));
  LOTCHAIN_RETURN_IF_ERROR(CheckRoles(m.roles()));
  if (m.public_keys().empty() || static_cast<size_t>(m.public_keys_size()) > kMemberKeysMax) {
    return Status(codes::kInvalidField, "member.public_keys must hold 1..16 keys");
  }
  std::set<std::string> keys(m.public_keys().begin(), m.public_keys().end());
  if (keys.size() != static_cast<size_t>(m.public_keys_size())) {
    return Status(codes::kInvalidField, "member.public_keys lists a key twice");
  }
  for (const auto& key : m.public_keys()) {
    LOTCHAIN_RETURN_IF_ERROR(CheckNewMemberKey(env, key, "member.public_keys"));
  }
  return Status::Ok();
}

// Suspending or removing must leave someone to govern.
Status CheckLeavesActiveMember(const v1::Member& member, const v1::GovernanceHead& head) {
  if (member.status() == v1::MEMBER_STATUS_ACTIVE && head.active_members() <= 1) {
    return Status(codes::kChangeNotApplicable,
                  "\"" + member.org_id() + "\" is the last active member");
  }
  return Status::Ok();
}

Status CheckMemberChange(const TxEnv& env, const v1::GovernanceChange& change,
                         const v1::GovernanceHead& head) {
  using C = v1::GovernanceChange;
  switch (change.change_case()) {
    case C::kAddMember: return CheckAddMember(env, change.add_member().member());
    case C::kSetMemberRoles: {
      LOTCHAIN_RETURN_IF_ERROR(LoadMember(env, change.set_member_roles().org_id()).status());
      return CheckRoles(change.set_member_roles().roles());
    }
    case C::kSuspendMember: {
      LOTCHAIN_ASSIGN_OR_RETURN(v1::Member m, LoadMember(env, change.suspend_member().org_id()));
      if (m.status() != v1::MEMBER_STATUS_ACTIVE) {
        return Status(codes::kChangeNotApplicable, "\"" + m.org_id() + "\" is suspended already");
      }
      return CheckLeavesActiveMember(m, head);
    }
    case C::kReinstateMember: {
      LOTCHAIN_ASSIGN_OR_RETURN(v1::Member m, LoadMember(env, change.reinstate_member().org_id()));
      if (m.status() != v1::MEMBER_STATUS_SUSPENDED) {
        return Status(codes::kChangeNotApplicable, "\"" + m.org_id() + "\" is not suspended");
      }
      return Status::Ok();
    }
    case C::kRemoveMember: {
      LOTCHAIN_ASSIGN_OR_RETURN(v1::Member m, LoadMember(env, change.remove_member().org_id()));
      return CheckLeavesActiveMember(m, head);
    }
    case C::kRevokeKey: {
      const auto& r = change.revoke_key();
      LOTCHAIN_ASSIGN_OR_RETURN(v1::Member m, LoadMember(env, r.org_id()));
      auto owner = env.view().Get(keys::SignerOrg(r.public_key()));
      if (!owner.has_value() || *owner != r.org_id()) {
        return Status(codes::kChangeNotApplicable,
                      "key " + ToHex(r.public_key()) + " is not a current key of \"" +
                          r.org_id() + "\"");
      }
      if (m.public_keys_size() <= 1) {
        return Status(codes::kChangeNotApplicable,
                      "it is the last key of \"" + r.org_id() +
                          "\"; add a key first or remove the member instead");
      }
      return Status::Ok();
    }
    default: break;
  }
  return Status(codes::kInvalidField, "change names no known kind of change");
}

Status CheckValidatorChange(const TxEnv& env, const v1::GovernanceChange& change) {
  using C = v1::GovernanceChange;
  const v1::ValidatorSetRecord latest = LatestSet(env);
  const Specs& set = latest.validators();
  switch (change.change_case()) {
    case C::kAddValidator: {
      const auto& v = change.add_validator().validator();
      LOTCHAIN_RETURN_IF_ERROR(CheckId(v.validator_id(), "validator.validator_id"));
      if (FindValidator(set, v.validator_id()) >= 0) {
        return Status(codes::kDuplicateValidator,
                      "validator id \"" + v.validator_id() + "\" is in the set already");
      }
      LOTCHAIN_RETURN_IF_ERROR(RequireKeyNotInSet(set, v.public_key()));
      LOTCHAIN_RETURN_IF_ERROR(CheckAddress(v.address()));
      if (!IsActive(env, v.operator_org())) {
        return Status(codes::kMemberNotActive, "validator.operator_org \"" + v.operator_org() +
                                                   "\" must be an active member");
      }
      if (static_cast<size_t>(set.size()) >= kValidatorsMax) {
        return Status(codes::kChangeNotApplicable, "the validator set is full (100)");
      }
      return Status::Ok();
    }
    case C::kRemoveValidator: {
      if (FindValidator(set, change.remove_validator().validator_id()) < 0) {
        return Status(codes::kUnknownValidator, "no validator \"" +
                                                    change.remove_validator().validator_id() +
                                                    "\" in the current set");
      }
      if (set.size() <= 1) {
        return Status(codes::kChangeNotApplicable, "the set would have no validator left");
      }
      return Status::Ok();
    }
    case C::kRekeyValidator: {
      const auto& r = change.rekey_validator();
      if (FindValidator(set, r.validator_id()) < 0) {
        return Status(codes::kUnknownValidator,
                      "no validator \"" + r.validator_id() + "\" in the current set");
      }
      LOTCHAIN_RETURN_IF_ERROR(RequireKeyNotInSet(set, r.new_public_key()));
      if (!r.new_address().empty()) return CheckAddress(r.new_address());
      return Status::Ok();
    }
    default: break;
  }
  return Status(codes::kInvalidField, "change names no known kind of change");
}

void AdoptMemberChange(TxEnv& env, const v1::GovernanceProposal& proposal, v1::GovernanceHead& head) {
  using C = v1::GovernanceChange;
  const auto& change = proposal.change();
  const std::string why = "by proposal " + proposal.proposal_id();
  auto load = [&](const std::string& org) { return LoadMember(env, org).value(); };
  v1::Member m;
  switch (change.change_case()) {
    case C::kAddMember: {
      const auto& spec = change.add_member().member();
      m.set_org_id(spec.org_id());
      m.set_name(spec.name());
      *m.mutable_roles() = SortedRoles(spec.roles());
      *m.mutable_public_keys() = spec.public_keys();
      m.set_joined_height(env.ctx().height);
      m.set_joined_by_proposal(proposal.proposal_id());
      for (const auto& key : spec.public_keys()) env.StoreBytes(keys::SignerOrg(key), spec.org_id());
      head.set_active_members(head.active_members() + 1);
      break;
    }
    case C::kSetMemberRoles:
      m = load(change.set_member_roles().org_id());
      *m.mutable_roles() = SortedRoles(change.set_member_roles().roles());
      break;
    case C::kSuspendMember:
      m = load(change.suspend_member().org_id());
      m.set_status(v1::MEMBER_STATUS_SUSPENDED);
      head.set_active_members(head.active_members() - 1);
      break;
    case C::kReinstateMember:
      m = load(change.reinstate_member().org_id());
      m.set_status(v1::MEMBER_STATUS_ACTIVE);
      head.set_active_members(head.active_members() + 1);
      break;
    case C::kRemoveMember:
      m = load(change.remove_member().org_id());
      if (m.status() == v1::MEMBER_STATUS_ACTIVE) head.set_active_members(head.active_members() - 1);
      for (const auto& key : m.public_keys()) {
        env.Erase(keys::SignerOrg(key));
        RevokeKeyRecord(env, key, m.org_id(), "member removed " + why);
      }
      m.clear_public_keys();
      m.set_status(v1::MEMBER_STATUS_REMOVED);
      break;
    case C::kRevokeKey: {
      const auto& r = change.revoke_key();
      m = load(r.org_id());
      auto* list = m.mutable_public_keys();
      list->erase(std::remove(list->begin(), list->end(), r.public_key()), list->end());
      env.Erase(keys::SignerOrg(r.public_key()));
      RevokeKeyRecord(env, r.public_key(), r.org_id(), "revoked " + why);
      break;
    }
    default: LOTCHAIN_ASSERT(false);
  }
  env.Store(keys::Member(m.org_id()), m);
}

void ApplyToSet(const v1::GovernanceChange& change, Specs& set) {
  using C = v1::GovernanceChange;
  switch (change.change_case()) {
    case C::kAddValidator: *set.Add() = change.add_validator().validator(); break;
    case C::kRemoveValidator:
      set.erase(set.begin() + FindValidator(set, change.remove_validator().validator_id()));
      break;
    case C::kRekeyValidator: {
      const auto& r = change.rekey_validator();
      auto& v = set[FindValidator(set, r.validator_id())];
      v.set_public_key(r.new_public_key());
      if (!r.new_address().empty()) v.set_address(r.new_address());
      break;
    }
    default: LOTCHAIN_ASSERT(false);
  }
}

// Writes the set that certifies from H + 2 (H = this block): the newest scheduled set with the
// change applied. Two adoptions in one block both land in the one record for H + 2.
void AdoptValidatorChange(TxEnv& env, v1::GovernanceProposal& proposal, v1::GovernanceHead& head) {
  const uint64_t active_from = env.ctx().height + kValidatorActivationDelay;
  v1::ValidatorSetRecord next = LatestSet(env);
  ApplyToSet(proposal.change(), *next.mutable_validators());
  next.set_active_from(active_from);
  next.set_proposal_id(proposal.proposal_id());
  next.set_decided_height(env.ctx().height);
  auto& heights = *head.mutable_validator_set_heights();
  if (heights.empty() || heights[heights.size() - 1] != active_from) heights.Add(active_from);
  env.Store(keys::ValidatorSetFrom(active_from), next);
  proposal.set_effective_height(active_from);
}

uint64_t ActiveApprovals(const TxEnv& env, const v1::GovernanceProposal& proposal) {
  uint64_t n = 0;
  for (const auto& org : proposal.approvals()) n += IsActive(env, org) ? 1u : 0u;
  return n;
}

}  // namespace

Status CheckChange(const TxEnv& env, const v1::GovernanceChange& change,
                   const v1::GovernanceHead& head) {
  if (IsValidatorChange(change)) return CheckValidatorChange(env, change);
  return CheckMemberChange(env, change, head);
}

Status AdoptChange(TxEnv& env, v1::GovernanceProposal& proposal, v1::GovernanceHead& head) {
  if (IsValidatorChange(proposal.change())) {
    AdoptValidatorChange(env, proposal, head);
  } else {
    AdoptMemberChange(env, proposal, head);
  }
  return Status::Ok();
}

bool QuorumMet(const TxEnv& env, const v1::GovernanceProposal& proposal, const v1::GovernanceHead& head) {
  const GovernancePolicy& policy = env.genesis().policy.governance;
  if (!policy.member_quorum.MetBy(ActiveApprovals(env, proposal), head.active_members())) {
    return false;
  }
  if (!IsValidatorChange(proposal.change())) return true;
  // Counted over the validators whose operator is an active member: a member quorum that
  // removes or suspends operators must not freeze the validator set for good (their
  // validators could never approve again, yet would still count against every change).
  const v1::ValidatorSetRecord set = CertifyingSet(env);
  uint64_t approving = 0;
  uint64_t voting = 0;
  for (const auto& v : set.validators()) {
    if (!IsActive(env, v.operator_org())) continue;
    ++voting;
    const auto& approvals = proposal.approvals();
    approving += std::find(approvals.begin(), approvals.end(), v.operator_org()) !=
                         approvals.end() ? 1u : 0u;
  }
  return policy.validator_quorum.MetBy(approving, voting);
}

bool QuorumUnreachable(const TxEnv& env, const v1::GovernanceProposal& proposal,
                       const v1::GovernanceHead& head) {
  uint64_t rejecting = 0;
  for (const auto& org : proposal.rejections()) rejecting += IsActive(env, org) ? 1u : 0u;
  const uint64_t active = head.active_members();
  const uint64_t reachable = active > rejecting ? active - rejecting : 0;
  return !env.genesis().policy.governance.member_quorum.MetBy(reachable, active);
}

Status CheckNewMemberKey(const TxEnv& env, std::string_view key, std::string_view field) {
  if (key.size() != kPublicKeyBytes) {
    return Status(codes::kInvalidField, std::string(field) + " must be a 32-byte Ed25519 key");
  }
  if (env.view().Get(keys::SignerOrg(key)).has_value() ||
      env.view().Get(keys::RevokedKey(key)).has_value()) {
    return Status(codes::kKeyInUse, "key " + ToHex(key) +
                                        " signs or signed for a member; generate a new key");
  }
  return Status::Ok();
}

void RevokeKeyRecord(TxEnv& env, const std::string& key, const std::string& org_id,
                     std::string why) {
  v1::RevokedKey revoked;
  revoked.set_org_id(org_id);
  revoked.set_height(env.ctx().height);
  revoked.set_why(std::move(why));
  env.Store(keys::RevokedKey(key), revoked);
}

}  // namespace lotchain::core::internal
