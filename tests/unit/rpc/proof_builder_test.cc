// BuildLotProof over a real store: every inclusion proves itself against its certified header,
// the bundle covers the lot's whole upstream history plus the facilities' registrations, audits
// and open flags, and limits refuse rather than truncate.
#include "node/api/proof_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "consensus/core/certificate.h"
#include "consensus/core/merkle.h"
#include "consensus/core/proof_verify.h"
#include "tests/unit/rpc/rpc_test_backend.h"

namespace lotchain::node::testing {
namespace {

class ProofBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildSupplyChain(backend); }

  core::Result<v1::ProofBundle> Build(std::string_view lot_id, const ProofLimits& limits = {}) {
    auto snapshot = backend.store().Snapshot();
    return BuildLotProof(backend.store(), *snapshot, lot_id, limits);
  }

  TestBackend backend;
};

// Each table block is certified and each TxInclusion verifies as an auditor would: tx and
// result inclusion paths against its block's tx_root and results_root
// (core::VerifyMerkleInclusion), the result says OK; the certificate is a quorum of genesis
// validators over SHA-256 of the header bytes. Every block appears once and is used.
TEST_F(ProofBuilderTest, EveryInclusionVerifies) {
  auto bundle = Build("pack-1");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  EXPECT_EQ(bundle->genesis_hash(), backend.genesis().hash);
  EXPECT_EQ(bundle->chain_id(), backend.genesis().chain_id);
  EXPECT_EQ(bundle->lot_id(), "pack-1");
  EXPECT_EQ(bundle->format(), v1::PROOF_FORMAT_BLOCK_TABLE);
  const core::ValidatorSet validators = backend.Validators();
  std::map<uint64_t, v1::BlockHeader> headers;
  uint64_t previous_height = 0;
  for (const v1::ProofBlock& row : bundle->blocks()) {
    v1::BlockHeader header;
    ASSERT_TRUE(header.ParseFromString(row.header()));
    EXPECT_EQ(header.height(), row.height());
    EXPECT_LT(previous_height, row.height());  // ascending, one row per height
    previous_height = row.height();
    core::Status certified = core::VerifyCommitCertificate(
        validators, row.certificate(), {header.height(), core::Sha256(row.header())});
    EXPECT_TRUE(certified.ok()) << certified.ToString();
    headers[row.height()] = header;
  }
  std::set<uint64_t> used;
  std::pair<uint64_t, uint32_t> previous{0, 0};
  for (const v1::TxInclusion& inclusion : bundle->txs()) {
    EXPECT_TRUE(inclusion.inline_header().empty());
    EXPECT_FALSE(inclusion.has_inline_certificate());
    ASSERT_EQ(headers.count(inclusion.height()), 1u);
    used.insert(inclusion.height());
    const v1::BlockHeader& header = headers[inclusion.height()];
    std::vector<std::string> tx_path(inclusion.tx_path().begin(), inclusion.tx_path().end());
    EXPECT_TRUE(core::VerifyMerkleInclusion(core::MerkleLeafHash(inclusion.signed_tx()),
                                            inclusion.index(), header.tx_count(), tx_path,
                                            header.tx_root()));
    std::vector<std::string> result_path(inclusion.result_path().begin(),
                                         inclusion.result_path().end());
    EXPECT_TRUE(core::VerifyMerkleInclusion(core::MerkleLeafHash(inclusion.result()),
                                            inclusion.index(), header.tx_count(), result_path,
                                            header.results_root()));
    v1::TxResult result;
    ASSERT_TRUE(result.ParseFromString(inclusion.result()));
    EXPECT_EQ(result.code(), v1::TX_CODE_OK);
    EXPECT_EQ(result.tx_hash(), core::TxHash(inclusion.signed_tx()));
    std::pair<uint64_t, uint32_t> position{header.height(), inclusion.index()};
    EXPECT_LT(previous, position);  // sorted by (height, index), no duplicates
    previous = position;
  }
  EXPECT_EQ(used.size(), headers.size());  // no table block without an entry
}

