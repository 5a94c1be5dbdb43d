#include "consensus/core/state.h"

#include <cstdint>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"

namespace lotchain::core {

void StateDelta::Merge(const StateDelta& later) {
  for (const auto& [key, value] : later.writes) writes[key] = value;
}

std::optional<std::string> OverlayState::Get(std::string_view key) const {
  auto it = delta_.writes.find(key);
  if (it != delta_.writes.end()) return it->second;
  return base_.Get(key);
}

std::vector<KeyValue> OverlayState::Scan(std::string_view prefix, size_t limit_count) const {
  // Merge the base scan with the delta's entries under the prefix. The base is asked for enough
  // entries to survive deletions in the delta.
  size_t deletes = 0;
  std::map<std::string, std::optional<std::string>, std::less<>> merged;
  for (auto it = delta_.writes.lower_bound(prefix);
       it != delta_.writes.end() && it->first.starts_with(prefix); ++it) {
    merged[it->first] = it->second;
    if (!it->second.has_value()) ++deletes;
  }
  // Saturating: limit_count may be SIZE_MAX ("everything").
  size_t base_limit = limit_count > SIZE_MAX - deletes ? SIZE_MAX : limit_count + deletes;
  for (auto& [key, value] : base_.Scan(prefix, base_limit)) {
    merged.try_emplace(std::move(key), std::move(value));
  }
  std::vector<KeyValue> out;
  for (auto& [key, value] : merged) {
    if (out.size() >= limit_count) break;
    if (value.has_value()) out.emplace_back(key, *value);
  }
  return out;
}

std::optional<std::string> MemState::Get(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::vector<KeyValue> MemState::Scan(std::string_view prefix, size_t limit_count) const {
  std::vector<KeyValue> out;
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix) && out.size() < limit_count; ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

void MemState::Apply(const StateDelta& delta) {
  for (const auto& [key, value] : delta.writes) {
    if (value.has_value()) {
      entries_[key] = *value;
    } else {
      entries_.erase(key);
    }
  }
}

namespace {
void AppendU32(std::string& out, size_t n) {
  LOTCHAIN_ASSERT(n <= 0xffffffffu);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((n >> shift) & 0xffu));
  }
}
}  // namespace

std::string EncodeDelta(const StateDelta& delta) {
  std::string out;
  for (const auto& [key, value] : delta.writes) {
    AppendU32(out, key.size());
    out.append(key);
    out.push_back(value.has_value() ? '\x01' : '\x00');
    if (value.has_value()) {
      AppendU32(out, value->size());
      out.append(*value);
    }
  }
  return out;
}

}  // namespace lotchain::core
