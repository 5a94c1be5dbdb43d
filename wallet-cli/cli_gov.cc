// Governance (docs/WALLET.md "Governance"): `gov propose|approve|reject` are transactions like
// the custody events (same flags, preflight, --wait, --dry-run; also under `tx build`);
// `gov list|show` read proposals through the node's List and ReadState RPCs, and judge each
// one's status for the next block, the first in which a vote could apply (core::EffectiveStatus
// at the height read + 1: an open proposal past its expiry height reads as expired).
#include <nlohmann/json.hpp>

#include "consensus/core/crypto.h"
#include "consensus/core/governance.h"
#include "consensus/core/state_keys.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"

namespace lotchain::wallet {

namespace {

struct GovArgs {
  GovChangeArgs change;
  std::string id;
  std::string reason;
  bool all = false;
  uint32_t limit = 100;
};

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out.empty() ? "-" : out;
}

// What the change does, in one line ("add_member acme (Acme Ltd; roles miner; 1 key)").
std::string ChangeText(const v1::GovernanceChange& c) {
  std::string kind(core::ChangeKindName(c));
  switch (c.change_case()) {
    case v1::GovernanceChange::kAddMember:
      return kind + " " + c.add_member().member().org_id() + " (" + c.add_member().member().name() +
             "; " + std::to_string(c.add_member().member().public_keys_size()) + " key(s))";
    case v1::GovernanceChange::kSetMemberRoles: return kind + " " + c.set_member_roles().org_id();
    case v1::GovernanceChange::kSuspendMember: return kind + " " + c.suspend_member().org_id();
    case v1::GovernanceChange::kReinstateMember: return kind + " " + c.reinstate_member().org_id();
    case v1::GovernanceChange::kRemoveMember: return kind + " " + c.remove_member().org_id();
    case v1::GovernanceChange::kRevokeKey:
      return kind + " " + c.revoke_key().org_id() + ":" + core::ToHex(c.revoke_key().public_key());
    case v1::GovernanceChange::kAddValidator:
      return kind + " " + c.add_validator().validator().validator_id() + " (operator " +
             c.add_validator().validator().operator_org() + ")";
    case v1::GovernanceChange::kRemoveValidator:
      return kind + " " + c.remove_validator().validator_id();
    case v1::GovernanceChange::kRekeyValidator:
      return kind + " " + c.rekey_validator().validator_id();
    case v1::GovernanceChange::CHANGE_NOT_SET: break;
  }
  return kind;
}

// The record as JSON with the status judged at `height` ("effective_status").
nlohmann::json ProposalJson(const v1::GovernanceProposal& p, uint64_t height) {
  nlohmann::json j = ProtoToJson(p);
  j["effective_status"] = std::string(core::ProposalStatusName(core::EffectiveStatus(p, height + 1)));
  return j;
}

core::Status List(Session& s, const GovArgs& a) {
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_PROPOSALS);
  request.set_open_only(!a.all);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, request, a.limit));
  const uint64_t height = l.records.height();
  if (s.options.json) {
    nlohmann::json out = {{"height", height}, {"more", l.more}, {"records", nlohmann::json::array()}};
    for (const auto& p : l.records.proposals()) out["records"].push_back(ProposalJson(p, height));
    s.Print(out.dump(2) + "\n");
    return core::Status::Ok();
  }
  Table t({"proposal", "status", "change", "proposer", "approvals", "rejections", "expires"});
  for (const auto& p : l.records.proposals()) {
    t.AddRow({p.proposal_id(), std::string(core::ProposalStatusName(core::EffectiveStatus(p, height + 1))),
              ChangeText(p.change()), p.proposer_org(), std::to_string(p.approvals_size()),
              std::to_string(p.rejections_size()), std::to_string(p.expires_height())});
  }
  std::string footer = std::to_string(t.row_count()) + (a.all ? " proposals" : " open proposals") +
                       " at height " + std::to_string(height);
  if (l.more) footer += "; more exist (raise --limit)";
  s.Print(t.Render() + footer + (a.all ? "" : " (--all shows decided and expired ones)") + "\n");
  return core::Status::Ok();
}

