// Governance transactions from flags (tx_builder.h "Governance"): ProposeChange with exactly
// one change, ApproveProposal, RejectProposal, RotateKey (governance.proto).
#include <cctype>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/ids.h"
#include "wallet-cli/output.h"
#include "wallet-cli/tx_builder.h"

namespace lotchain::wallet {

namespace {

using core::Result;
using core::Status;

Status BadInput(const std::string& message) { return Status("BAD_INPUT", message); }

Result<std::string> Id(const std::string& flag, const std::string& id) {
  if (!core::IsValidId(id)) {
    return BadInput(flag + ": \"" + id.substr(0, 64) + "\" " + std::string(core::kIdRule));
  }
  return id;
}

Result<std::string> PublicKey(const std::string& flag, const std::string& hex) {
  auto raw = core::FromHex(hex);
  if (!raw.ok() || raw->size() != 32) {
    return BadInput(flag + ": \"" + hex.substr(0, 80) + "\" is not a public key (64 hex digits; "
                    "`lotchain keys export-pub NAME` prints one)");
  }
  return std::move(raw).value();
}

Result<std::vector<v1::Role>> Roles(const std::vector<std::string>& names) {
  if (names.empty()) return BadInput("--roles: give at least one role, e.g. --roles miner,refiner");
  std::vector<v1::Role> roles;
  std::string choices;
  for (int i = 1; i < v1::Role_descriptor()->value_count(); ++i) {
    choices += (i > 1 ? ", " : "") + EnumLabel(v1::Role_descriptor()->value(i)->name(), "ROLE_");
  }
  for (const std::string& name : names) {
    std::string upper = "ROLE_";
    for (char c : name) upper.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
    const auto* value = v1::Role_descriptor()->FindValueByName(upper);
    if (value == nullptr || value->number() == 0) {
      return BadInput("--roles: \"" + name + "\" is not one of " + choices);
    }
    roles.push_back(static_cast<v1::Role>(value->number()));
  }
  return roles;
}

Result<v1::GovernanceChange> MemberChange(const GovChangeArgs& a) {
  v1::GovernanceChange c;
  if (!a.add_member.empty()) {
    v1::MemberSpec* m = c.mutable_add_member()->mutable_member();
    LOTCHAIN_ASSIGN_OR_RETURN(*m->mutable_org_id(), Id("--add-member", a.add_member));
    if (a.name.empty()) return BadInput("--add-member needs --name (the organisation's name)");
    m->set_name(a.name);
    LOTCHAIN_ASSIGN_OR_RETURN(std::vector<v1::Role> roles, Roles(a.roles));
    for (v1::Role r : roles) m->add_roles(r);
    if (a.member_keys.empty()) return BadInput("--add-member needs --member-key HEX[,HEX]");
    for (const std::string& hex : a.member_keys) {
      LOTCHAIN_ASSIGN_OR_RETURN(*m->add_public_keys(), PublicKey("--member-key", hex));
    }
  } else if (!a.set_roles.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_set_member_roles()->mutable_org_id(),
                              Id("--set-roles", a.set_roles));
    LOTCHAIN_ASSIGN_OR_RETURN(std::vector<v1::Role> roles, Roles(a.roles));
    for (v1::Role r : roles) c.mutable_set_member_roles()->add_roles(r);
  } else if (!a.suspend.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_suspend_member()->mutable_org_id(), Id("--suspend", a.suspend));
  } else if (!a.reinstate.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_reinstate_member()->mutable_org_id(),
                              Id("--reinstate", a.reinstate));
  } else if (!a.remove.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_remove_member()->mutable_org_id(), Id("--remove", a.remove));
  } else {
    const size_t colon = a.revoke_key.find(':');
    if (colon == std::string::npos) return BadInput("--revoke-key takes ORG:HEX");
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_revoke_key()->mutable_org_id(),
                              Id("--revoke-key", a.revoke_key.substr(0, colon)));
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_revoke_key()->mutable_public_key(),
                              PublicKey("--revoke-key", a.revoke_key.substr(colon + 1)));
  }
  return c;
}

