#include "node/app/genesis_cmd.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "node/app/config.h"
#include "node/app/testnet.h"

namespace lotchain::node {

namespace {

using nlohmann::json;

core::Status BadInput(const std::string& message) { return core::Status("BAD_INPUT", message); }

core::Result<json> LoadDraft(const std::string& file) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(file, core::kGenesisBytesMax));
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return BadInput(file + " is not a JSON object; start one with `lotchaind genesis new`");
  }
  for (const char* list : {"members", "validators"}) {
    if (!doc.contains(list)) doc[list] = json::array();
  }
  return doc;
}

// Re-checks the whole draft (the new entry included) before anything is written, so a file on
// disk is always a draft `genesis verify` can read.
core::Result<core::Genesis> SaveDraft(const std::string& file, const json& doc) {
  const std::string text = doc.dump(2) + "\n";
  auto parsed = core::ParseGenesisDraft(text);
  if (!parsed.ok()) return BadInput(file + " unchanged: " + parsed.status().message());
  LOTCHAIN_RETURN_IF_ERROR(WriteFile(file, text));
  return parsed;
}

std::string Short(const std::string& raw_key) { return core::ToHex(raw_key).substr(0, 16); }

std::string JoinRoles(const v1::Member& member) {
  std::string out;
  for (int role : member.roles()) {
    out += (out.empty() ? "" : ",") + std::string(core::RoleName(static_cast<v1::Role>(role)));
  }
  return out;
}

std::string MembersSummary(const core::Genesis& g) {
  std::string out = "members (" + std::to_string(g.members.size()) + "):\n";
  for (const v1::Member& m : g.members) {
    out += "  " + m.org_id() + "  \"" + m.name() + "\"  roles " + JoinRoles(m) + "  keys";
    for (const std::string& key : m.public_keys()) out += " " + Short(key) + "…";
    out += "\n";
  }
  return out;
}

// The quorum as certificates count it, n - f (Genesis::Quorum): 3 of 3 validators, 3 of 4,
// 5 of 7.
std::string ValidatorsSummary(const core::Genesis& g) {
  std::string out = "validators (" + std::to_string(g.validators.size());
  if (!g.validators.empty()) {
    out += "; tolerates " + std::to_string(g.FaultsTolerated()) + " faulty, a quorum is " +
           std::to_string(g.Quorum());
  }
  out += "):\n";
  for (const core::GenesisValidator& v : g.validators) {
    out += "  " + v.id + "  key " + Short(v.public_key) + "…  operator " +
           (v.operator_org.empty() ? "(none)" : v.operator_org) + "  address " +
           (v.address.empty() ? "(none: each node's [p2p] peers names it)" : v.address) + "\n";
  }
  return out;
}

std::string Summary(const std::string& file, const core::Genesis& g) {
  return "genesis " + file + "\nchain id: " + g.chain_id +
         "\ngenesis time (unix ms): " + std::to_string(g.genesis_time_unix_ms) +
         "\nhash: " + core::ToHex(g.hash) + "\n" + MembersSummary(g) + ValidatorsSummary(g);
}

core::Result<json> PolicyOf(const GenesisArgs& a) {
  if (a.policy_file.empty()) return json::parse(DefaultPolicyJson());
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(a.policy_file, 1u << 20));
  json policy = json::parse(text, nullptr, false);
  if (policy.is_discarded()) return BadInput(a.policy_file + " is not valid JSON (policy)");
  return policy;
}

}  // namespace

core::Result<std::string> GenesisNew(const GenesisArgs& a) {
  if (std::filesystem::exists(a.file)) {
    return core::Status("ALREADY_EXISTS", a.file + " exists; choose another file name");
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  json doc = {{"chain_id", a.chain_id},
              {"genesis_time_unix_ms", a.time_unix_ms >= 0 ? a.time_unix_ms : now},
              {"members", json::array()},
              {"validators", json::array()}};
  LOTCHAIN_ASSIGN_OR_RETURN(doc["policy"], PolicyOf(a));
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis g, SaveDraft(a.file, doc));
  return "draft genesis for chain " + g.chain_id + " written to " + a.file +
         "\nnext: genesis add-member, genesis add-validator, then genesis verify\n";
}

core::Result<std::string> GenesisAddMember(const GenesisArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(json doc, LoadDraft(a.file));
  if (a.keys.empty()) return BadInput("give the member's signing public key with --key HEX");
  doc["members"].push_back(
      {{"org_id", a.org}, {"name", a.name}, {"roles", a.roles}, {"public_keys", a.keys}});
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis g, SaveDraft(a.file, doc));
  return "member " + a.org + " added (" + std::to_string(g.members.size()) + " members)\n";
}

