#include "node/mempool/mempool.h"

#include <queue>

namespace lotchain::node {

core::Status Mempool::Add(MempoolEntry entry) {
  if (by_hash_.count(entry.tx_hash) != 0) {
    return core::Status("ALREADY_EXISTS", "transaction is already in the mempool");
  }
  if (by_hash_.size() >= limits_.txs_max ||
      bytes_ + entry.signed_tx.size() > limits_.bytes_max) {
    return core::Status("RESOURCE_EXHAUSTED",
                        "mempool is full (" + std::to_string(by_hash_.size()) + " transactions, " +
                            std::to_string(bytes_) + " bytes); retry in a few seconds");
  }
  auto& queue = by_signer_[entry.signer];
  if (queue.count(entry.nonce) != 0) {
    return core::Status("REPLAYED_NONCE", "another pending transaction of this key uses nonce " +
                                              std::to_string(entry.nonce) +
                                              "; use the next free nonce");
  }
  entry.arrival = next_arrival_++;
  queue[entry.nonce] = entry.tx_hash;
  bytes_ += entry.signed_tx.size();
  std::string hash = entry.tx_hash;
  by_hash_.emplace(std::move(hash), std::move(entry));
  return core::Status::Ok();
}

const MempoolEntry* Mempool::Find(std::string_view tx_hash) const {
  auto it = by_hash_.find(std::string(tx_hash));
  return it == by_hash_.end() ? nullptr : &it->second;
}

std::vector<const MempoolEntry*> Mempool::Reap(size_t count_max, uint64_t bytes_max) const {
  // k-way merge: the head of each signer's nonce queue, smallest arrival first.
  struct Cursor {
    uint64_t arrival;
    const std::map<uint64_t, std::string>* queue;
    std::map<uint64_t, std::string>::const_iterator it;
    bool operator>(const Cursor& other) const { return arrival > other.arrival; }
  };
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heads;
  for (const auto& [signer, queue] : by_signer_) {
    if (queue.empty()) continue;
    heads.push({by_hash_.at(queue.begin()->second).arrival, &queue, queue.begin()});
  }
  std::vector<const MempoolEntry*> out;
  uint64_t bytes = 0;
  while (!heads.empty() && out.size() < count_max) {
    Cursor cursor = heads.top();
    heads.pop();
    const MempoolEntry& entry = by_hash_.at(cursor.it->second);
    if (bytes + entry.signed_tx.size() > bytes_max) break;
    bytes += entry.signed_tx.size();
    out.push_back(&entry);
    if (++cursor.it != cursor.queue->end()) {
      cursor.arrival = by_hash_.at(cursor.it->second).arrival;
      heads.push(cursor);
    }
  }
  return out;
}

void Mempool::Remove(std::string_view tx_hash) {
  auto it = by_hash_.find(std::string(tx_hash));
  if (it == by_hash_.end()) return;
  auto queue = by_signer_.find(it->second.signer);
  if (queue != by_signer_.end()) {
    queue->second.erase(it->second.nonce);
    if (queue->second.empty()) by_signer_.erase(queue);
  }
  bytes_ -= it->second.signed_tx.size();
  by_hash_.erase(it);
}

}  // namespace lotchain::node
