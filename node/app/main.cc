// lotchaind: the lotchain node daemon.
//   lotchaind testnet --validators N --out DIR   keys, genesis and configs for a local network
//   lotchaind testnet --hosts h0,h1,.. --out DIR  the same for validators on other machines
//   lotchaind init --home DIR [--genesis FILE]   a new node home (config + validator key)
//   lotchaind genesis new|add-member|add-validator|hash|verify   a consortium genesis from
//                                                public keys only (docs/OPERATIONS.md)
//   lotchaind start --home DIR                   run the node until SIGTERM/SIGINT
//   lotchaind version                            version and git revision
// Exit codes: 0 success, 1 bad usage or input, 2 refused to start (store/genesis/config),
// 3 stopped on a fatal runtime error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sodium.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "consensus/core/build_info.h"
#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "node/app/config.h"
#include "node/app/genesis_cmd.h"
#include "node/app/logging.h"
#include "node/app/node.h"
#include "node/app/testnet.h"

namespace {

using lotchain::node::NodeConfig;

int Fail(int code, const std::string& message) {
  std::cerr << "lotchaind: " << message << "\n";
  return code;
}

int RunTestnet(lotchain::node::TestnetOptions options, const std::string& hosts_file,
               bool validators_given) {
  if (!hosts_file.empty()) {
    if (!options.hosts.empty()) return Fail(1, "give --hosts or --hosts-file, not both");
    auto hosts = lotchain::node::ReadHostsFile(hosts_file);
    if (!hosts.ok()) return Fail(1, hosts.status().ToString());
    options.hosts = std::move(hosts).value();
  }
  if (!options.hosts.empty() && !validators_given) {
    options.validators = static_cast<uint32_t>(options.hosts.size());
  }
  auto status = lotchain::node::GenerateTestnet(options);
  if (!status.ok()) return Fail(1, status.ToString());
  std::cout << "testnet of " << options.validators << " validators written to "
            << std::filesystem::absolute(options.out_dir).string() << "\n"
            << "start each node with: lotchaind start --home "
            << std::filesystem::absolute(options.out_dir).string() << "/node<i>\n";
  return 0;
}

struct InitArgs {
  std::string home;
  std::string genesis_file;
  std::string moniker = "node";
  std::string p2p_listen;
  std::string rpc_listen;
  std::string http_listen;
  std::vector<std::string> peers;  // "ID@HOST:PORT"
};

// The config of a new home: defaults, with the listen addresses and peers given on the line.
lotchain::core::Result<NodeConfig> InitConfig(const InitArgs& a) {
  NodeConfig config;
  config.home = a.home;
  config.moniker = a.moniker;
  if (!a.p2p_listen.empty()) config.p2p_listen = a.p2p_listen;
  if (!a.rpc_listen.empty()) config.rpc_listen = a.rpc_listen;
  if (!a.http_listen.empty()) config.http_listen = a.http_listen;
  for (const std::string& entry : a.peers) {
    auto peer = lotchain::node::ParsePeerAddress(entry);
    if (!peer.ok()) return lotchain::core::Status("BAD_INPUT", "--peer " + peer.status().message());
    config.p2p_peers.push_back(std::move(peer).value());
  }
  return config;
}

// `init --genesis` on a home made earlier (the ceremony: keys first, genesis later): checks the
// genesis, copies it in and says whether this node's key validates in it.
int InstallGenesis(const std::string& home, const std::string& genesis_file) {
  auto config = lotchain::node::LoadConfig(home);
  if (!config.ok()) return Fail(1, config.status().ToString());
  const std::string target = config->Resolve(config->genesis_file);
  if (std::filesystem::exists(target)) {
    return Fail(1, home + " is already initialised with a genesis (" + target + ")");
  }
  auto text = lotchain::node::ReadFile(genesis_file, lotchain::core::kGenesisBytesMax);
  if (!text.ok()) return Fail(1, text.status().ToString());
  auto genesis = lotchain::core::ParseGenesis(*text);
  if (!genesis.ok()) return Fail(1, genesis_file + ": " + genesis.status().ToString());
  auto key = lotchain::node::LoadNodeKey(config->Resolve(config->key_file));
  if (!key.ok()) return Fail(1, key.status().ToString());
  auto status = lotchain::node::WriteFile(target, *text);
  if (!status.ok()) return Fail(1, status.ToString());
  std::string role = "an observer (its key is not a genesis validator)";
  for (const auto& v : genesis->validators) {
    if (v.public_key == key->PublicKey()) role = "validator " + v.id;
  }
  std::cout << "genesis of chain " << genesis->chain_id << " installed in " << target
            << "\ngenesis hash: " << lotchain::core::ToHex(genesis->hash) << "\nthis node is "
            << role << "\nrun: lotchaind start --home " << home << "\n";
  return 0;
}

int RunInit(const InitArgs& args) {
  const std::string& home = args.home;
  const std::string& genesis_file = args.genesis_file;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return Fail(1, "cannot create " + home + ": " + ec.message());
  if (fs::exists(fs::path(home) / "config.toml")) {
    if (!genesis_file.empty()) return InstallGenesis(home, genesis_file);
    return Fail(1, home + " is already initialised (config.toml exists)");
  }
  auto initial = InitConfig(args);
  if (!initial.ok()) return Fail(1, initial.status().ToString());
  NodeConfig config = std::move(initial).value();
  lotchain::core::InitCrypto();
  std::string seed(32, '\0');
  randombytes_buf(seed.data(), seed.size());
  auto key = lotchain::core::SecretKey::FromSeed(seed).value();
  sodium_memzero(seed.data(), seed.size());
  auto status = lotchain::node::WriteNodeKey(config.Resolve(config.key_file), key);
  if (status.ok()) {
    status = lotchain::node::WriteFile(config.Resolve("config.toml"),
                                       lotchain::node::DefaultConfigToml(config));
  }
  if (status.ok() && !genesis_file.empty()) {
    auto text = lotchain::node::ReadFile(genesis_file, 16u << 20);
    status = text.ok() ? lotchain::node::WriteFile(config.Resolve(config.genesis_file), *text)
                       : text.status();
  }
  if (!status.ok()) return Fail(1, status.ToString());
  std::cout << "initialised " << fs::absolute(home).string() << "\nvalidator public key: "
            << lotchain::core::ToHex(key.PublicKey()) << "\n"
            << (genesis_file.empty() ? "copy the consortium's genesis.json into the home, then "
                                       "run: lotchaind start --home " + home + "\n"
                                     : "run: lotchaind start --home " + home + "\n");
  return 0;
}

int RunStart(const std::string& home, const std::string& log_format_override) {
  auto config = lotchain::node::LoadConfig(home);
  if (!config.ok() && config.status().code() == "NOT_FOUND") {
    return Fail(2, config.status().message() + "\n  create a home first: lotchaind init --home " +
                       home + " --genesis GENESIS.json (or lotchaind testnet for a local net)");
  }
  if (!config.ok()) return Fail(2, config.status().ToString());
  if (!log_format_override.empty()) config->log_format = log_format_override;
  lotchain::node::SetUpLogging(config->log_format, config->log_level, config->moniker);
  auto node = lotchain::node::Node::Create(*config);
  if (!node.ok()) {
    spdlog::critical("refusing to start: {}", node.status().ToString());
    return 2;
  }
  lotchain::core::Status status = (*node)->Run();
  if (!status.ok()) {
    spdlog::critical("stopped: {}", status.ToString());
    return status.code() == "FATAL" ? 3 : 2;
  }
  return 0;
}

CLI::App* AddTestnetCommand(CLI::App& app, lotchain::node::TestnetOptions& testnet,
                            std::string& hosts_file) {
  CLI::App* testnet_cmd = app.add_subcommand("testnet", "generate a local test network");
  testnet_cmd->add_option("--validators", testnet.validators, "number of validators")
      ->default_val(4);
  testnet_cmd->add_option("--out", testnet.out_dir, "output folder")->required();
  testnet_cmd->add_option("--chain-id", testnet.chain_id,
                          "chain id (default: lotchain-localnet-<random hex>, so two test "
                          "networks never share an identity)");
  testnet_cmd->add_option("--base-port", testnet.base_port,
                          "p2p port of node0 (gRPC +100, HTTP +200)")->default_val(26600);
  testnet_cmd->add_option("--members", testnet.members_file,
                          "JSON array of genesis members (default: one dev member)");
  testnet_cmd->add_option("--policy", testnet.policy_file, "JSON genesis policy object");
  testnet_cmd->add_option("--block-delay-ms", testnet.block_delay_ms, "proposer batching delay")
      ->default_val(20);
  testnet_cmd->add_option("--hosts", testnet.hosts,
                          "node i listens on, and is dialled at, the i-th host (comma-separated; "
                          "sets --validators); peers go to each config's [p2p] peers")
      ->delimiter(',');
  testnet_cmd->add_option("--hosts-file", hosts_file, "as --hosts, one host per line");
  return testnet_cmd;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lotchaind: a lotchain node (permissioned BFT custody ledger)"};
  app.require_subcommand(1);

  lotchain::node::TestnetOptions testnet;
  std::string hosts_file;
  CLI::App* testnet_cmd = AddTestnetCommand(app, testnet, hosts_file);

  std::string home, log_format;
  InitArgs init;
  CLI::App* init_cmd = app.add_subcommand("init", "create a node home");
  init_cmd->add_option("--home", init.home, "home directory")->required();
  init_cmd->add_option("--genesis", init.genesis_file, "genesis.json to copy into the home");
  init_cmd->add_option("--moniker", init.moniker, "a name for this node in logs");
  init_cmd->add_option("--p2p-listen", init.p2p_listen, "IP:PORT of the validator listener");
  init_cmd->add_option("--grpc-listen", init.rpc_listen, "IP:PORT of the gRPC API");
  init_cmd->add_option("--http-listen", init.http_listen, "IP:PORT of /metrics, /healthz, /readyz");
  init_cmd->add_option("--peer", init.peers,
                       "VALIDATOR_ID@HOST:PORT of another validator (repeat; [p2p] peers)");

  lotchain::node::GenesisArgs genesis_args;
  CLI::App* genesis_cmd = lotchain::node::AddGenesisCommand(app, genesis_args);

  CLI::App* start_cmd = app.add_subcommand("start", "run the node");
  start_cmd->add_option("--home", home, "home directory")->required();
  start_cmd->add_option("--log-format", log_format, "human or json (overrides config)")
      ->check(CLI::IsMember({"human", "json"}));

  CLI::App* version_cmd = app.add_subcommand("version", "print the version and git revision");
  const std::string version_line = "lotchaind " + std::string(lotchain::BuildVersion()) +
                                   " (revision " + std::string(lotchain::BuildRevision()) + ")";
  app.set_version_flag("--version", version_line);

  CLI11_PARSE(app, argc, argv);
  if (*version_cmd) {
    std::cout << version_line << "\n";
    return 0;
  }
  if (*testnet_cmd) return RunTestnet(testnet, hosts_file, testnet_cmd->count("--validators") > 0);
  if (*init_cmd) return RunInit(init);
  if (*genesis_cmd) return lotchain::node::RunGenesisCommand(*genesis_cmd, genesis_args);
  if (*start_cmd) return RunStart(home, log_format);
  return 1;
}
