// `lotchaind testnet`: keys, genesis and configs for a local network on loopback ports.
//
// Layout written under `out_dir`:
//   genesis.json                 shared genesis (also copied into every home)
//   node<i>/{config.toml, genesis.json, node_key.json}
//   dev-member.json              key of the default member "dev-org" (all roles), only when no
//                                members file is given — a test key, never for production
//   testnet.json                 {"chain_id":…, "genesis":…, "nodes":[{"home","grpc","http","p2p"}]}
// Ports: p2p base+i, gRPC base+100+i, HTTP base+200+i.
#pragma once

#include <cstdint>
#include <string>

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
};

core::Status GenerateTestnet(const TestnetOptions& options);

// The default policy: EU 2023/1542 Art. 8 recycled-content minimums and the Annex X
// due-diligence raw materials.
std::string DefaultPolicyJson();

}  // namespace lotchain::node
