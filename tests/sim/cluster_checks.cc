// The simulator's invariants: agreement, validity, certificate soundness and equal state
// roots on every commit; liveness after the last heal. (No transaction committed twice, and
// the header's state root equal to the execution, are checked by SimStore::CommitBlock: the
// replica then stops with a fatal error, which Process reports for an honest node.)
#include "consensus/core/certificate.h"
#include "tests/sim/cluster_impl.h"

namespace lotchain::sim {

void Cluster::OnCommit(size_t node, const node::CommittedBlock& commit) {
  const std::string who = "n" + std::to_string(node);
  Trace(who + " DECIDES h" + std::to_string(commit.height) + " " + Short(commit.block_hash) +
        " (round " + std::to_string(commit.certificate.round()) + ", " +
        std::to_string(commit.certificate.precommits_size()) + " precommits)");
  if (!Honest(node)) return;
  core::Status cert = core::VerifyCommitCertificate(world_.validators, commit.certificate,
                                                    {commit.height, commit.block_hash});
  if (!cert.ok()) return Violation(who + " decided with a bad certificate: " + cert.ToString());
  auto [it, fresh] = decided_.emplace(commit.height, commit.block_hash);
  if (!fresh && it->second != commit.block_hash) {
    return Violation("agreement: " + who + " decided " + Short(commit.block_hash) +
                     " at height " + std::to_string(commit.height) +
                     " but another honest validator decided " + Short(it->second));
  }
  for (const std::string& tx : commit.block.txs()) {
    if (world_.pool_hashes.count(core::TxHash(tx)) == 0) {
      return Violation("validity: " + who + " committed a transaction nobody submitted");
    }
  }
  result_.txs_committed += static_cast<uint64_t>(commit.block.txs_size());
  auto [root, first] = state_roots_.emplace(commit.height, commit.state_root);
  if (!first && root->second != commit.state_root) {
    Violation("state roots differ at height " + std::to_string(commit.height));
  }
}

void Cluster::CheckLiveness() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Honest(i) && nodes_[i]->chain_height() <= heal_height_) return;
  }
  if (result_.violations.empty()) {
    result_.liveness_delay_ticks = now_ - options_.fault_phase_ticks;
    done_ = true;
  }
}

}  // namespace lotchain::sim
