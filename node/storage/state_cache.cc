#include "node/storage/state_cache.h"

#include <mutex>

namespace lotchain::node {

std::optional<std::optional<std::string>> StateCache::Lookup(std::string_view key,
                                                             uint64_t* generation) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second;
  *generation = generation_;
  return std::nullopt;
}

void StateCache::Fill(std::string_view key, const std::optional<std::string>& value,
                      uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;  // a commit happened since the read: maybe stale
  if (entries_.find(key) != entries_.end()) return;
  PutLocked(key, value);
}

void StateCache::Apply(const core::StateDelta& delta) {
  std::unique_lock lock(mutex_);
  ++generation_;
  for (const auto& [key, value] : delta.writes) PutLocked(key, value);
}

void StateCache::PutLocked(std::string_view key, const std::optional<std::string>& value) {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    bytes_ -= Cost(key, it->second);
    entries_.erase(it);
  }
  const size_t cost = Cost(key, value);
  if (cost > bytes_max_) return;
  if (bytes_ + cost > bytes_max_) {
    entries_.clear();
    bytes_ = 0;
  }
  entries_.emplace(std::string(key), value);
  bytes_ += cost;
}

size_t StateCache::bytes() const {
  std::shared_lock lock(mutex_);
  return bytes_;
}

size_t StateCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace lotchain::node
