// The block table of proof bundle format 2 (docs/PROOFS.md): entries name their block by
// height, every table block is used once, heights ascend, each row is its header's height,
// and the old inline form is refused.
#include <gtest/gtest.h>

#include "consensus/core/proof_verify.h"
#include "tests/unit/core/proof_verify_test_fixture.h"

namespace lotchain::testing {
namespace {

using core::ProofReport;

TEST_F(ProofVerifyTest, EntryNamingABlockNotInTheTableIsRejected) {
  // Property: an entry whose height is not a table row cannot be checked against any header:
  // "block_missing" at the entry; a height moved onto another table block fails its paths.
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  bundle.mutable_txs(at)->set_height(chain_->height() + 50);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kBlockMissing, at);
  EXPECT_NE(report.failures[0].message.find("not in the block table"), std::string::npos);

  bundle = Bundle();
  const int block = BlockOf(bundle, at);
  ASSERT_GT(block, 0);
  bundle.mutable_txs(at)->set_height(bundle.blocks(block - 1).height());
  report = core::VerifyProofBundle(genesis(), bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kTxInclusion, at) ||
              HasFailure(report, core::proof_checks::kOrder, at))
      << Describe(report);
}

TEST_F(ProofVerifyTest, TableBlockNoEntryUsesIsRejected) {
  // Property: the table carries only blocks its entries need: a certified block that no entry
  // names is "block_unused" (one failure, at its row); so is a real block whose entries were
  // removed but whose row was kept (then first, before the replay's failures).
  v1::ProofBundle bundle = Bundle();
  AddForgedInclusion(*chain_, bundle.txs(0).signed_tx(), bundle);  // a certified block ...
  bundle.mutable_txs()->RemoveLast();                              // ... with no entry
  bundle.mutable_anchor()->set_height(chain_->height());           // ... nor the anchor
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kBlockUnused, bundle.blocks_size() - 1);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);

  bundle = Bundle();
  const int block = BlockOf(bundle, PackTransform(bundle));
  const uint64_t height = bundle.blocks(block).height();
  v1::ProofBundle trimmed = bundle;
  trimmed.clear_txs();
  for (const auto& inclusion : bundle.txs()) {
    if (inclusion.height() != height) *trimmed.add_txs() = inclusion;
  }
  report = core::VerifyProofBundle(genesis(), trimmed);
  ExpectFirstBlock(report, core::proof_checks::kBlockUnused, block);
}

TEST_F(ProofVerifyTest, DuplicateOrDisorderedTableHeightsAreRejected) {
  // Property: one row per height, ascending: the same block twice and a second, different
  // header for a height are "block_conflict" at the later row; swapped rows are "order".
  v1::ProofBundle bundle = Bundle();
  const int block = BlockOf(bundle, PackTransform(bundle));
  *bundle.add_blocks() = bundle.blocks(block);
  for (int k = bundle.blocks_size() - 1; k > block + 1; --k) {
    bundle.mutable_blocks()->SwapElements(k, k - 1);
  }
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kBlockConflict, block + 1);
  EXPECT_NE(report.failures[0].message.find("the same header twice"), std::string::npos);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);

  // A different header claiming the same height (another block's header, relabelled).
  bundle = Bundle();
  v1::ProofBlock impostor = bundle.blocks(block - 1);
  impostor.set_height(bundle.blocks(block).height());
  *bundle.add_blocks() = impostor;
  for (int k = bundle.blocks_size() - 1; k > block + 1; --k) {
    bundle.mutable_blocks()->SwapElements(k, k - 1);
  }
  report = core::VerifyProofBundle(genesis(), bundle);
  EXPECT_TRUE(HasBlockFailure(report, core::proof_checks::kHeader, block + 1))
      << Describe(report);  // its header is of another height
  EXPECT_TRUE(HasBlockFailure(report, core::proof_checks::kBlockConflict, block + 1))
      << Describe(report);

  bundle = Bundle();
  bundle.mutable_blocks()->SwapElements(1, 2);
  report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kOrder, 2);
}

TEST_F(ProofVerifyTest, TableRowHeightMustBeItsHeaders) {
  // Property: a row whose height field disagrees with its header is "header" at the row; the
  // entries that name the real height then find no block ("block_missing").
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  const int block = BlockOf(bundle, at);
  const uint64_t height = bundle.blocks(block).height();
  bundle.mutable_blocks(block)->set_height(height + 1'000);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kHeader, block);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kBlockMissing, at)) << Describe(report);
}

TEST_F(ProofVerifyTest, InlineFormatIsRejected) {
  // Property: the verifier reads format 2 only. A bundle without the format (format 1, inline
  // headers) is one "bundle" failure asking to export again; an entry that smuggles an inline
  // header or certificate into a format-2 bundle is a "bundle" failure at the entry.
  v1::ProofBundle bundle = Bundle();
  bundle.clear_format();
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kBundle, -1);
  EXPECT_NE(report.failures[0].message.find("export"), std::string::npos);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);

  bundle = Bundle();
  const int at = PackTransform(bundle);
  bundle.mutable_txs(at)->set_inline_header(bundle.blocks(BlockOf(bundle, at)).header());
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kBundle, at);
  bundle = Bundle();
  *bundle.mutable_txs(at)->mutable_inline_certificate() =
      bundle.blocks(BlockOf(bundle, at)).certificate();
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kBundle, at);
}

TEST_F(ProofVerifyTest, EachBlockIsStoredOnce) {
  // Property: the honest bundle's table has one row per distinct entry height, each used.
  const v1::ProofBundle bundle = Bundle();
  std::set<uint64_t> heights;
  for (const auto& inclusion : bundle.txs()) heights.insert(inclusion.height());
  ASSERT_EQ(static_cast<size_t>(bundle.blocks_size()), heights.size());
  EXPECT_LT(bundle.blocks_size(), bundle.txs_size());
  for (const auto& inclusion : bundle.txs()) {
    EXPECT_TRUE(inclusion.inline_header().empty());
    EXPECT_FALSE(inclusion.has_inline_certificate());
  }
}

}  // namespace
}  // namespace lotchain::testing
