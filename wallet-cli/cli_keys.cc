// `lotchain keys new|list|show|import|delete|rename|export-pub`.
#include <nlohmann/json.hpp>

#include "consensus/core/genesis.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/output.h"

namespace lotchain::wallet {

namespace {

struct KeyArgs {
  std::string name;
  std::string new_name;
  bool yes = false;
  bool allow_short = false;
  std::string import_file;
  bool kdf_fast = false;
  std::string member_org;
  std::string member_name;
  std::vector<std::string> roles;
};

nlohmann::json KeyJson(const KeyInfo& info) {
  return {{"name", info.name},
          {"public_key", core::ToHex(info.public_key)},
          {"path", info.path},
          {"kdf", {{"opslimit", info.kdf.opslimit}, {"memlimit", info.kdf.memlimit_bytes}}}};
}

std::string KeyText(const KeyInfo& info) {
  return RenderFields({{"name", info.name},
                       {"public key", core::ToHex(info.public_key)},
                       {"file", info.path},
                       {"kdf", "argon2id13, opslimit " + std::to_string(info.kdf.opslimit) +
                                   ", memlimit " + std::to_string(info.kdf.memlimit_bytes >> 10) +
                                   " KiB"}});
}

core::Status Created(Session& s, const KeyInfo& info, const char* verb) {
  if (s.options.json) {
    s.Print(KeyJson(info).dump(2) + "\n");
  } else {
    s.Print(std::string(verb) + " key \"" + info.name + "\"\n" + KeyText(info));
  }
  return core::Status::Ok();
}

// The passphrase that seals a new key: at least kPassphraseMinChars unless overridden.
core::Result<std::string> NewPassphrase(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string passphrase, s.Passphrase(/*confirm=*/true));
  size_t chars = 0;  // UTF-8 characters, not bytes
  for (char c : passphrase) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  if (chars < kPassphraseMinChars && !a.allow_short) {
    return core::Status("WEAK_PASSPHRASE",
                        "the passphrase has " + std::to_string(chars) + " characters; use at "
                        "least " + std::to_string(kPassphraseMinChars) + " (a few words), or pass "
                        "--allow-short-passphrase for a throw-away key");
  }
  return passphrase;
}

core::Status New(Session& s, const KeyArgs& a) {
  KdfParams kdf = s.KdfFast(a.kdf_fast) ? FastKdf() : ModerateKdf();
  LOTCHAIN_ASSIGN_OR_RETURN(std::string passphrase, NewPassphrase(s, a));
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Create(a.name, passphrase, kdf));
  return Created(s, info, "created");
}

core::Status Import(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadInput(a.import_file, 64u << 10));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string seed, SeedFromImportText(text));
  KdfParams kdf = s.KdfFast(a.kdf_fast) ? FastKdf() : ModerateKdf();
  LOTCHAIN_ASSIGN_OR_RETURN(std::string passphrase, NewPassphrase(s, a));
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Import(a.name, seed, passphrase, kdf));
  return Created(s, info, "imported");
}

core::Status List(Session& s) {
  Keystore store = s.keystore();
  LOTCHAIN_ASSIGN_OR_RETURN(KeyListing listing, store.ListAll());
  if (s.options.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& k : listing.keys) j.push_back(KeyJson(k));
    for (const auto& d : listing.damaged) {
      j.push_back({{"name", d.name}, {"path", d.path}, {"damaged", d.problem}});
    }
    s.Print(j.dump(2) + "\n");
    return core::Status::Ok();
  }
  if (listing.keys.empty() && listing.damaged.empty()) {
    s.Print("no keys in " + store.dir() + "; create one with `lotchain keys new NAME`\n");
    return core::Status::Ok();
  }
  Table t({"name", "public key"});
  for (const auto& k : listing.keys) t.AddRow({k.name, core::ToHex(k.public_key)});
  for (const auto& d : listing.damaged) t.AddRow({d.name, "DAMAGED: " + d.problem});
  s.Print(t.Render());
  return core::Status::Ok();
}

core::Status Delete(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Info(a.name));
  if (!a.yes) {
    return core::Status("BAD_INPUT", "deleting key \"" + a.name + "\" (" +
                                         core::ToHex(info.public_key) + ") destroys its secret for "
                                         "good unless you hold a backup of " + info.path +
                                         "; pass --yes to delete it");
  }
  LOTCHAIN_RETURN_IF_ERROR(s.keystore().Delete(a.name));
  s.Print("deleted key \"" + a.name + "\" (" + core::ToHex(info.public_key) + ")\n");
  return core::Status::Ok();
}

core::Status Rename(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Rename(a.name, a.new_name));
  return Created(s, info, ("renamed \"" + a.name + "\" to").c_str());
}

