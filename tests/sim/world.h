// What all simulated nodes of one run share: genesis, validator keys, the transaction pool
// (signed custody transactions submitted by simulated clients) and a memoising signature
// verifier (a pure function, so caching it across nodes changes no outcome).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/bft/block_builder.h"
#include "consensus/bft/ports.h"
#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "consensus/core/validator_schedule.h"
#include "tests/sim/prng.h"

namespace lotchain::sim {

class CachingVerifier final : public bft::SignatureVerifier {
 public:
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override;

 private:
  mutable std::map<std::string, bool, std::less<>> cache_;
};

struct PoolTx {
  std::string bytes;
  std::string hash;
};

// Generates valid (and some rule-violating but authentic) custody transactions from miners.
class Workload {
 public:
  Workload(const core::Genesis& genesis, std::vector<core::SecretKey> miner_keys,
           std::vector<std::string> miner_orgs);
  std::string Next(Prng& prng);

 private:
  std::string Sign(size_t miner, v1::TxBody body);
  const core::Genesis& genesis_;
  std::vector<core::SecretKey> keys_;
  std::vector<std::string> orgs_;
  std::vector<uint64_t> nonces_;
  std::vector<uint64_t> lots_;
};

struct World {
  // With `governance`, one more validator key (the standby, outside the genesis set) and a
  // governance member that operates every validator and alone makes a quorum.
  World(size_t validator_count, bool governance);
  static constexpr const char* kGovernanceOrg = "consortium-board";

  core::Genesis genesis;
  std::optional<core::ChainValidatorSchedule> schedule;  // the replicas' validator seam
  core::ValidatorSet validators;
  std::string validators_hash;
  std::vector<core::SecretKey> validator_keys;
  std::vector<std::string> miner_orgs;
  std::vector<core::SecretKey> miner_keys;
  bft::BlockLimits limits;  // the genesis policy's
  CachingVerifier verifier;

  std::vector<PoolTx> pool;          // submission order
  std::set<std::string> pool_hashes;  // every submitted tx (signatures verified on entry)
  void Submit(std::string bytes);
  // Signs `body` as the governance member, with its next nonce.
  std::string SignGovernance(v1::TxBody body);

 private:
  std::optional<core::SecretKey> governance_key_;
  uint64_t governance_nonce_ = 0;
};

}  // namespace lotchain::sim