// StreamLotProof's fragments, concatenated, parse to exactly BuildLotProof's bundle, whatever
// the fragment size (the bytes differ only in field order: a fragment's entries come before its
// table rows); the first fragment carries the bundle's identity.
TEST_F(ProofBuilderTest, StreamedFragmentsConcatenateToTheBundle) {
  auto bundle = Build("pack-1");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  const std::string whole = bundle->SerializeAsString();
  for (size_t fragment_bytes : {size_t{1}, size_t{600}, size_t{4096}, kProofFragmentBytes}) {
    auto snapshot = backend.store().Snapshot();
    std::string concatenated;
    std::vector<v1::ProofBundle> fragments;
    core::Status status = StreamLotProof(
        backend.store(), *snapshot, "pack-1", {}, fragment_bytes,
        [&](v1::ProofBundle& fragment) {
          concatenated += fragment.SerializeAsString();
          fragments.push_back(fragment);
          return core::Status::Ok();
        });
    ASSERT_TRUE(status.ok()) << status.ToString();
    v1::ProofBundle parsed;
    ASSERT_TRUE(parsed.ParseFromString(concatenated));
    EXPECT_EQ(parsed.SerializeAsString(), whole) << fragment_bytes;
    ASSERT_FALSE(fragments.empty());
    EXPECT_EQ(fragments.front().lot_id(), "pack-1");
    if (fragment_bytes == 1) {  // one entry each, then the anchor on its own
      EXPECT_EQ(fragments.size(), static_cast<size_t>(bundle->txs_size()) + 1);
      EXPECT_TRUE(fragments.back().has_anchor());
      EXPECT_EQ(fragments.back().txs_size(), 0);
    }
    if (fragment_bytes == kProofFragmentBytes) {
      EXPECT_EQ(fragments.size(), 1u);
    }
  }
  // A sink error stops the stream and is returned as is.
  auto snapshot = backend.store().Snapshot();
  int calls = 0;
  core::Status stopped = StreamLotProof(backend.store(), *snapshot, "pack-1", {}, 1,
                                        [&](v1::ProofBundle&) {
                                          calls += 1;
                                          return core::Status("CANCELLED", "client went away");
                                        });
  EXPECT_EQ(stopped.code(), "CANCELLED");
  EXPECT_EQ(calls, 1);
  // The byte limit counts the whole stream, not one fragment.
  snapshot = backend.store().Snapshot();
  EXPECT_EQ(StreamLotProof(backend.store(), *snapshot, "pack-1", {.bytes_max = 2000}, 600,
                           [](v1::ProofBundle&) { return core::Status::Ok(); })
                .code(),
            "PROOF_TOO_LARGE");
}

// The bundle holds every event tx of the lot and its ancestors, the four facility
// registrations, both audits of the refinery and the open flag: 10 + 4 + 2 + 1 transactions.
TEST_F(ProofBuilderTest, CoversUpstreamHistoryAuditsAndFlags) {
  auto bundle = Build("pack-1");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  std::set<std::string> hashes;
  std::multiset<std::string> kinds;
  for (const v1::TxInclusion& inclusion : bundle->txs()) {
    hashes.insert(core::TxHash(inclusion.signed_tx()));
    v1::SignedTx envelope;
    v1::TxBody body;
    ASSERT_TRUE(envelope.ParseFromString(inclusion.signed_tx()));
    ASSERT_TRUE(body.ParseFromString(envelope.body()));
    kinds.insert(std::string(body.GetDescriptor()->FindFieldByNumber(body.event_case())->name()));
  }
  auto snapshot = backend.store().Snapshot();
  for (const char* lot : {"pack-1", "co-sulphate", "co-ore", "ni-ore"}) {
    auto history = core::QueryLotHistory(*snapshot, lot);
    ASSERT_TRUE(history.ok());
    for (const auto& event : history->events()) EXPECT_EQ(hashes.count(event.tx_hash()), 1u);
  }
  EXPECT_EQ(bundle->txs_size(), 17);
  EXPECT_EQ(kinds.count("register_facility"), 4u);
  EXPECT_EQ(kinds.count("record_audit"), 2u);
  EXPECT_EQ(kinds.count("raise_risk_flag"), 1u);
  EXPECT_EQ(kinds.count("transform"), 2u);
}

// An origin lot's proof also carries the co-inputs of the transform that consumed it: ni-ore
// went into the pack together with co-sulphate, so co-sulphate and its ancestor co-ore are in
// the set (the same 17 transactions as the pack's proof), but nothing else downstream.
TEST_F(ProofBuilderTest, OriginLotProofCarriesCoInputs) {
  auto bundle = Build("ni-ore");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  EXPECT_EQ(bundle->txs_size(), 17);
  EXPECT_EQ(Build("co-sulphate", {.lots_max = 2}).status().code(), "PROOF_TOO_LARGE");
  EXPECT_TRUE(Build("co-ore", {.lots_max = 1}).ok());  // its only transform had one input
}

