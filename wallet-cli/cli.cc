#include "wallet-cli/cli.h"

#include "consensus/core/build_info.h"

#include <cstdlib>
#include <iostream>
#include <optional>

#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "wallet-cli/errors.h"

namespace lotchain::wallet {

Client& Session::client() {
  if (!client_) client_ = ConnectFrom(0);
  return *client_;
}

// With several nodes (--node A,B,C), the first from `start` on that answers GetStatus within
// kFailOverProbeMs; with one node, that node without a probe.
std::unique_ptr<Client> Session::ConnectFrom(size_t start, bool* answered) {
  if (answered != nullptr) *answered = false;
  if (targets_.empty()) targets_ = SplitNodeTargets(ResolveNodeTarget(options.node));
  auto make = [this](size_t i, uint32_t timeout_ms) {
    return std::make_unique<Client>(ClientOptions{targets_[i], timeout_ms});
  };
  const size_t n = targets_.size();
  if (n == 1) return make(0, options.timeout_ms);  // not probed: `answered` stays false
  for (size_t step = 0; step < n; ++step) {
    const size_t i = (start + step) % n;
    if (make(i, std::min(options.timeout_ms, kFailOverProbeMs))->GetStatus().ok()) {
      current_ = i;
      if (answered != nullptr) *answered = true;
      return make(i, options.timeout_ms);
    }
    Note("node " + targets_[i] + " does not answer; trying the next of --node\n");
  }
  current_ = start % n;
  return make(current_, options.timeout_ms);
}

bool Session::FailOver() {
  if (targets_.size() < 2) return false;
  bool answered = false;
  client_ = ConnectFrom(current_ + 1, &answered);
  return answered;
}

std::string Session::KeyName() const {
  if (!options.key.empty()) return options.key;
  if (const char* env = std::getenv("LOTCHAIN_KEY"); env != nullptr) return env;
  return "";
}

core::Result<std::string> Session::ChainId() {
  if (!options.chain_id.empty()) return options.chain_id;
  auto status = client().GetStatus();
  if (!status.ok()) {
    return core::Status::FromCode(status.status().code(),
                        status.status().message() +
                            " (the chain id comes from the node unless --chain-id is given)");
  }
  return status->chain_id();
}

PrevLookup Session::Lookup() {
  return [this](const std::string& lot_id) -> core::Result<std::string> {
    auto lot = client().GetLot(lot_id);
    if (!lot.ok()) {
      return core::Status::FromCode(lot.status().code(),
                          "cannot read lot \"" + lot_id + "\" for its last event hash: " +
                              lot.status().message() +
                              " (offline, give the hash with --prev HEX or LOT=MASS@HEX)");
    }
    return lot->last_event_hash();
  };
}

core::Result<std::string> Session::Passphrase(bool confirm) const {
  PassphraseSource source;
  source.file = options.passphrase_file;
  source.confirm = confirm;
  return ReadPassphrase(source);
}

bool Session::KdfFast(bool flag) const {
  if (flag) return true;
  const char* env = std::getenv("LOTCHAIN_KDF_FAST");
  return env != nullptr && std::string(env) == "1";
}

void Session::Print(const std::string& text) const { std::cout << text << std::flush; }

void Session::Note(const std::string& text) const { std::cerr << text << std::flush; }

core::Status WriteOutput(const std::string& path, const std::string& data) {
  if (path.empty() || path == "-") {
    std::cout << data << std::flush;
    return std::cout ? core::Status::Ok() : core::Status("FILE_IO", "cannot write to stdout");
  }
  return WriteFileAtomic(path, data, 0644);
}

core::Result<std::string> ReadInput(const std::string& path, size_t bytes_max) {
  if (path != "-") return ReadSmallFile(path, bytes_max);
  std::string data;
  char buffer[65536];
  while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
    data.append(buffer, static_cast<size_t>(std::cin.gcount()));
    if (data.size() > bytes_max) return core::Status("FILE_IO", "stdin is too large");
  }
  return data;
}

core::Result<core::Genesis> LoadGenesis(const std::string& path) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, core::kGenesisBytesMax));
  auto genesis = core::ParseGenesis(text);
  if (!genesis.ok()) {
    return core::Status("BAD_INPUT", path + ": " + genesis.status().message());
  }
  return genesis;
}

