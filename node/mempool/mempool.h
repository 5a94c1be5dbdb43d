// Mempool: transactions admitted by this node and waiting for a block.
//
// - Deduplicated by transaction hash.
// - Ordered per signer by nonce, and across signers by arrival, so a block never carries a
//   signer's nonce 7 before its nonce 6 (which would make 6 invalid).
// - Bounded in count and bytes: a full mempool answers RESOURCE_EXHAUSTED.
// - Remembers that an entry's signature was verified on admission, so the same bytes arriving
//   inside a proposal are not verified again (bft::SignatureCache::SignatureChecked).
// Not thread-safe: owned by the node's event loop.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "consensus/core/result.h"

namespace lotchain::node {

struct MempoolLimits {
  size_t txs_max = 50'000;
  size_t bytes_max = 128u << 20;
};

struct MempoolEntry {
  std::string tx_hash;
  std::string signed_tx;
  std::string signer;  // 32-byte key
  uint64_t nonce = 0;
  uint64_t arrival = 0;  // admission sequence number
  int64_t admitted_unix_ms = 0;
};

class Mempool {
 public:
  explicit Mempool(MempoolLimits limits) : limits_(limits) {}

  // Adds a transaction whose envelope and signature the caller already verified. Errors:
  // RESOURCE_EXHAUSTED when full, ALREADY_EXISTS when the hash is present, REPLAYED_NONCE when
  // this signer already has a pending transaction with the same nonce.
  core::Status Add(MempoolEntry entry);

  bool Contains(std::string_view tx_hash) const { return by_hash_.count(std::string(tx_hash)) != 0; }
  const MempoolEntry* Find(std::string_view tx_hash) const;

  // Up to `count_max` transactions and `bytes_max` bytes, each signer's in nonce order, signers
  // interleaved by arrival. Does not remove them.
  std::vector<const MempoolEntry*> Reap(size_t count_max, uint64_t bytes_max) const;

  // Removes committed transactions and every pending one whose nonce is now stale
  // (`committed_nonce(signer)` returns the signer's last committed nonce).
  template <typename NonceFn>
  void RemoveCommitted(const std::vector<std::string>& tx_hashes, NonceFn committed_nonce);

  void Remove(std::string_view tx_hash);
  size_t size() const { return by_hash_.size(); }
  uint64_t bytes() const { return bytes_; }
  const MempoolLimits& limits() const { return limits_; }

 private:
  MempoolLimits limits_;
  uint64_t next_arrival_ = 0;
  uint64_t bytes_ = 0;
  std::unordered_map<std::string, MempoolEntry> by_hash_;
  // signer -> nonce -> tx hash
  std::map<std::string, std::map<uint64_t, std::string>> by_signer_;
};

template <typename NonceFn>
void Mempool::RemoveCommitted(const std::vector<std::string>& tx_hashes, NonceFn committed_nonce) {
  std::set<std::string> signers;
  for (const auto& hash : tx_hashes) {
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) continue;
    signers.insert(it->second.signer);
    Remove(hash);
  }
  for (const auto& signer : signers) {
    auto queue = by_signer_.find(signer);
    if (queue == by_signer_.end()) continue;
    uint64_t last = committed_nonce(signer);
    std::vector<std::string> stale;
    for (auto it = queue->second.begin(); it != queue->second.end() && it->first <= last; ++it) {
      stale.push_back(it->second);
    }
    for (const auto& hash : stale) Remove(hash);
  }
}

}  // namespace lotchain::node
