// Node configuration: HOME/config.toml (TOML), the validator key file and the genesis file.
//
// A home directory holds:
//   config.toml      this file (see WriteDefaultConfig for every key and its default)
//   genesis.json     the consortium's genesis (identical bytes on every node)
//   node_key.json    {"public_key": hex, "seed": hex}, mode 0600: the validator's Ed25519 key
//   data/            the RocksDB store
// Errors name the file, the key and what to do (code BAD_CONFIG).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/result.h"

namespace lotchain::node {

// One [p2p] peers entry, "WHO@HOST:PORT": where to dial the validator whose id or public key
// (64 hex digits) is WHO. It overrides, or supplies, the address the genesis or a governance
// change gave that validator: addresses are not part of the chain's identity (docs/FORMAT.md).
struct PeerAddress {
  std::string who;
  std::string address;
};
inline constexpr size_t kConfigPeersMax = 256;
core::Result<PeerAddress> ParsePeerAddress(std::string_view entry);

struct NodeConfig {
  std::string home;
  std::string moniker = "node";
  std::string genesis_file = "genesis.json";  // relative paths are relative to home
  std::string key_file = "node_key.json";
  std::string data_dir = "data";
  std::string p2p_listen = "127.0.0.1:26600";
  // Inbound links accepted at once from observer nodes (members' nodes outside the validator
  // set, docs/GOVERNANCE.md "Observer nodes"); 0 refuses them. At most 256.
  uint32_t p2p_observers_max = 16;
  std::vector<PeerAddress> p2p_peers;  // [p2p] peers, at most kConfigPeersMax
  std::string rpc_listen = "127.0.0.1:26700";
  std::string http_listen = "127.0.0.1:26800";
  // The JSON API's worker threads and queued requests beyond them (docs/API.md).
  uint32_t http_api_workers = 2;
  uint32_t http_api_queue_max = 16;
  // Mempool bounds.
  uint64_t mempool_txs_max = 50'000;
  uint64_t mempool_bytes_max = 128u << 20;
  // Consensus timeouts (ms) and the short delay a proposer waits to fill a block.
  uint64_t timeout_propose_ms = 3000;
  uint64_t timeout_prevote_ms = 1000;
  uint64_t timeout_precommit_ms = 1000;
  uint64_t timeout_delta_ms = 500;
  uint64_t resend_ms = 1500;
  uint64_t block_delay_ms = 20;
  // Logging.
  std::string log_format = "human";  // human | json
  std::string log_level = "info";    // trace | debug | info | warn | error

  std::string Resolve(const std::string& path) const;  // relative to home
};

core::Result<NodeConfig> LoadConfig(const std::string& home);
std::string DefaultConfigToml(const NodeConfig& config);

// Key file I/O. The file is written with mode 0600.
core::Result<core::SecretKey> LoadNodeKey(const std::string& path);
core::Status WriteNodeKey(const std::string& path, const core::SecretKey& key);

core::Result<std::string> ReadFile(const std::string& path, size_t bytes_max);
core::Status WriteFile(const std::string& path, const std::string& bytes, unsigned mode = 0644);

}  // namespace lotchain::node