namespace {

constexpr const char* kFooter =
    "\nEnvironment: LOTCHAIN_NODE (--node), LOTCHAIN_KEYSTORE (--keystore), LOTCHAIN_KEY (--key),\n"
    "LOTCHAIN_PASSPHRASE (else --passphrase-file or a prompt), LOTCHAIN_KDF_FAST=1 (weak key\n"
    "sealing, tests only). Quantities take units: --mass 1.2t, --co2e 350kg, --capacity 75kWh.\n"
    "docs/WALLET.md has the details.\n";

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option("--node", g.node, "node gRPC address HOST:PORT, or several as A,B,C (the first "
                                   "that answers is used; default $LOTCHAIN_NODE or "
                                   "127.0.0.1:26700)");
  app.add_option("--keystore", g.keystore, "keystore directory (default $LOTCHAIN_KEYSTORE or "
                                           "~/.lotchain/keys)");
  app.add_option("--passphrase-file", g.passphrase_file,
                 "read the key passphrase from the first line of FILE");
  app.add_option("--key", g.key, "name of the signing key (default $LOTCHAIN_KEY or the only "
                                 "key)");
  app.add_option("--chain-id", g.chain_id, "chain id (default: ask the node)");
  app.add_flag("--json", g.json, "machine-readable JSON output");
  app.add_option("--timeout-ms", g.timeout_ms, "deadline of each node call in ms")
      ->capture_default_str();
}

void AddVersionCommand(CLI::App& app, Action& action) {
  CLI::App* version = app.add_subcommand("version", "print the version and git revision");
  version->callback([&action] {
    action = [] {
      std::cout << "lotchain " << BuildVersion() << " (revision " << BuildRevision() << ")\n";
      return core::Status::Ok();
    };
  });
  app.set_version_flag("--version", "lotchain " + std::string(BuildVersion()) + " (revision " +
                                        std::string(BuildRevision()) + ")");
}

// `lotchain nosuch --help` would print the top-level help and exit 0 (--help wins over the
// stray word), hiding the typo: name an unknown first command instead.
bool KnownFirstCommand(const CLI::App& app, int argc, char** argv) {
  if (argc <= 1 || argv[1][0] == '-') return true;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(argv[1])) return true;
  }
  std::cerr << "error: unknown command \"" << argv[1]
            << "\"; run `lotchain --help` for the list of commands\n";
  return false;
}

// Parses the command line; nullopt when parsing succeeded, else the exit code (help and
// version print and exit 0).
std::optional<int> Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    std::cerr << "Run `lotchain --help` or `lotchain COMMAND --help` for usage.\n";
    return kExitUsage;
  }
  return std::nullopt;
}

int Report(const core::Status& status) {
  if (status.ok()) return kExitOk;
  ExitCode code = ExitCodeOf(status);
  if (code == kExitRejected) {
    std::cerr << "rejected: " << status.message() << "\n";
  } else {
    std::cerr << "error: " << status.message() << " [" << status.code() << "]\n";
  }
  return code;
}

}  // namespace

int RunCli(int argc, char** argv) {
  core::InitCrypto();
  Session session;
  Action action;
  CLI::App app{"lotchain: wallet and auditor CLI of the lotchain custody ledger"};
  app.fallthrough();  // global options are accepted after the subcommand too
  app.require_subcommand(1);
  app.footer(std::string(kFooter) + "\n" + std::string(kExitCodeHelp));
  AddGlobalOptions(app, session.options);
  AddKeyCommands(app, session, action);
  AddTxCommands(app, session, action);
  AddQueryCommands(app, session, action);
  AddFindCommands(app, session, action);
  AddWatchCommand(app, session, action);
  AddProofCommands(app, session, action);
  AddExportCommand(app, session, action);
  AddVersionCommand(app, action);
  if (!KnownFirstCommand(app, argc, argv)) return kExitUsage;
  if (std::optional<int> exit = Parse(app, argc, argv)) return *exit;
  if (!action) {
    std::cerr << "error: nothing to do; run `lotchain --help`\n";
    return kExitUsage;
  }
  return Report(action());
}

}  // namespace lotchain::wallet
