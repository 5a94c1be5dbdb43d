// VerifiedSet: hashes of transactions whose signature this node has verified, shared by the
// threads that verify (gRPC threads for client txs, the verify pool for gossip, the loop for
// proposals), so that each transaction's signature is checked once per node however it
// arrives and in whatever order: a proposal handled while the gossip carrying the same txs is
// still in the verify pool, or gossip arriving after the proposal, costs no second check.
//
// The key is SHA-256 of the exact SignedTx bytes, so a hit means these very bytes verified.
// Bounded: at most `count_max` hashes; the oldest are forgotten first (a forgotten tx is only
// verified again, never accepted unverified).
//
// Thread-safe (one mutex; each call is a hash-set operation).
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace lotchain::node {

class VerifiedSet {
 public:
  explicit VerifiedSet(size_t count_max) : count_max_(count_max) {}

  bool Contains(std::string_view tx_hash) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hashes_.find(std::string(tx_hash)) != hashes_.end();
  }

  void Insert(const std::string& tx_hash) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!hashes_.insert(tx_hash).second) return;
    order_.push_back(tx_hash);
    while (order_.size() > count_max_) {
      hashes_.erase(order_.front());
      order_.pop_front();
    }
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hashes_.size();
  }

 private:
  const size_t count_max_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> hashes_;  // guarded by mutex_
  std::deque<std::string> order_;           // guarded by mutex_; insertion order
};

}  // namespace lotchain::node
