// `lotchaind testnet`: keys, genesis and configs for a local network on loopback ports.
//
// Layout written under `out_dir`:
//   genesis.json                 shared genesis (also copied into every home)
//   node<i>/{config.toml, genesis.json, node_key.json}
//   dev-member.json              key of the default member "dev-org" (all roles), only when no
//                                members file is given — a test key, never for production
//   testnet.json                 {"chain_id":…, "genesis":…, "nodes":[{"home","grpc","http","p2p"}]}
// Ports: p2p base+i, gRPC base+100+i, HTTP base+200+i — also with --hosts, so that hosts may
// repeat (several validators on one machine) and a node's ports say which node it is.
// --hosts h0,h1,...: node i listens on h_i (an IP literal; a host name listens on all
// interfaces, 0.0.0.0, since a name need not be an address of the machine itself) and the
// others dial h_i. The genesis then holds no addresses: each node's config.toml [p2p] peers
// names the others ("v1@h1:port"), as a consortium across companies' machines does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/result.h"

namespace lotchain::node {

struct TestnetOptions {
  uint32_t validators = 4;
  std::string out_dir;
  std::string chain_id;  // empty: "lotchain-localnet-" + 8 random hex digits
  uint16_t base_port = 26600;
  std::string members_file;  // JSON array of genesis members; empty = one dev member
  std::string policy_file;   // JSON object for genesis "policy"; empty = EU 2023/1542 defaults
  uint64_t block_delay_ms = 20;
  std::vector<std::string> hosts;  // empty: 127.0.0.1 for all, addresses in the genesis
};

// "--hosts" entries: an IPv4 or IPv6 literal or a DNS host name (RFC 1123). Errors name the
// entry and what is wrong. Reads --hosts-file lines (blank lines and # comments skipped).
core::Status CheckTestnetHost(const std::string& host, size_t index);
core::Result<std::vector<std::string>> ReadHostsFile(const std::string& path);

core::Status GenerateTestnet(const TestnetOptions& options);

// The default policy: EU 2023/1542 Art. 8 recycled-content minimums and the Annex X
// due-diligence raw materials.
std::string DefaultPolicyJson();

}  // namespace lotchain::node
