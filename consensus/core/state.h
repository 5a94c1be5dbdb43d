// The state keyspace and its views.
//
// State is an ordered key -> bytes map. Values are protobuf encodings of the records in
// proto/lotchain/v1/state.proto; keys are built only by the functions in state_keys.h.
// The custody rules read through a StateReader and never write: they return a StateDelta, which
// the caller commits (MemState in tests and the simulator, RocksDB in the node).
//
// Contract for implementations: Get and Scan are deterministic functions of the committed
// contents; an implementation that cannot read (disk failure) must abort the process rather than
// return a wrong answer, because a wrong answer would fork the chain.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lotchain::core {

using KeyValue = std::pair<std::string, std::string>;

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<std::string> Get(std::string_view key) const = 0;
  // Entries whose key starts with `prefix`, in ascending key order, at most `limit_count`.
  virtual std::vector<KeyValue> Scan(std::string_view prefix, size_t limit_count) const = 0;
};

// Writes of one transaction or block: key -> new value, or nullopt for a delete. Ordered, so
// digests over it are deterministic.
struct StateDelta {
  std::map<std::string, std::optional<std::string>, std::less<>> writes;

  void Put(std::string key, std::string value) { writes[std::move(key)] = std::move(value); }
  void Delete(std::string key) { writes[std::move(key)] = std::nullopt; }
  // Later writes win.
  void Merge(const StateDelta& later);
  bool empty() const { return writes.empty(); }
};

// A reader that sees `delta` on top of `base`. Both must outlive the overlay.
class OverlayState final : public StateReader {
 public:
  OverlayState(const StateReader& base, const StateDelta& delta) : base_(base), delta_(delta) {}
  std::optional<std::string> Get(std::string_view key) const override;
  std::vector<KeyValue> Scan(std::string_view prefix, size_t limit_count) const override;

 private:
  const StateReader& base_;
  const StateDelta& delta_;
};

// In-memory state for tests, the simulator and offline verification.
class MemState final : public StateReader {
 public:
  std::optional<std::string> Get(std::string_view key) const override;
  std::vector<KeyValue> Scan(std::string_view prefix, size_t limit_count) const override;
  void Apply(const StateDelta& delta);
  size_t size() const { return entries_.size(); }
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

// Canonical byte encoding of a delta (tests compare deltas with it):
// for each write in key order: u32be(len key) || key || u8(1 put / 0 delete) ||
// [u32be(len value) || value].
std::string EncodeDelta(const StateDelta& delta);

// The state root commits to the whole state: state_tree.h.


}  // namespace lotchain::core