core::Status Show(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Info(a.name));
  if (s.options.json) {
    nlohmann::json j = KeyJson(info);
    j["last_nonce"] = s.keystore().LastNonce(a.name);
    s.Print(j.dump(2) + "\n");
  } else {
    std::string chain = "(node " + s.client().target() + " not reachable)";
    core::Result<v1::SignerInfo> signer = s.client().GetSigner(info.public_key);
    if (signer.ok()) {
      chain = "member " + signer->org_id() + ", last committed nonce " +
              std::to_string(signer->last_nonce()) + " (height " + std::to_string(signer->height()) +
              ")";
    } else if (signer.status().code() == "NOT_FOUND") {
      chain = "not a member's key on this chain";
    }
    s.Print(KeyText(info) + "last nonce used:  " + std::to_string(s.keystore().LastNonce(a.name)) +
            "\non the chain:     " + chain + "\n");
  }
  return core::Status::Ok();
}

// Prints the public key, or with --member ORG a genesis member entry for `lotchaind testnet
// --members` / a consortium genesis.
core::Status ExportPub(Session& s, const KeyArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, s.keystore().Info(a.name));
  if (a.member_org.empty()) {
    if (s.options.json) {
      s.Print(nlohmann::json({{"name", info.name}, {"public_key", core::ToHex(info.public_key)}})
                  .dump(2) + "\n");
    } else {
      s.Print(core::ToHex(info.public_key) + "\n");
    }
    return core::Status::Ok();
  }
  if (a.roles.empty()) return core::Status("BAD_INPUT", "--member needs --roles, e.g. miner,refiner");
  for (const auto& role : a.roles) {
    auto parsed = core::ParseRole(role);
    if (!parsed.ok()) return core::Status("BAD_INPUT", "--roles: " + parsed.status().message());
  }
  nlohmann::json member = {{"org_id", a.member_org},
                           {"name", a.member_name.empty() ? a.member_org : a.member_name},
                           {"roles", a.roles},
                           {"public_keys", {core::ToHex(info.public_key)}}};
  s.Print(member.dump(2) + "\n");
  return core::Status::Ok();
}

}  // namespace

void AddKeyCommands(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<KeyArgs>();
  CLI::App* keys = app.add_subcommand("keys", "manage signing keys in the keystore");
  keys->require_subcommand(1);

  CLI::App* add = keys->add_subcommand("new", "create a key sealed with a passphrase");
  add->add_option("NAME", args->name, "key name")->required();
  add->add_flag("--kdf-fast", args->kdf_fast, "weak Argon2id limits (tests only)");
  add->add_flag("--allow-short-passphrase", args->allow_short,
                "accept a passphrase under 12 characters (throw-away keys)");
  add->callback([&session, &action, args] { action = [&session, args] { return New(session, *args); }; });

  CLI::App* list = keys->add_subcommand("list", "list keys");
  list->callback([&session, &action] { action = [&session] { return List(session); }; });

  CLI::App* show = keys->add_subcommand("show", "show a key's public data");
  show->add_option("NAME", args->name, "key name")->required();
  show->callback([&session, &action, args] { action = [&session, args] { return Show(session, *args); }; });

  CLI::App* imp = keys->add_subcommand(
      "import", "seal an existing key: a hex seed file or a lotchaind key file");
  imp->add_option("NAME", args->name, "key name")->required();
  imp->add_option("FILE", args->import_file, "hex seed or {\"public_key\",\"seed\"} JSON; - = stdin")
      ->required();
  imp->add_flag("--kdf-fast", args->kdf_fast, "weak Argon2id limits (tests only)");
  imp->add_flag("--allow-short-passphrase", args->allow_short,
                "accept a passphrase under 12 characters (throw-away keys)");
  imp->callback([&session, &action, args] { action = [&session, args] { return Import(session, *args); }; });

  CLI::App* del = keys->add_subcommand("delete", "delete a key (its secret is gone for good)");
  del->add_option("NAME", args->name, "key name")->required();
  del->add_flag("--yes", args->yes, "really delete it");
  del->callback([&session, &action, args] { action = [&session, args] { return Delete(session, *args); }; });

  CLI::App* ren = keys->add_subcommand("rename", "give a key another name");
  ren->add_option("NAME", args->name, "current name")->required();
  ren->add_option("NEW_NAME", args->new_name, "new name")->required();
  ren->callback([&session, &action, args] { action = [&session, args] { return Rename(session, *args); }; });

  CLI::App* pub = keys->add_subcommand("export-pub", "print the public key (or a genesis member entry)");
  pub->add_option("NAME", args->name, "key name")->required();
  pub->add_option("--member", args->member_org, "print a genesis member entry for org ORG");
  pub->add_option("--org-name", args->member_name, "display name for --member");
  pub->add_option("--roles", args->roles, "roles for --member (miner,refiner,...)")->delimiter(',');
  pub->callback([&session, &action, args] { action = [&session, args] { return ExportPub(session, *args); }; });
  AddKeyRotateCommand(keys, session, action);
}

}  // namespace lotchain::wallet