core::Result<std::string> GenesisAddValidator(const GenesisArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(json doc, LoadDraft(a.file));
  if (a.keys.size() != 1) {
    return BadInput("give the validator's node public key once with --key HEX (lotchaind init "
                    "prints it; it is also in the home's node_key.json)");
  }
  json validator = {{"id", a.id}, {"public_key", a.keys[0]}, {"operator", a.operator_org}};
  if (!a.address.empty()) validator["address"] = a.address;
  doc["validators"].push_back(std::move(validator));
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis g, SaveDraft(a.file, doc));
  return "validator " + a.id + " added (" + std::to_string(g.validators.size()) +
         " validators)\n";
}

core::Result<std::string> GenesisHash(const std::string& file) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(file, core::kGenesisBytesMax));
  auto g = core::ParseGenesis(text);
  if (!g.ok()) return BadInput(file + ": " + g.status().message());
  return core::ToHex(g->hash) + "\n";
}

core::Result<std::string> GenesisVerify(const std::string& file) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(file, core::kGenesisBytesMax));
  auto g = core::ParseGenesis(text);
  if (!g.ok()) return BadInput(file + ": " + g.status().message());
  std::string out = Summary(file, *g);
  for (const core::GenesisValidator& v : g->validators) {
    if (v.operator_org.empty()) {
      out += "note: validator " + v.id + " names no operator; it cannot approve validator-set "
             "changes (docs/GOVERNANCE.md)\n";
    }
  }
  return out + "OK: every member compares this hash with the others' before starting\n";
}

CLI::App* AddGenesisCommand(CLI::App& app, GenesisArgs& a) {
  CLI::App* cmd = app.add_subcommand("genesis", "assemble and check a consortium genesis from "
                                                "public keys (docs/OPERATIONS.md)");
  cmd->require_subcommand(1);
  CLI::App* make = cmd->add_subcommand("new", "start a draft genesis file");
  make->add_option("FILE", a.file, "the draft to create")->required();
  make->add_option("--chain-id", a.chain_id, "the chain's id")->required();
  make->add_option("--time-ms", a.time_unix_ms, "genesis time, unix ms (default: now)");
  make->add_option("--policy", a.policy_file, "JSON policy object (default: EU 2023/1542)");
  CLI::App* member = cmd->add_subcommand("add-member", "add a member organisation");
  member->add_option("FILE", a.file, "the draft")->required();
  member->add_option("--org", a.org, "organisation id")->required();
  member->add_option("--name", a.name, "display name")->required();
  member->add_option("--roles", a.roles, "roles, comma-separated (miner,refiner,...)")
      ->required()
      ->delimiter(',');
  member->add_option("--key", a.keys, "a signing public key (hex; repeat for several)")
      ->required();
  CLI::App* validator = cmd->add_subcommand("add-validator", "add a validator node");
  validator->add_option("FILE", a.file, "the draft")->required();
  validator->add_option("--id", a.id, "validator id (shown in logs)")->required();
  validator->add_option("--key", a.keys, "the node's public key (hex, from lotchaind init)")
      ->required();
  validator->add_option("--operator", a.operator_org, "org id of the member running it")
      ->required();
  validator->add_option("--address", a.address,
                        "optional HOST:PORT hint (not hashed; [p2p] peers may override)");
  for (const char* name : {"hash", "verify"}) {
    cmd->add_subcommand(name, std::string(name) == "hash"
                                  ? "print the genesis hash (the chain's identity)"
                                  : "check a genesis and print its hash and a summary")
        ->add_option("FILE", a.file, "genesis file")
        ->required();
  }
  return cmd;
}

int RunGenesisCommand(const CLI::App& cmd, const GenesisArgs& a) {
  core::Result<std::string> out = core::Status("BAD_INPUT", "no genesis subcommand");
  if (cmd.got_subcommand("new")) out = GenesisNew(a);
  if (cmd.got_subcommand("add-member")) out = GenesisAddMember(a);
  if (cmd.got_subcommand("add-validator")) out = GenesisAddValidator(a);
  if (cmd.got_subcommand("hash")) out = GenesisHash(a.file);
  if (cmd.got_subcommand("verify")) out = GenesisVerify(a.file);
  if (!out.ok()) {
    std::cerr << "lotchaind genesis: " << out.status().ToString() << "\n";
    return 1;
  }
  std::cout << *out;
  return 0;
}

}  // namespace lotchain::node
