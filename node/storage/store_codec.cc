#include "node/storage/store_codec.h"

#include "consensus/core/assert.h"

namespace lotchain::node::store {

namespace {

void AppendBigEndian(std::string& out, uint64_t value, size_t bytes) {
  LOTCHAIN_ASSERT(bytes <= 8);
  if (bytes < 8) LOTCHAIN_ASSERT(value >> (8 * bytes) == 0);
  for (size_t i = bytes; i > 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * (i - 1))) & 0xffu));
  }
}

// Reads `bytes` big-endian bytes at `offset`; the caller checked the length.
uint64_t ReadBigEndian(std::string_view in, size_t offset, size_t bytes) {
  LOTCHAIN_ASSERT(bytes <= 8);
  LOTCHAIN_ASSERT(offset + bytes <= in.size());
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) {
    value = (value << 8) | static_cast<uint8_t>(in[offset + i]);
  }
  return value;
}

}  // namespace

bool IsLotEventKey(std::string_view state_key) { return state_key.starts_with(kLotEventPrefix); }

std::string EncodeHeight(uint64_t height) {
  std::string out;
  out.reserve(kHeightKeyBytes);
  AppendBigEndian(out, height, kHeightKeyBytes);
  LOTCHAIN_ASSERT(out.size() == kHeightKeyBytes);
  return out;
}

std::optional<uint64_t> DecodeHeight(std::string_view bytes) {
  if (bytes.size() != kHeightKeyBytes) return std::nullopt;
  return ReadBigEndian(bytes, 0, kHeightKeyBytes);
}

std::string EncodeTip(const TipRecord& tip) {
  LOTCHAIN_ASSERT(tip.state_root.size() == kHashBytes);
  LOTCHAIN_ASSERT(tip.last_block_hash.size() == kHashBytes);
  std::string out = EncodeHeight(tip.height);
  out.append(tip.state_root);
  out.append(tip.last_block_hash);
  LOTCHAIN_ASSERT(out.size() == kTipBytes);
  return out;
}

std::optional<TipRecord> DecodeTip(std::string_view bytes) {
  if (bytes.size() != kTipBytes) return std::nullopt;
  TipRecord tip;
  tip.height = ReadBigEndian(bytes, 0, kHeightKeyBytes);
  tip.state_root = std::string(bytes.substr(kHeightKeyBytes, kHashBytes));
  tip.last_block_hash = std::string(bytes.substr(kHeightKeyBytes + kHashBytes, kHashBytes));
  return tip;
}

std::string EncodeTxRecord(uint64_t height, uint32_t index, const v1::TxResult& result) {
  std::string out = EncodeHeight(height);
  AppendBigEndian(out, index, 4);
  out.append(result.SerializeAsString());
  return out;
}

std::optional<TxRecordValue> DecodeTxRecord(std::string_view bytes) {
  if (bytes.size() < kHeightKeyBytes + 4) return std::nullopt;
  TxRecordValue record;
  record.height = ReadBigEndian(bytes, 0, kHeightKeyBytes);
  record.index = static_cast<uint32_t>(ReadBigEndian(bytes, kHeightKeyBytes, 4));
  std::string_view rest = bytes.substr(kHeightKeyBytes + 4);
  if (!record.result.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
    return std::nullopt;
  }
  return record;
}

std::string EncodeResults(const std::vector<v1::TxResult>& results) {
  LOTCHAIN_ASSERT(results.size() <= kResultsCountMax);
  std::string out;
  for (const v1::TxResult& result : results) {
    std::string encoded = result.SerializeAsString();
    AppendBigEndian(out, encoded.size(), 4);
    out.append(encoded);
  }
  return out;
}

std::optional<std::vector<v1::TxResult>> DecodeResults(std::string_view bytes) {
  std::vector<v1::TxResult> results;
  size_t offset = 0;
  while (offset < bytes.size()) {
    if (results.size() >= kResultsCountMax) return std::nullopt;
    if (bytes.size() - offset < 4) return std::nullopt;
    const size_t length = static_cast<size_t>(ReadBigEndian(bytes, offset, 4));
    offset += 4;
    if (bytes.size() - offset < length) return std::nullopt;
    v1::TxResult& result = results.emplace_back();
    if (!result.ParseFromArray(bytes.data() + offset, static_cast<int>(length))) {
      return std::nullopt;
    }
    offset += length;
  }
  LOTCHAIN_ASSERT(offset == bytes.size());
  return results;
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  // Drop trailing 0xff bytes, then increment the last remaining byte.
  while (!out.empty() && static_cast<uint8_t>(out.back()) == 0xffu) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1u);
  LOTCHAIN_ASSERT(out > prefix);
  return out;
}

}  // namespace lotchain::node::store
