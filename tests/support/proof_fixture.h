// ProofChain: an in-memory chain that keeps what a node stores for proofs — blocks with real
// headers (tx_root, results_root, state_root, validators_hash, prev_block_hash), commit
// certificates signed with the genesis validators' keys (SeedFor("validator/vN")) and the
// TxResult encodings — so tests can build proof bundles exactly as docs/PROOF-VERIFY.md "Bundle
// contents" specifies and then tamper with them. Blocks are executed by the real ExecuteBlock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/state.h"
#include "consensus/core/state_tree.h"
#include "consensus/core/validator_schedule.h"
#include "lotchain/v1/api.pb.h"
#include "lotchain/v1/block.pb.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {

struct ProofBlock {
  v1::Block block;
  v1::BlockHeader header;
  v1::CommitCertificate certificate;
  std::vector<std::string> result_leaves;  // TxResult encodings, block order
};

class ProofChain {
 public:
  ProofChain();
  // With the genesis JSON edited first (validator operators, a governance policy).
  explicit ProofChain(const std::function<void(nlohmann::json&)>& edit_genesis);
  // Signs as `name` with `key` (a member admitted or a key rotated by governance).
  void AddSigner(const std::string& name, core::SecretKey key) {
    signer_.AddSigner(name, std::move(key));
  }

  const core::Genesis& genesis() const { return signer_.genesis(); }
  const core::MemState& state() const { return state_; }
  uint64_t height() const { return static_cast<uint64_t>(blocks_.size()); }
  const ProofBlock& Block(uint64_t height) const { return blocks_.at(height - 1); }

  // Signs `body` as `org` with the next nonce (TestChain::Sign).
  std::string Sign(const std::string& org, v1::TxBody body) {
    return signer_.Sign(org, std::move(body));
  }
  // Executes, certifies (all validators precommit in round 0) and stores one block.
  std::vector<v1::TxResult> SubmitBlock(const std::vector<std::string>& signed_txs);
  v1::TxResult Submit(const std::string& org, v1::TxBody body) {
    return SubmitBlock({Sign(org, std::move(body))}).front();
  }
  // The lot's last event hash, or 32 zero bytes when it does not exist.
  std::string LastEvent(const std::string& lot_id) const;

  // The bundle docs/PROOF-VERIFY.md "Bundle contents" specifies for `lot_id`.
  v1::ProofBundle BuildBundle(const std::string& lot_id) const;
  // Replaces the bundle's anchor by proofs of `keys` (sorted, distinct) at the tip, adding the
  // tip block to the table.
  void SetAnchor(v1::ProofBundle& bundle, uint64_t anchor_height,
                 const std::vector<std::string>& keys) const;
  const core::StateTree& tree() const { return tree_; }
  // The TxInclusion of the transaction at (height, index) (it names its block by height).
  v1::TxInclusion Inclusion(uint64_t height, uint32_t index) const;
  // The block-table row of block `height`: its header and certificate.
  v1::ProofBlock TableBlock(uint64_t height) const;

  int64_t time_unix_ms = 1'767'225'600'000;  // advanced by 1 s per block

 private:
  TestChain signer_;  // genesis, member keys and nonces; its own state is unused
  core::MemState state_;
  core::StateTree tree_;
  std::string state_root_;
  std::vector<ProofBlock> blocks_;
  std::optional<core::ChainValidatorSchedule> schedule_;  // refreshed after every block
};

// Signs a precommit certificate for `header_bytes` with the first `votes` genesis validators.
v1::CommitCertificate SignCertificate(const core::Genesis& genesis, uint64_t height,
                                      const std::string& header_bytes, size_t votes,
                                      uint32_t round = 0);
// The same with the first `votes` of `validators` (keys from SeedFor("validator/" + id)).
v1::CommitCertificate SignCertificate(const std::string& chain_id,
                                      const std::vector<core::GenesisValidator>& validators,
                                      uint64_t height, const std::string& header_bytes,
                                      size_t votes, uint32_t round = 0);

// Inserts `row` into bundle.blocks at its height's place unless that height is there already.
void EnsureBlock(v1::ProofBundle& bundle, const v1::ProofBlock& row);
// Removes the table rows no entry names (after a test removed entries).
void DropUnusedBlocks(v1::ProofBundle& bundle);

// The standard supply chain of the proof tests (ids below). Two mines, an audited refinery with
// an open risk flag, a cell plant and a pack plant:
//   co-ore (mine-co, CD) -> refiner --refine 800 kg--> co-sulphate -> cell
//   ni-ore (mine-ni, ID) -> cell
//   cell: co-sulphate + ni-ore --cell--> cell-1 -> oem --pack--> pack-1 (battery registered)
// then the refiner consumes the rest of co-ore together with other-ore (not an ancestor of
// pack-1) into co-scrap, so pack-1's bundle needs other-ore's history (the co-input closure).
// Blocks hold several transactions (including unrelated ones and one rejected transaction), so
// audit paths are non-trivial.
struct PackChainIds {
  static constexpr const char* kPack = "pack-1";
  static constexpr const char* kOutsideLot = "other-ore";
};
struct PackChainFacts {
  uint64_t rejected_height = 0;  // a block holding a rejected transaction ...
  uint32_t rejected_index = 0;   // ... at this index
};
PackChainFacts BuildPackChain(ProofChain& chain);

// The transactions the pack chain is made of, for tests that extend it.
namespace proof_txs {
v1::TxBody Facility(const std::string& id, v1::FacilityKind kind, const std::string& country);
v1::TxBody Origin(const std::string& lot_id, const std::string& facility, uint64_t mass,
                  v1::ElementMass element, uint64_t co2e);
v1::TxBody Offer(const ProofChain& chain, const std::string& lot_id, const std::string& to,
                 uint64_t co2e);
v1::TxBody Accept(const ProofChain& chain, const std::string& lot_id);
v1::TxBody Transform(const std::string& facility, v1::ProcessKind process,
                     std::vector<v1::LotConsumption> inputs, v1::LotProduction output,
                     uint64_t co2e);
// An RMI audit of `facility` dated `audit_date_unix_ms`, valid for a year.
v1::TxBody Audit(const std::string& audit_id, const std::string& facility,
                 v1::AuditStatus status, int64_t audit_date_unix_ms);
v1::TxBody FacilityFlag(const std::string& flag_id, const std::string& facility,
                        v1::RiskCategory category);
// Aborts unless every result is "applied".
void RequireOk(const std::vector<v1::TxResult>& results);
}  // namespace proof_txs

}  // namespace lotchain::testing
