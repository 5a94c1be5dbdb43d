// lotchaind: the lotchain node daemon.
//   lotchaind testnet --validators N --out DIR   keys, genesis and configs for a local network
//   lotchaind init --home DIR [--genesis FILE]   a new node home (config + validator key)
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
#include "node/app/config.h"
#include "node/app/logging.h"
#include "node/app/node.h"
#include "node/app/testnet.h"

namespace {

using lotchain::node::NodeConfig;

int Fail(int code, const std::string& message) {
  std::cerr << "lotchaind: " << message << "\n";
  return code;
}

int RunTestnet(const lotchain::node::TestnetOptions& options) {
  auto status = lotchain::node::GenerateTestnet(options);
  if (!status.ok()) return Fail(1, status.ToString());
  std::cout << "testnet of " << options.validators << " validators written to "
            << std::filesystem::absolute(options.out_dir).string() << "\n"
            << "start each node with: lotchaind start --home "
            << std::filesystem::absolute(options.out_dir).string() << "/node<i>\n";
  return 0;
}

int RunInit(const std::string& home, const std::string& genesis_file, const std::string& moniker) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return Fail(1, "cannot create " + home + ": " + ec.message());
  if (fs::exists(fs::path(home) / "config.toml")) {
    return Fail(1, home + " is already initialised (config.toml exists)");
  }
  NodeConfig config;
  config.home = home;
  config.moniker = moniker;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lotchaind: a lotchain node (permissioned BFT custody ledger)"};
  app.require_subcommand(1);

  lotchain::node::TestnetOptions testnet;
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

  std::string home, genesis_file, moniker = "node", log_format;
  CLI::App* init_cmd = app.add_subcommand("init", "create a node home");
  init_cmd->add_option("--home", home, "home directory")->required();
  init_cmd->add_option("--genesis", genesis_file, "genesis.json to copy into the home");
  init_cmd->add_option("--moniker", moniker, "a name for this node in logs");

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
  if (*testnet_cmd) return RunTestnet(testnet);
  if (*init_cmd) return RunInit(home, genesis_file, moniker);
  if (*start_cmd) return RunStart(home, log_format);
  return 1;
}