// The offline verifier (core::VerifyProofBundle) accepts the bundles: it replays them from the
// genesis state through the custody rules and recomputes the lot the store holds.
TEST_F(ProofBuilderTest, OfflineVerifierAcceptsBundles) {
  auto snapshot = backend.store().Snapshot();
  for (const char* lot : {"pack-1", "co-sulphate", "ni-ore"}) {
    auto bundle = Build(lot);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    core::ProofReport report = core::VerifyProofBundle(backend.genesis(), *bundle);
    for (const auto& failure : report.failures) {
      ADD_FAILURE() << lot << ": " << failure.check << " at " << failure.tx_index << ": "
                    << failure.message;
    }
    auto stored = core::QueryLot(*snapshot, lot);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(report.lot.SerializeAsString(), stored->SerializeAsString()) << lot;
  }
}

// Co-input closure: an ancestor (co-ore-2) that was partly consumed together with a lot outside
// the ancestry (ni-ore-2, into mix-1) before feeding the lot: the proof carries ni-ore-2's
// history too, so the verifier can replay that transform, and the bundle verifies.
TEST_F(ProofBuilderTest, IncludesCoInputsOfAncestorTransforms) {
  using lotchain::testing::Element;
  using lotchain::testing::Produce;
  TxFactory tx{backend};
  ExpectApplied(backend.CommitBlock({tx.Origin("miner", "co-ore-2", "mine-co", v1::ELEMENT_CO),
                                     tx.Origin("miner2", "ni-ore-2", "mine-ni", v1::ELEMENT_NI)}));
  ExpectApplied(backend.CommitBlock({tx.Offer("miner", "co-ore-2", "refiner"),
                                     tx.Offer("miner2", "ni-ore-2", "refiner")}));
  ExpectApplied(backend.CommitBlock({tx.Accept("refiner", "co-ore-2"),
                                     tx.Accept("refiner", "ni-ore-2")}));
  ExpectApplied(backend.CommitBlock({tx.Transform(
      "refiner", "ref-co", v1::PROCESS_KIND_REFINING, {{"co-ore-2", 400'000}, {"ni-ore-2", 1'000'000}},
      {Produce("mix-1", 600'000, {Element(v1::ELEMENT_CO, 50'000), Element(v1::ELEMENT_NI, 150'000)})})}));
  ExpectApplied(backend.CommitBlock({tx.Transform(
      "refiner", "ref-co", v1::PROCESS_KIND_REFINING, {{"co-ore-2", 600'000}},
      {Produce("co-sulphate-2", 300'000, {Element(v1::ELEMENT_CO, 100'000)})})}));
  auto bundle = Build("co-sulphate-2");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  auto snapshot = backend.store().Snapshot();
  auto ni_history = core::QueryLotHistory(*snapshot, "ni-ore-2");
  ASSERT_TRUE(ni_history.ok());
  std::set<std::string> hashes;
  for (const auto& inclusion : bundle->txs()) hashes.insert(core::TxHash(inclusion.signed_tx()));
  for (const auto& event : ni_history->events()) EXPECT_EQ(hashes.count(event.tx_hash()), 1u);
  core::ProofReport report = core::VerifyProofBundle(backend.genesis(), *bundle);
  for (const auto& failure : report.failures) {
    ADD_FAILURE() << failure.check << " at " << failure.tx_index << ": " << failure.message;
  }
  EXPECT_TRUE(report.ok);
}

// Unknown lots are NOT_FOUND, malformed ids INVALID_ARGUMENT.
TEST_F(ProofBuilderTest, RefusesUnknownAndMalformedLots) {
  EXPECT_EQ(Build("ghost").status().code(), "NOT_FOUND");
  EXPECT_EQ(Build("not a valid id").status().code(), "INVALID_ARGUMENT");
}

// Every limit (lots in the DAG, transactions, bytes) refuses with PROOF_TOO_LARGE instead of
// returning a truncated proof.
TEST_F(ProofBuilderTest, LimitsRefuseInsteadOfTruncating) {
  EXPECT_EQ(Build("pack-1", {.lots_max = 3}).status().code(), "PROOF_TOO_LARGE");
  EXPECT_EQ(Build("pack-1", {.txs_max = 16}).status().code(), "PROOF_TOO_LARGE");
  EXPECT_EQ(Build("pack-1", {.bytes_max = 2000}).status().code(), "PROOF_TOO_LARGE");
  EXPECT_TRUE(Build("pack-1", {.lots_max = 4, .txs_max = 17}).ok());
}

}  // namespace
}  // namespace lotchain::node::testing