core::Status Show(Session& s, const GovArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::ReadStateResponse read,
                            s.client().ReadState({core::keys::Proposal(a.id)}));
  if (read.entries_size() != 1 || !read.entries(0).present()) {
    return core::Status("UNKNOWN_PROPOSAL", "no governance proposal \"" + a.id + "\" at height " +
                                                std::to_string(read.height()) +
                                                "; `lotchain gov list --all` lists them");
  }
  v1::GovernanceProposal p;
  if (!p.ParseFromString(read.entries(0).value())) {
    return core::Status(kRpcFailed, "the node's record of proposal \"" + a.id +
                                            "\" does not decode");
  }
  const uint64_t height = read.height();
  if (s.options.json) {
    nlohmann::json out = ProposalJson(p, height);
    out["height"] = height;
    s.Print(out.dump(2) + "\n");
    return core::Status::Ok();
  }
  auto h = [](uint64_t v) { return v == 0 ? std::string("-") : std::to_string(v); };
  s.Print(RenderFields({
      {"proposal", p.proposal_id()},
      {"status", std::string(core::ProposalStatusName(core::EffectiveStatus(p, height + 1))) +
                     " (at height " + std::to_string(height) + ")"},
      {"change", ChangeText(p.change())},
      {"rationale", p.rationale().empty() ? "-" : p.rationale()},
      {"proposer", p.proposer_org()},
      {"approvals", std::to_string(p.approvals_size()) + ": " + Joined(p.approvals())},
      {"rejections", std::to_string(p.rejections_size()) + ": " + Joined(p.rejections())},
      {"proposed at", h(p.proposed_height()) + " (tx " + core::ToHex(p.proposed_tx_hash()) + ")"},
      {"expires after", h(p.expires_height())},
      {"decided at", h(p.decided_height()) +
                         (p.decided_tx_hash().empty() ? "" : " (tx " + core::ToHex(p.decided_tx_hash()) + ")")},
      {"effective from", h(p.effective_height())},
  }));
  return core::Status::Ok();
}

void AddPropose(CLI::App* gov, bool build, Session& s, Action& action,
                const std::shared_ptr<GovArgs>& a) {
  GovChangeArgs& c = a->change;
  CLI::App* propose = gov->add_subcommand(
      "propose", "propose one change to the consortium (counts as your approval)");
  propose->add_option("--id", c.proposal_id, "new proposal id")->required();
  propose->add_option("--rationale", c.rationale, "why (<= 512 B)");
  propose->add_option("--add-member", c.add_member, "add organisation ORG (with --name, --roles, --member-key)");
  propose->add_option("--name", c.name, "--add-member: the organisation's name");
  propose->add_option("--roles", c.roles, "--add-member/--set-roles: roles, e.g. miner,refiner")
      ->delimiter(',');
  propose->add_option("--member-key", c.member_keys, "--add-member: public key(s) HEX[,HEX]")
      ->delimiter(',');
  propose->add_option("--set-roles", c.set_roles, "replace the roles of ORG (with --roles)");
  propose->add_option("--suspend", c.suspend, "suspend ORG (its keys sign nothing)");
  propose->add_option("--reinstate", c.reinstate, "reinstate suspended ORG");
  propose->add_option("--remove", c.remove, "remove ORG for good (revokes its keys)");
  propose->add_option("--revoke-key", c.revoke_key, "revoke one key ORG:HEX");
  propose->add_option("--add-validator", c.add_validator,
                      "add validator ID (with --validator-key, --address, --operator)");
  propose->add_option("--remove-validator", c.remove_validator, "remove validator ID");
  propose->add_option("--rekey-validator", c.rekey_validator,
                      "move validator ID to --validator-key [and --address]");
  propose->add_option("--validator-key", c.validator_key, "validator public key (hex)");
  propose->add_option("--address", c.address, "validator p2p address HOST:PORT");
  propose->add_option("--operator", c.operator_org, "--add-validator: the member that runs it");
  BindTxCommand(propose, build, s, action, [a](Session&) { return BuildProposeChange(a->change); });
}

}  // namespace

void AddGovCommands(CLI::App* root, bool build, Session& s, Action& action) {
  auto a = std::make_shared<GovArgs>();
  CLI::App* gov = root->add_subcommand("gov", "governance: propose, approve, reject; list, show");
  gov->require_subcommand(1);
  AddPropose(gov, build, s, action, a);
  CLI::App* approve = gov->add_subcommand("approve", "approve an open proposal");
  approve->add_option("ID", a->id, "proposal id")->required();
  BindTxCommand(approve, build, s, action, [a](Session&) { return BuildApproveProposal(a->id); });
  CLI::App* reject = gov->add_subcommand("reject", "reject an open proposal");
  reject->add_option("ID", a->id, "proposal id")->required();
  reject->add_option("--reason", a->reason, "why (<= 256 B)");
  BindTxCommand(reject, build, s, action,
                [a](Session&) { return BuildRejectProposal(a->id, a->reason); });
  if (build) return;
  CLI::App* list = gov->add_subcommand("list", "open proposals (--all: every proposal)");
  list->add_flag("--all", a->all, "include adopted, rejected and expired proposals");
  list->add_option("--limit", a->limit, "show at most N")->capture_default_str();
  list->callback([&s, &action, a] { action = [&s, a] { return List(s, *a); }; });
  CLI::App* show = gov->add_subcommand("show", "one proposal: change, votes, heights, tx hashes");
  show->add_option("ID", a->id, "proposal id")->required();
  show->callback([&s, &action, a] { action = [&s, a] { return Show(s, *a); }; });
}

}  // namespace lotchain::wallet
