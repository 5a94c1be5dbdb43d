// Genesis: the consortium's founding document (JSON), parsed and validated.
//
// Format (docs/FORMAT.md has the full description and an example):
// {
//   "chain_id": "lotchain-demo-1",
//   "genesis_time_unix_ms": 1767225600000,
//   "members": [{"org_id": "cobalt-mine-co", "name": "...", "roles": ["miner"],
//                "public_keys": ["<64 hex>"]}],
//   "validators": [{"id": "v0", "public_key": "<64 hex>", "address": "127.0.0.1:26600",
//                   "operator": "cobalt-mine-co"}],
//   "policy": {
//     "recycled_content_targets": [{"element": "Co", "from_unix_ms": ..., "min_ppm": 160000,
//                                   "label": "EU 2023/1542 Art. 8(2)"}],
//     "due_diligence_elements": ["Co", "Ni", "Li", "graphite"],
//     "block": {"max_txs": 2000, "max_bytes": 4194304},
//     "governance": {"member_quorum": [2, 3], "validator_quorum": [2, 3],
//                    "proposal_ttl_blocks": 10000}
//   }
// }
// The genesis hash (the chain's identity) is SHA-256("lotchain/genesis/v1" 0x00 canonical JSON)
// over the parsed document with object keys sorted and no whitespace, leaving out the
// validators' "address" fields: whitespace, key order and validator IPs do not change it; any
// other content does (docs/FORMAT.md "Genesis hash").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/state.pb.h"
#include "lotchain/v1/types.pb.h"

namespace lotchain::core {

inline constexpr size_t kGenesisBytesMax = 16u << 20;
inline constexpr size_t kMembersMax = 4096;
inline constexpr size_t kValidatorsMax = 100;

struct GenesisValidator {
  std::string id;
  std::string public_key;  // 32 raw bytes
  std::string address;     // host:port of its p2p listener; empty: only config.toml names it
  std::string operator_org;  // "operator": the member that runs it; empty when not named
};

struct RecycledContentTarget {
  v1::Element element = v1::ELEMENT_UNSPECIFIED;
  int64_t from_unix_ms = 0;
  uint64_t min_ppm = 0;
  std::string label;
};

// A fraction of a count: met when approvals * denominator >= numerator * count.
struct Quorum {
  uint32_t numerator = 2;
  uint32_t denominator = 3;
  bool MetBy(uint64_t approvals, uint64_t count) const {
    return approvals >= 1 && approvals * denominator >= uint64_t{numerator} * count;
  }
};

// "policy.governance" (docs/GOVERNANCE.md): every change needs member_quorum of the active
// member organisations; validator-set changes also need validator_quorum of the current
// validators, counted through the members that operate them.
struct GovernancePolicy {
  Quorum member_quorum;
  Quorum validator_quorum;
  uint64_t proposal_ttl_blocks = 10000;  // a proposal can be decided up to this many heights on
};

struct Policy {
  std::vector<RecycledContentTarget> recycled_content_targets;
  std::vector<v1::Element> due_diligence_elements;  // sorted, distinct
  uint32_t block_max_txs = 2000;
  uint64_t block_max_bytes = 4u << 20;
  GovernancePolicy governance;
};

struct Genesis {
  std::string chain_id;
  int64_t genesis_time_unix_ms = 0;
  std::vector<v1::Member> members;  // sorted by org_id
  std::vector<GenesisValidator> validators;
  Policy policy;
  std::string hash;  // canonical genesis hash (above)
  // The parsed document in canonical form (keys sorted, no whitespace), addresses included:
  // what a node serves to clients (GetGenesis); ParseGenesis(canonical_json) gives this again.
  std::string canonical_json;

  // f = (n - 1) / 3, and the n - f signatures a certificate of the genesis set needs — as
  // core::ValidatorSet::Quorum(). (2f + 1 equals n - f only when n = 3f + 1: for n = 3 it would
  // be 1 of 3.)
  size_t FaultsTolerated() const { return (validators.size() - 1) / 3; }
  size_t Quorum() const { return validators.size() - FaultsTolerated(); }
};

// Parses and validates. Errors have code BAD_GENESIS and name the JSON path of the field and
// the problem, e.g. "members[2].roles[0]: unknown role \"minner\"; expected one of miner, ...".
Result<Genesis> ParseGenesis(std::string_view json_bytes);
// The same checks on a genesis being assembled (`lotchaind genesis new/add-member/...`): the
// members and validators lists may still be empty. Never start a node from a draft.
Result<Genesis> ParseGenesisDraft(std::string_view json_bytes);

// The state written before block 1: members, their keys.
StateDelta GenesisDelta(const Genesis& genesis);
// StateTree().Apply(GenesisDelta(genesis)).Root().
std::string GenesisStateRoot(const Genesis& genesis);

// Names used in JSON, the CLI and messages: "miner", "Co", "graphite", ...
std::string_view RoleName(v1::Role role);
Result<v1::Role> ParseRole(std::string_view name);
std::string_view ElementSymbol(v1::Element element);
Result<v1::Element> ParseElement(std::string_view symbol);

}  // namespace lotchain::core
