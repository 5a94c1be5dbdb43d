// The `lotchain` command line (CLI11): global options, the session shared by all commands, and
// the registration of each command group. main.cc only calls RunCli.
//
// Conventions: results go to stdout (a table or, with --json, one JSON document), progress and
// errors to stderr. Every command returns a Status; RunCli turns it into an exit code
// (errors.h) and prints "error: <message>" with the code where it helps.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/passport.h"
#include "consensus/core/result.h"
#include "wallet-cli/client.h"
#include "wallet-cli/keystore.h"
#include "wallet-cli/tx_builder.h"

namespace lotchain::wallet {

struct GlobalOptions {
  std::string node;             // --node HOST:PORT
  std::string keystore;         // --keystore DIR
  std::string passphrase_file;  // --passphrase-file FILE
  std::string key;              // --key NAME
  std::string chain_id;         // --chain-id
  bool json = false;            // --json
  uint32_t timeout_ms = kDefaultTimeoutMs;
};

// State of one invocation: options, the node client (created on first use), the keystore.
class Session {
 public:
  GlobalOptions options;

  // The node client, created on first use. --node may list several nodes (A,B,C): the first
  // that answers is used, and FailOver() moves to the next one that does (false with one node,
  // or when none answers).
  Client& client();
  bool FailOver();
  Keystore keystore() const { return Keystore(Keystore::ResolveDir(options.keystore)); }
  std::string KeyName() const;  // --key, else $LOTCHAIN_KEY, else "" (the only key)
  // --chain-id, else the node's.
  core::Result<std::string> ChainId();
  // Looks up a lot's last event hash on the node.
  PrevLookup Lookup();
  core::Result<std::string> Passphrase(bool confirm) const;
  bool KdfFast(bool flag) const;  // --kdf-fast or $LOTCHAIN_KDF_FAST=1

  // Output helpers.
  void Print(const std::string& text) const;
  void Note(const std::string& text) const;  // stderr

 private:
  static constexpr uint32_t kFailOverProbeMs = 2000;
  std::unique_ptr<Client> ConnectFrom(size_t start, bool* answered = nullptr);

  std::unique_ptr<Client> client_;
  std::vector<std::string> targets_;
  size_t current_ = 0;
};

// The command to run after parsing (set by a subcommand's callback).
using Action = std::function<core::Status()>;

void AddKeyCommands(CLI::App& app, Session& session, Action& action);
void AddTxCommands(CLI::App& app, Session& session, Action& action);
void AddQueryCommands(CLI::App& app, Session& session, Action& action);
void AddFindCommands(CLI::App& app, Session& session, Action& action);
void AddWatchCommand(CLI::App& app, Session& session, Action& action);
// Pages through the node's List RPC until the listing ends or `limit` records (cli_find.cc).
struct Listed {
  v1::ListResponse records;  // every page merged
  bool more = false;         // --limit stopped it
};
core::Result<Listed> FetchAll(Session& s, v1::ListRequest request, uint32_t limit);

// Registers a transaction command: `make` builds the body, then the usual flow (nonce,
// preflight, passphrase, sign, submit, --wait, --dry-run) or, with `build`, the unsigned file
// of `tx build` (cli_tx.cc).
using TxBodyFn = std::function<core::Result<v1::TxBody>(Session&)>;
void BindTxCommand(CLI::App* sub, bool build, Session& session, Action& action, TxBodyFn make);
// The nonce of `key`'s next transaction: `flag_nonce` when not 0, else max(last used + 1, now
// in ms, the chain's next nonce for the key) (docs/WALLET.md "Nonces").
core::Result<uint64_t> NextNonce(Session& s, const KeyInfo& key, uint64_t flag_nonce);
// The custody rules on the node's state for `body` signed by `key` (not yet signed); returns
// the signer's organisation, or the refusal as TX_REJECTED (preflight.h).
core::Result<std::string> PreflightBody(Session& s, const std::string& body, const KeyInfo& key);
// `keys rotate` (cli_keys_rotate.cc).
void AddKeyRotateCommand(CLI::App* keys, Session& session, Action& action);
// `gov propose|approve|reject` under `root` (also under `tx build`), and `gov list|show`
// when not building (cli_gov.cc).
void AddGovCommands(CLI::App* root, bool build, Session& session, Action& action);

// The ids among `candidates` closest to `wanted` (at most three, closest first).
std::vector<std::string> CloseMatches(const std::string& wanted,
                                      const std::vector<std::string>& candidates);
// A refusal naming an unknown organisation (UNKNOWN_ORG) gains the members' ids closest to it.
core::Status WithMemberSuggestions(Session& s, core::Status refusal);
void AddProofCommands(CLI::App& app, Session& session, Action& action);
void AddExportCommand(CLI::App& app, Session& session, Action& action);

// A lot's upstream trace (one snapshot), the genesis when given (checked against the node's),
// and the passport over them: what `passport` renders and `export` formats (cli_export.cc).
struct PassportInputs {
  v1::Trace trace;
  std::optional<core::Genesis> genesis;
  core::Passport passport;
};
core::Result<PassportInputs> LoadPassportInputs(Session& s, const std::string& lot_id,
                                                const std::string& genesis_path,
                                                uint32_t max_nodes);

// Writes `data` to `path` ("-" = stdout).
core::Status WriteOutput(const std::string& path, const std::string& data);
// Reads a whole input file ("-" = stdin).
core::Result<std::string> ReadInput(const std::string& path, size_t bytes_max);
// Loads and parses a genesis file.
core::Result<core::Genesis> LoadGenesis(const std::string& path);

int RunCli(int argc, char** argv);

}  // namespace lotchain::wallet
