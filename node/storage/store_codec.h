// Byte encodings of the block store's keys and values (docs/STORAGE.md has the table).
//
// Pure functions; thread-safe. Decoders read bytes from disk and therefore never assert on them:
// they return std::nullopt for anything malformed, and the caller reports STORE_CORRUPT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotchain/v1/block.pb.h"

namespace lotchain::node::store {

// Column family names. `default` exists (RocksDB requires it) but stays empty.
inline constexpr std::string_view kCfBlocks = "blocks";         // u64be height -> Block
inline constexpr std::string_view kCfCerts = "certs";           // u64be height -> CommitCertificate
inline constexpr std::string_view kCfResults = "results";       // u64be height -> results list
inline constexpr std::string_view kCfTxs = "txs";               // tx hash -> TxRecord
inline constexpr std::string_view kCfState = "state";           // state key -> record
inline constexpr std::string_view kCfLotEvents = "lot_events";  // "e/..." state key -> LotEvent
inline constexpr std::string_view kCfMeta = "meta";             // see kMeta* below

// meta keys.
inline constexpr std::string_view kMetaFormat = "format";             // kStoreFormat
inline constexpr std::string_view kMetaGenesisHash = "genesis_hash";  // 32 bytes
inline constexpr std::string_view kMetaTip = "tip";                   // EncodeTip
inline constexpr std::string_view kMetaSignState = "sign_state";      // opaque bytes

// Written once at creation; a store with any other value is refused. Format 2: headers'
// state_root is the state tree's root (docs/FORMAT.md "State tree"); format 1 stores hold a
// chain whose roots were a hash chain over deltas, which this version cannot continue.
inline constexpr std::string_view kStoreFormat = "lotchain-store/2";
inline constexpr std::string_view kStoreFormatV1 = "lotchain-store/1";
// Any lotchain store format; one this binary does not know is a newer release's (STORE_FORMAT,
// not STORE_CORRUPT).
inline constexpr std::string_view kStoreFormatPrefix = "lotchain-store/";

// State keys with this prefix (per-lot event records) live in the lot_events column family,
// everything else in `state`. The split is invisible through the StateReader.
inline constexpr std::string_view kLotEventPrefix = "e/";

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kHeightKeyBytes = 8;
inline constexpr size_t kTipBytes = kHeightKeyBytes + 2 * kHashBytes;
// Upper bound on one block's results list, far above any block limit; guards the decoder.
inline constexpr size_t kResultsCountMax = 1u << 20;

bool IsLotEventKey(std::string_view state_key);

// 8-byte big-endian, so RocksDB's bytewise order is height order.
std::string EncodeHeight(uint64_t height);
std::optional<uint64_t> DecodeHeight(std::string_view bytes);

struct TipRecord {
  uint64_t height = 0;
  std::string state_root;       // 32 bytes
  std::string last_block_hash;  // 32 bytes; the genesis hash at height 0
};
// u64be height || state_root || last_block_hash.
std::string EncodeTip(const TipRecord& tip);
std::optional<TipRecord> DecodeTip(std::string_view bytes);

struct TxRecordValue {
  uint64_t height = 0;
  uint32_t index = 0;
  v1::TxResult result;
};
// u64be height || u32be index || TxResult encoding.
std::string EncodeTxRecord(uint64_t height, uint32_t index, const v1::TxResult& result);
std::optional<TxRecordValue> DecodeTxRecord(std::string_view bytes);

// For each result in order: u32be length || TxResult encoding.
std::string EncodeResults(const std::vector<v1::TxResult>& results);
std::optional<std::vector<v1::TxResult>> DecodeResults(std::string_view bytes);

// The smallest string greater than every string starting with `prefix`, or nullopt when there
// is none (empty prefix, or all bytes 0xff). Used as an iterator's exclusive upper bound.
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace lotchain::node::store
