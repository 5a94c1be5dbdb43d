// Shared fixture of the proof verifier tests (proof_verify_test.cc: entries, replay and
// tampering; proof_verify_block_table_test.cc: the block table of bundle format 2): one
// certified pack chain and its honest bundle, built once per test suite.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "consensus/core/crypto.h"
#include "consensus/core/merkle.h"
#include "consensus/core/proof_verify.h"
#include "tests/support/proof_fixture.h"

namespace lotchain::testing {

using core::ProofReport;

class ProofVerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    chain_ = new ProofChain();
    facts_ = BuildPackChain(*chain_);
    bundle_ = new v1::ProofBundle(chain_->BuildBundle(PackChainIds::kPack));
  }
  static void TearDownTestSuite() {
    delete bundle_;
    delete chain_;
  }

  static const core::Genesis& genesis() { return chain_->genesis(); }
  static v1::ProofBundle Bundle() { return *bundle_; }

  // Position in the bundle of the entry at (height, index); -1 if absent.
  static int PositionOf(const v1::ProofBundle& bundle, uint64_t height, uint32_t index) {
    for (int i = 0; i < bundle.txs_size(); ++i) {
      if (bundle.txs(i).height() == height && bundle.txs(i).index() == index) return i;
    }
    return -1;
  }
  // Position in the block table of the block of entry `at`; -1 if absent.
  static int BlockOf(const v1::ProofBundle& bundle, int at) {
    for (int k = 0; k < bundle.blocks_size(); ++k) {
      if (bundle.blocks(k).height() == bundle.txs(at).height()) return k;
    }
    return -1;
  }
  // Removes entry `at` and the table row it alone used.
  static void RemoveEntry(v1::ProofBundle& bundle, int at) {
    bundle.mutable_txs()->DeleteSubrange(at, 1);
    DropUnusedBlocks(bundle);
  }
  // Position of the first entry whose body satisfies `match`.
  template <typename Match>
  static int PositionWhere(const v1::ProofBundle& bundle, Match match) {
    for (int i = 0; i < bundle.txs_size(); ++i) {
      v1::SignedTx envelope;
      v1::TxBody body;
      EXPECT_TRUE(envelope.ParseFromString(bundle.txs(i).signed_tx()));
      EXPECT_TRUE(body.ParseFromString(envelope.body()));
      if (match(body)) return i;
    }
    return -1;
  }
  static bool HasFailure(const ProofReport& report, std::string_view check, int tx_index) {
    return std::any_of(report.failures.begin(), report.failures.end(),
                       [&](const core::ProofFailure& f) {
                         return f.check == check && f.tx_index == tx_index;
                       });
  }
  static bool HasBlockFailure(const ProofReport& report, std::string_view check,
                              int block_index) {
    return std::any_of(report.failures.begin(), report.failures.end(),
                       [&](const core::ProofFailure& f) {
                         return f.check == check && f.tx_index == -1 &&
                                f.block_index == block_index;
                       });
  }
  static std::string Describe(const ProofReport& report) {
    std::string out;
    for (const auto& f : report.failures) {
      out += "[" + std::to_string(f.tx_index) + "/b" + std::to_string(f.block_index) + "] " +
             f.check + ": " + f.message + "\n";
    }
    return out;
  }
  // The report's first failure is `check` at `tx_index`.
  static void ExpectFirst(const ProofReport& report, std::string_view check, int tx_index) {
    ASSERT_FALSE(report.ok);
    ASSERT_FALSE(report.failures.empty());
    EXPECT_EQ(report.failures[0].check, check) << Describe(report);
    EXPECT_EQ(report.failures[0].tx_index, tx_index) << Describe(report);
  }
  // The report's first failure is `check` at table block `block_index`.
  static void ExpectFirstBlock(const ProofReport& report, std::string_view check,
                               int block_index) {
    ASSERT_FALSE(report.ok);
    ASSERT_FALSE(report.failures.empty());
    EXPECT_EQ(report.failures[0].check, check) << Describe(report);
    EXPECT_EQ(report.failures[0].tx_index, -1) << Describe(report);
    EXPECT_EQ(report.failures[0].block_index, block_index) << Describe(report);
  }

  static inline ProofChain* chain_ = nullptr;
  static inline PackChainFacts facts_;
  static inline v1::ProofBundle* bundle_ = nullptr;
};

// Index of the pack-1 transform in `bundle`, or -1.
inline int PackTransform(const v1::ProofBundle& bundle) {
  for (int i = 0; i < bundle.txs_size(); ++i) {
    v1::SignedTx envelope;
    v1::TxBody body;
    if (envelope.ParseFromString(bundle.txs(i).signed_tx()) &&
        body.ParseFromString(envelope.body()) && body.has_transform() &&
        body.transform().outputs(0).lot_id() == "pack-1") {
      return i;
    }
  }
  return -1;
}

// A block after the chain's tip holding `signed_tx` with an "applied" result, certified by all
// validators (a Byzantine quorum): its inclusion checks pass, so only the replay can object.
// Appends the block to the table and the entry to the bundle. The quorum also moves the anchor
// to its block, whose state_root it sets to the tip's (the anchor proofs stay valid), so the
// anchor does not object either.
inline void AddForgedInclusion(const ProofChain& chain, const std::string& signed_tx,
                        v1::ProofBundle& bundle) {
  const uint64_t height = chain.height() + 1;
  v1::TxResult result;
  result.set_tx_hash(core::Sha256(signed_tx));
  result.set_code(v1::TX_CODE_OK);
  std::string validator_keys;
  for (const auto& validator : chain.genesis().validators) validator_keys += validator.public_key;
  v1::BlockHeader header;
  header.set_chain_id(chain.genesis().chain_id);
  header.set_height(height);
  header.set_time_unix_ms(chain.time_unix_ms + 1000);
  header.set_prev_block_hash(core::Sha256(chain.Block(height - 1).block.header()));
  header.set_tx_root(core::MerkleRoot({signed_tx}));
  header.set_results_root(core::MerkleRoot({result.SerializeAsString()}));
  header.set_state_root(chain.tree().Root());
  header.set_tx_count(1);
  header.set_validators_hash(core::Sha256(validator_keys));
  header.set_next_validators_hash(core::Sha256(validator_keys));
  v1::ProofBlock* row = bundle.add_blocks();
  row->set_height(height);
  row->set_header(header.SerializeAsString());
  *row->mutable_certificate() =
      SignCertificate(chain.genesis(), height, row->header(), chain.genesis().validators.size());
  if (bundle.has_anchor()) bundle.mutable_anchor()->set_height(height);
  v1::TxInclusion* inclusion = bundle.add_txs();
  inclusion->set_signed_tx(signed_tx);
  inclusion->set_height(height);
  inclusion->set_index(0);
  inclusion->set_result(result.SerializeAsString());
}

}  // namespace lotchain::testing
