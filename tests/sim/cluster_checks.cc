// The simulator's invariants: agreement, validity, certificate soundness and equal state
// roots on every commit; liveness after the last heal; quiescence once clients stop. (No
// transaction committed twice, and the header's state root equal to the execution, are
// checked by testing::MemChainStore::CommitBlock: the replica then stops with a fatal error,
// which Process reports for an honest node.)
#include <algorithm>

#include "consensus/core/certificate.h"
#include "tests/sim/cluster_impl.h"

namespace lotchain::sim {

void Cluster::OnCommit(size_t node, const node::CommittedBlock& commit) {
  const std::string who = "n" + std::to_string(node);
  Trace(who + " DECIDES h" + std::to_string(commit.height) + " " + Short(commit.block_hash) +
        " (round " + std::to_string(commit.certificate.round()) + ", " +
        std::to_string(commit.certificate.precommits_size()) + " precommits, " +
        std::to_string(commit.block.txs_size()) + " txs)");
  if (!Honest(node)) return;
  core::Status cert = core::VerifyCommitCertificate(ReferenceSet(node, commit.height),
                                                    commit.certificate,
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
  last_honest_commit_ = now_;
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
    live_ = true;
    live_since_ = now_;
  }
}

// Once clients stop (after liveness holds), nothing an honest validator admitted may stay
// pending: every honest mempool drains and all honest validators reach the same height,
// with no stall of kQuiescenceBoundTicks on the way. A transaction that only one validator holds (its gossip
// was lost in a partition) must still be ordered: that validator starts a height alone and
// the others must join it on its messages, not wait for work of their own.
void Cluster::CheckQuiescence() {
  std::optional<uint64_t> height;
  bool quiet = true;
  for (size_t i = 0; i < nodes_.size() && quiet; ++i) {
    if (!Honest(i)) continue;
    SimNode& n = *nodes_[i];
    if (!n.up() || n.replica().mempool().size() != 0) quiet = false;
    if (height.has_value() && *height != n.chain_height()) quiet = false;
    height = n.chain_height();
  }
  if (quiet) {
    done_ = true;
    return;
  }
  // A backlog may take a while under Byzantine rounds; what must not happen is a stall.
  if (now_ < std::max(live_since_, last_honest_commit_) + kQuiescenceBoundTicks) return;
  std::string state;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!Honest(i)) continue;
    SimNode& n = *nodes_[i];
    state += " n" + std::to_string(i) + "=h" + std::to_string(n.chain_height()) + "/" +
             std::to_string(n.up() ? n.replica().mempool().size() : 0) + "txs";
  }
  Violation("quiescence: clients stopped and no honest validator committed for " +
            std::to_string(kQuiescenceBoundTicks) +
            " ticks, yet honest validators differ or hold pending transactions:" + state);
}

}  // namespace lotchain::sim