Result<v1::GovernanceChange> ValidatorChange(const GovChangeArgs& a) {
  v1::GovernanceChange c;
  if (!a.add_validator.empty()) {
    v1::ValidatorSpec* v = c.mutable_add_validator()->mutable_validator();
    LOTCHAIN_ASSIGN_OR_RETURN(*v->mutable_validator_id(), Id("--add-validator", a.add_validator));
    LOTCHAIN_ASSIGN_OR_RETURN(*v->mutable_public_key(), PublicKey("--validator-key", a.validator_key));
    if (a.address.empty()) return BadInput("--add-validator needs --address HOST:PORT");
    v->set_address(a.address);
    LOTCHAIN_ASSIGN_OR_RETURN(*v->mutable_operator_org(), Id("--operator", a.operator_org));
  } else if (!a.remove_validator.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(*c.mutable_remove_validator()->mutable_validator_id(),
                              Id("--remove-validator", a.remove_validator));
  } else {
    v1::RekeyValidator* r = c.mutable_rekey_validator();
    LOTCHAIN_ASSIGN_OR_RETURN(*r->mutable_validator_id(), Id("--rekey-validator", a.rekey_validator));
    LOTCHAIN_ASSIGN_OR_RETURN(*r->mutable_new_public_key(),
                              PublicKey("--validator-key", a.validator_key));
    r->set_new_address(a.address);
  }
  return c;
}

}  // namespace

Result<v1::TxBody> BuildProposeChange(const GovChangeArgs& a) {
  const int kinds = !a.add_member.empty() + !a.set_roles.empty() + !a.suspend.empty() +
                    !a.reinstate.empty() + !a.remove.empty() + !a.revoke_key.empty() +
                    !a.add_validator.empty() + !a.remove_validator.empty() +
                    !a.rekey_validator.empty();
  if (kinds != 1) {
    return BadInput("give exactly one change: --add-member, --set-roles, --suspend, --reinstate, "
                    "--remove, --revoke-key, --add-validator, --remove-validator or "
                    "--rekey-validator (`lotchain gov propose --help`)");
  }
  if (a.rationale.size() > 512) return BadInput("--rationale is limited to 512 bytes");
  v1::TxBody body;
  v1::ProposeChange* p = body.mutable_propose_change();
  LOTCHAIN_ASSIGN_OR_RETURN(*p->mutable_proposal_id(), Id("--id", a.proposal_id));
  p->set_rationale(a.rationale);
  const bool validator =
      !a.add_validator.empty() || !a.remove_validator.empty() || !a.rekey_validator.empty();
  LOTCHAIN_ASSIGN_OR_RETURN(*p->mutable_change(), validator ? ValidatorChange(a) : MemberChange(a));
  return body;
}

Result<v1::TxBody> BuildApproveProposal(const std::string& proposal_id) {
  v1::TxBody body;
  LOTCHAIN_ASSIGN_OR_RETURN(*body.mutable_approve_proposal()->mutable_proposal_id(),
                            Id("ID", proposal_id));
  return body;
}

Result<v1::TxBody> BuildRejectProposal(const std::string& proposal_id, const std::string& reason) {
  if (reason.size() > 256) return BadInput("--reason is limited to 256 bytes");
  v1::TxBody body;
  LOTCHAIN_ASSIGN_OR_RETURN(*body.mutable_reject_proposal()->mutable_proposal_id(),
                            Id("ID", proposal_id));
  body.mutable_reject_proposal()->set_reason(reason);
  return body;
}

v1::TxBody BuildRotateKey(const std::string& new_public_key) {
  v1::TxBody body;
  body.mutable_rotate_key()->set_new_public_key(new_public_key);
  return body;
}

}  // namespace lotchain::wallet
