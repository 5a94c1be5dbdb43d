#include "node/storage/store_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace lotchain::node::store {
namespace {

// Property: height keys are 8 bytes and sort bytewise in numeric order (RocksDB iterates
// blocks in height order), and decode back to the height; other lengths do not decode.
TEST(StoreCodecTest, HeightKeysSortNumerically) {
  const uint64_t heights[] = {0, 1, 255, 256, 65535, 1ull << 32, ~0ull - 1, ~0ull};
  for (size_t i = 0; i < std::size(heights); ++i) {
    EXPECT_EQ(EncodeHeight(heights[i]).size(), 8u);
    EXPECT_EQ(DecodeHeight(EncodeHeight(heights[i])), heights[i]);
    if (i > 0) {
      EXPECT_LT(EncodeHeight(heights[i - 1]), EncodeHeight(heights[i]));
    }
  }
  EXPECT_EQ(DecodeHeight("1234567"), std::nullopt);
  EXPECT_EQ(DecodeHeight("123456789"), std::nullopt);
}

// Property: tip and tx records round-trip, and truncated or padded bytes are rejected rather
// than misread.
TEST(StoreCodecTest, RecordsRoundTripAndRejectMalformedBytes) {
  const TipRecord tip{42, std::string(32, 'r'), std::string(32, 'h')};
  const std::string bytes = EncodeTip(tip);
  auto decoded = DecodeTip(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->height, 42u);
  EXPECT_EQ(decoded->state_root, tip.state_root);
  EXPECT_EQ(decoded->last_block_hash, tip.last_block_hash);
  EXPECT_EQ(DecodeTip(bytes.substr(1)), std::nullopt);
  EXPECT_EQ(DecodeTip(bytes + "x"), std::nullopt);

  v1::TxResult result;
  result.set_tx_hash(std::string(32, 't'));
  result.set_code(v1::TX_CODE_REJECTED);
  result.set_reason("NOT_CUSTODIAN");
  auto record = DecodeTxRecord(EncodeTxRecord(7, 3, result));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->height, 7u);
  EXPECT_EQ(record->index, 3u);
  EXPECT_EQ(record->result.reason(), "NOT_CUSTODIAN");
  EXPECT_EQ(DecodeTxRecord("short"), std::nullopt);
}

// Property: a block's results list round-trips in order (including an empty list), and a
// length prefix that runs past the end is rejected.
TEST(StoreCodecTest, ResultsListRoundTrips) {
  std::vector<v1::TxResult> results(3);
  results[0].set_tx_hash("a");
  results[1].set_code(v1::TX_CODE_REJECTED);
  results[2].set_message("m");
  auto decoded = DecodeResults(EncodeResults(results));
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[0].tx_hash(), "a");
  EXPECT_EQ((*decoded)[1].code(), v1::TX_CODE_REJECTED);
  EXPECT_EQ((*decoded)[2].message(), "m");
  EXPECT_EQ(DecodeResults("")->size(), 0u);
  std::string truncated = EncodeResults(results);
  truncated.pop_back();
  EXPECT_EQ(DecodeResults(truncated), std::nullopt);
  EXPECT_EQ(DecodeResults(std::string("\x00\x00\x01\x00", 4)), std::nullopt);
}

// Property: PrefixSuccessor is the smallest string above every extension of the prefix, and
// there is none for "" or all-0xff prefixes.
TEST(StoreCodecTest, PrefixSuccessorBoundsThePrefixRange) {
  EXPECT_EQ(PrefixSuccessor("e/"), std::optional<std::string>("e0"));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), std::optional<std::string>("b"));
  EXPECT_EQ(PrefixSuccessor(""), std::nullopt);
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), std::nullopt);
  EXPECT_LT(std::string("e/\xff\xff\xff"), *PrefixSuccessor("e/"));
  EXPECT_TRUE(IsLotEventKey("e/lot-1/0"));
  EXPECT_FALSE(IsLotEventKey("e"));
  EXPECT_FALSE(IsLotEventKey("l/lot-1"));
}

}  // namespace
}  // namespace lotchain::node::store
