// The auditor's offline proof verifier (issue #5): an honest bundle of a real, certified chain
// verifies and reproduces the node's figures; every kind of tampering is rejected with the
// right check name; random byte flips never crash it and never pass unnoticed.
#include "consensus/core/proof_verify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/merkle.h"
#include "consensus/core/queries.h"
#include "tests/unit/core/proof_verify_test_fixture.h"

namespace lotchain::testing {
namespace {

TEST_F(ProofVerifyTest, HonestBundleVerifiesAndReproducesTheNodesFigures) {
  // Property: the bundle of a real certified chain passes every check, and the lot and roll-up
  // recomputed offline equal what the node's full state answers.
  ProofReport report = core::VerifyProofBundle(genesis(), Bundle());
  ASSERT_TRUE(report.ok) << Describe(report);
  EXPECT_EQ(report.txs_checked, static_cast<size_t>(Bundle().txs_size()));
  EXPECT_EQ(report.txs_replayed, static_cast<size_t>(Bundle().txs_size()));
  EXPECT_EQ(report.height_max, chain_->height());
  EXPECT_GT(report.blocks, 5u);
  auto trace = core::QueryTrace(chain_->state(), PackChainIds::kPack,
                                v1::TRACE_DIRECTION_UPSTREAM, 0);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(report.lot.SerializeAsString(), trace->nodes(0).lot().SerializeAsString());
  EXPECT_EQ(report.roll_up.SerializeAsString(), trace->roll_up().SerializeAsString());
  EXPECT_TRUE(report.lot.has_battery());
  EXPECT_EQ(report.roll_up.open_flags(), 1u);
  EXPECT_EQ(report.roll_up.facilities_not_conformant(), 0u);
  ASSERT_EQ(report.roll_up.origin_countries_size(), 2);
  EXPECT_GT(report.roll_up.co2e_mg_per_kwh(), 0u);
}

// Progress is reported per stage, in order, never beyond a stage's total.
TEST_F(ProofVerifyTest, ProgressFollowsTheStages) {
  std::vector<std::string> stages;
  core::ProofVerifyOptions options;
  options.progress = [&stages](std::string_view stage, size_t done, size_t total) {
    EXPECT_LE(done, total);
    if (stages.empty() || stages.back() != stage) stages.emplace_back(stage);
  };
  ASSERT_TRUE(core::VerifyProofBundle(genesis(), Bundle(), options).ok);
  EXPECT_EQ(stages, (std::vector<std::string>{"checking block certificates",
                                              "checking inclusion proofs",
                                              "replaying the custody rules",
                                              "recomputing the figures", "checking completeness"}));
}

TEST_F(ProofVerifyTest, BundleSurvivesSerialization) {
  // Property: what `proof export` writes (the encoding) verifies the same as the message.
  ProofReport report = core::VerifyProofBundleBytes(genesis(), Bundle().SerializeAsString());
  EXPECT_TRUE(report.ok) << Describe(report);
}

TEST_F(ProofVerifyTest, FlippedTxSignatureIsRejected) {
  // Property: a signature byte flipped in a SignedTx changes the certified leaf, so the entry
  // fails tx_inclusion (and its result no longer names it); it is not replayed.
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  ASSERT_GE(at, 0);
  v1::SignedTx envelope;
  ASSERT_TRUE(envelope.ParseFromString(bundle.txs(at).signed_tx()));
  envelope.mutable_signature()->at(10) ^= 0x01;
  bundle.mutable_txs(at)->set_signed_tx(envelope.SerializeAsString());
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kTxInclusion, at);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kResultOk, at));
  EXPECT_EQ(report.txs_checked + 1, static_cast<size_t>(bundle.txs_size()));
}

TEST_F(ProofVerifyTest, ChangedMassInBodyIsRejected) {
  // Property: re-encoding a body with a larger consumed mass (even re-signed by the right key)
  // yields a transaction the chain never certified: tx_inclusion.
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  ASSERT_GE(at, 0);
  v1::SignedTx envelope;
  v1::TxBody body;
  ASSERT_TRUE(envelope.ParseFromString(bundle.txs(at).signed_tx()));
  ASSERT_TRUE(body.ParseFromString(envelope.body()));
  body.mutable_transform()->mutable_outputs(0)->set_mass_grams(700'000);
  envelope.set_body(body.SerializeAsString());
  auto key = core::SecretKey::FromSeed(SeedFor("oem"));
  envelope.set_signature(key->Sign(core::kTxDomain, genesis().chain_id, envelope.body()));
  bundle.mutable_txs(at)->set_signed_tx(envelope.SerializeAsString());
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kTxInclusion, at);
}

TEST_F(ProofVerifyTest, ForgedVoteSignatureIsRejected) {
  // Property: one precommit's signature byte flipped in the table makes the block's certificate
  // fail, once for the block (check "certificate"), and its entries are not replayed.
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  const int block = BlockOf(bundle, at);
  bundle.mutable_blocks(block)->mutable_certificate()->mutable_precommits(2)->mutable_signature()->at(
      5) ^= 0x40;
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kCertificate, block);
  EXPECT_LT(report.txs_checked, static_cast<size_t>(bundle.txs_size()));
  EXPECT_NE(report.failures[0].message.find("BAD_SIGNATURE"), std::string::npos);
}

TEST_F(ProofVerifyTest, VotesBelowQuorumAreRejected) {
  // Property: with 4 validators the quorum is 3; a certificate with 2 precommits fails, and a
  // vote repeated to reach 3 is caught as a duplicate signer.
  v1::ProofBundle bundle = Bundle();
  const int block = BlockOf(bundle, PackTransform(bundle));
  auto* precommits = bundle.mutable_blocks(block)->mutable_certificate()->mutable_precommits();
  precommits->DeleteSubrange(2, 2);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kCertificate, block);
  EXPECT_NE(report.failures[0].message.find("need 3"), std::string::npos) << Describe(report);

  *precommits->Add() = precommits->Get(0);
  report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kCertificate, block);
  EXPECT_NE(report.failures[0].message.find("duplicate"), std::string::npos) << Describe(report);
}

TEST_F(ProofVerifyTest, FlippedMerkleSiblingIsRejected) {
  // Property: any audit-path byte changed breaks the path to the certified root: a tx path
  // sibling gives tx_inclusion, a result path sibling result_inclusion.
  v1::ProofBundle bundle = Bundle();
  const int at =
      PositionWhere(bundle, [](const v1::TxBody& b) { return b.has_register_battery(); });
  ASSERT_GE(at, 0);
  ASSERT_GT(bundle.txs(at).tx_path_size(), 0);
  bundle.mutable_txs(at)->mutable_tx_path(0)->at(31) ^= 0x01;
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kTxInclusion, at);

  bundle = Bundle();
  bundle.mutable_txs(at)->mutable_result_path(0)->at(0) ^= 0x20;
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kResultInclusion,
              at);

  bundle = Bundle();
  bundle.mutable_txs(at)->mutable_tx_path(0)->pop_back();  // a 31-byte sibling: invalid, no crash
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kTxInclusion, at);

  bundle = Bundle();
  bundle.mutable_txs(at)->set_index(bundle.txs(at).index() + 1);
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kTxInclusion, at);
}

TEST_F(ProofVerifyTest, FlippedHeaderByteIsRejected) {
  // Property: a table header changed anywhere (here a state_root byte, which keeps it parseable
  // and its Merkle roots intact) no longer hashes to the certified block: "certificate" at the
  // table row; its entries' paths still lead to the (unchanged) roots.
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  const int block = BlockOf(bundle, at);
  v1::BlockHeader header;
  ASSERT_TRUE(header.ParseFromString(bundle.blocks(block).header()));
  std::string bytes = bundle.blocks(block).header();
  const size_t offset = bytes.find(header.state_root());
  ASSERT_NE(offset, std::string::npos);
  bytes[offset + 3] = static_cast<char>(bytes[offset + 3] ^ 0x01);
  bundle.mutable_blocks(block)->set_header(bytes);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirstBlock(report, core::proof_checks::kCertificate, block);
  EXPECT_FALSE(HasFailure(report, core::proof_checks::kTxInclusion, at));
}

TEST_F(ProofVerifyTest, ResultSwappedToRejectedIsRejected) {
  // Property: re-encoding an entry's result as REJECTED breaks its path to results_root; and a
  // genuinely rejected, certified transaction slipped into the bundle fails "result_ok".
  v1::ProofBundle bundle = Bundle();
  const int at = PackTransform(bundle);
  v1::TxResult result;
  ASSERT_TRUE(result.ParseFromString(bundle.txs(at).result()));
  result.set_code(v1::TX_CODE_REJECTED);
  result.set_reason(core::codes::kNotCustodian);
  bundle.mutable_txs(at)->set_result(result.SerializeAsString());
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kResultInclusion,
              at);

  bundle = Bundle();
  v1::ProofBundle with_rejected;
  with_rejected.set_chain_id(bundle.chain_id());
  with_rejected.set_genesis_hash(bundle.genesis_hash());
  with_rejected.set_lot_id(bundle.lot_id());
  with_rejected.set_format(bundle.format());
  *with_rejected.mutable_blocks() = bundle.blocks();
  *with_rejected.mutable_anchor() = bundle.anchor();
  EnsureBlock(with_rejected, chain_->TableBlock(facts_.rejected_height));
  int rejected_at = -1;
  for (const auto& inclusion : bundle.txs()) {
    if (rejected_at < 0 && (inclusion.height() > facts_.rejected_height ||
                            (inclusion.height() == facts_.rejected_height &&
                             inclusion.index() > facts_.rejected_index))) {
      rejected_at = with_rejected.txs_size();
      *with_rejected.add_txs() = chain_->Inclusion(facts_.rejected_height, facts_.rejected_index);
    }
    *with_rejected.add_txs() = inclusion;
  }
  ASSERT_GE(rejected_at, 0);
  ProofReport report = core::VerifyProofBundle(genesis(), with_rejected);
  ExpectFirst(report, core::proof_checks::kResultOk, rejected_at);
  EXPECT_NE(report.failures[0].message.find("NOT_CUSTODIAN"), std::string::npos);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);
}

TEST_F(ProofVerifyTest, RemovedAncestorTxIsRejected) {
  // Property: leaving out an event in the middle of an ancestor's history breaks the replay:
  // without the refining of co-ore, co-ore's later consumption names a stale event (hash_link)
  // and co-sulphate never exists (lot_missing); without co-ore's acceptance the refiner is not
  // its custodian (custody).
  v1::ProofBundle bundle = Bundle();
  const int refine = PositionWhere(bundle, [](const v1::TxBody& b) {
    return b.has_transform() && b.transform().outputs(0).lot_id() == "co-sulphate";
  });
  const int scrap = PositionWhere(bundle, [](const v1::TxBody& b) {
    return b.has_transform() && b.transform().outputs(0).lot_id() == "co-scrap";
  });
  ASSERT_GE(refine, 0);
  ASSERT_GT(scrap, refine);
  RemoveEntry(bundle, refine);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kHashLink, scrap - 1)) << Describe(report);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kLotMissing, refine)) << Describe(report);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kLotMissing, -1)) << Describe(report);

  bundle = Bundle();
  const int accept = PositionWhere(bundle, [](const v1::TxBody& b) {
    return b.has_accept_transfer() && b.accept_transfer().lot_id() == "co-ore";
  });
  RemoveEntry(bundle, accept);
  report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kCustody, refine - 1);
  EXPECT_NE(report.failures[0].message.find("NOT_CUSTODIAN"), std::string::npos);
}

TEST_F(ProofVerifyTest, MissingFacilityRegistrationIsRejected) {
  // Property: a bundle without the registration of a facility on the path cannot be replayed:
  // facility_missing at the first event that names it.
  v1::ProofBundle bundle = Bundle();
  const int registration = PositionWhere(bundle, [](const v1::TxBody& b) {
    return b.has_register_facility() && b.register_facility().facility_id() == "pack-plant";
  });
  ASSERT_GE(registration, 0);
  RemoveEntry(bundle, registration);
  const int pack = PackTransform(bundle);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kFacilityMissing, pack);
}

TEST_F(ProofVerifyTest, OutsideCoInputNeedsItsHistory) {
  // Property: an ancestor consumed together with a lot outside the ancestry (co-ore with
  // other-ore into co-scrap) can only be replayed if the bundle carries the outside lot's
  // history (docs/PROOF-VERIFY.md "Bundle contents", co-input closure); without it: lot_missing,
  // and the anchor shows co-ore's history is incomplete.
  v1::ProofBundle bundle = Bundle();
  v1::ProofBundle trimmed = bundle;
  trimmed.clear_txs();
  for (const auto& inclusion : bundle.txs()) {
    v1::SignedTx envelope;
    v1::TxBody body;
    ASSERT_TRUE(envelope.ParseFromString(inclusion.signed_tx()));
    ASSERT_TRUE(body.ParseFromString(envelope.body()));
    if (body.create_origin_lot().lot_id() == PackChainIds::kOutsideLot ||
        body.offer_transfer().lot_id() == PackChainIds::kOutsideLot ||
        body.accept_transfer().lot_id() == PackChainIds::kOutsideLot) {
      continue;
    }
    *trimmed.add_txs() = inclusion;
  }
  DropUnusedBlocks(trimmed);
  ASSERT_EQ(trimmed.txs_size() + 3, bundle.txs_size());
  ProofReport report = core::VerifyProofBundle(genesis(), trimmed);
  ASSERT_EQ(report.failures.size(), 2u) << Describe(report);
  EXPECT_EQ(report.failures[0].check, core::proof_checks::kLotMissing);
  EXPECT_EQ(report.failures[0].tx_index, trimmed.txs_size() - 1);
  EXPECT_EQ(report.failures[1].check, core::proof_checks::kIncomplete);
  EXPECT_NE(report.failures[1].message.find("lot \"co-ore\" has 5 events"), std::string::npos);
}

TEST_F(ProofVerifyTest, ByzantineQuorumCannotCertifyRuleBreakingTx) {
  // Property: even a block certified by every validator cannot make the auditor accept a
  // transaction the custody rules refuse: the replay names the broken rule — a forged
  // signature ("signature"), a miner registering a refinery ("signer_role"), a pack transform
  // creating cobalt ("mass_balance"), a stale prev_event_hash ("hash_link").
  struct Case {
    std::string signed_tx;
    std::string_view check;
  };
  std::vector<Case> cases;
  {
    v1::TxBody body;
    body.mutable_retire()->set_lot_id("pack-1");
    body.mutable_retire()->set_prev_event_hash(chain_->LastEvent("pack-1"));
    v1::SignedTx envelope;
    ASSERT_TRUE(envelope.ParseFromString(chain_->Sign("oem", body)));
    envelope.set_signer(core::SecretKey::FromSeed(SeedFor("cell"))->PublicKey());
    cases.push_back({envelope.SerializeAsString(), core::proof_checks::kSignature});
  }
  {
    v1::TxBody body;
    body.mutable_register_facility()->set_facility_id("fake-refinery");
    body.mutable_register_facility()->set_kind(v1::FACILITY_KIND_REFINERY);
    body.mutable_register_facility()->set_country("CD");
    body.mutable_register_facility()->set_name("fake");
    cases.push_back({chain_->Sign("miner", body), core::proof_checks::kSignerRole});
  }
  {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id("pack-plant");
    t->set_process(v1::PROCESS_KIND_PACK);
    *t->add_inputs() = Consume("pack-1", chain_->LastEvent("pack-1"), 600'000);
    *t->add_outputs() = Produce("pack-2", 600'000, {Element(v1::ELEMENT_CO, 400'000)});
    cases.push_back({chain_->Sign("oem", body), core::proof_checks::kMassBalance});
  }
  {
    v1::TxBody body;
    body.mutable_retire()->set_lot_id("pack-1");
    body.mutable_retire()->set_prev_event_hash(std::string(32, '\x07'));
    cases.push_back({chain_->Sign("oem", body), core::proof_checks::kHashLink});
  }
  for (const Case& c : cases) {
    v1::ProofBundle bundle = Bundle();
    AddForgedInclusion(*chain_, c.signed_tx, bundle);
    ProofReport report = core::VerifyProofBundle(genesis(), bundle);
    ExpectFirst(report, c.check, bundle.txs_size() - 1);
    EXPECT_EQ(report.failures.size(), 1u) << Describe(report);
    EXPECT_EQ(report.txs_checked, static_cast<size_t>(bundle.txs_size()));
  }
}

TEST_F(ProofVerifyTest, WrongGenesisIsRejected) {
  // Property: a bundle checked against another consortium's genesis (another chain id, or the
  // same chain id with other validators) fails with one "genesis" failure that names both
  // chains and both hashes, and nothing else is checked: later failures would not be the
  // bundle's fault.
  auto other_chain = core::ParseGenesis(GenesisJson(DefaultMembers(), 4, "lotchain-other"));
  ASSERT_TRUE(other_chain.ok());
  ProofReport report = core::VerifyProofBundle(*other_chain, Bundle());
  ExpectFirst(report, core::proof_checks::kGenesis, -1);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);

  auto other_validators = core::ParseGenesis(GenesisJson(DefaultMembers(), 7));
  ASSERT_TRUE(other_validators.ok());
  report = core::VerifyProofBundle(*other_validators, Bundle());
  ExpectFirst(report, core::proof_checks::kGenesis, -1);
  ASSERT_EQ(report.failures.size(), 1u) << Describe(report);
  const std::string& message = report.failures[0].message;
  EXPECT_NE(message.find(core::ToHex(genesis().hash)), std::string::npos) << message;
  EXPECT_NE(message.find(core::ToHex(other_validators->hash)), std::string::npos) << message;
  EXPECT_NE(message.find("lotchain genesis hash"), std::string::npos) << message;

  // The genesis re-saved with other whitespace and key order is the same chain.
  nlohmann::json doc = nlohmann::json::parse(GenesisJson(DefaultMembers(), 4));
  auto resaved = core::ParseGenesis(doc.dump(4) + "\n");
  ASSERT_TRUE(resaved.ok());
  EXPECT_TRUE(core::VerifyProofBundle(*resaved, Bundle()).ok);

  // Same validators, bundle relabelled to another genesis (one field changed): the header of
  // block 1 still hangs from the real genesis hash.
  doc["genesis_time_unix_ms"] = doc["genesis_time_unix_ms"].get<int64_t>() + 1;
  auto renamed = core::ParseGenesis(doc.dump());
  ASSERT_TRUE(renamed.ok());
  ASSERT_NE(renamed->hash, genesis().hash);
  v1::ProofBundle bundle = Bundle();
  bundle.set_genesis_hash(renamed->hash);
  report = core::VerifyProofBundle(*renamed, bundle);
  ExpectFirstBlock(report, core::proof_checks::kGenesis, 0);
}

TEST_F(ProofVerifyTest, DisorderedOrDuplicatedEntriesAreRejected) {
  // Property: entries must be strictly ascending by (height, index): a swapped pair and a
  // duplicated entry are each reported as "order".
  v1::ProofBundle bundle = Bundle();
  bundle.mutable_txs()->SwapElements(3, 4);
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kOrder, 4);

  bundle = Bundle();
  *bundle.add_txs() = bundle.txs(bundle.txs_size() - 1);
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kOrder, bundle.txs_size() - 1);
  EXPECT_EQ(report.failures.size(), 1u) << Describe(report);
}

TEST_F(ProofVerifyTest, MalformedBundlesAreRejectedWithoutCrashing) {
  // Property: undecodable bytes, an empty bundle, a bad lot id, a lot the bundle never creates
  // and entries with garbage headers are each reported, never asserted on.
  EXPECT_EQ(core::VerifyProofBundleBytes(genesis(), "\xff\xff\xff").failures.at(0).check,
            core::proof_checks::kBundle);
  v1::ProofBundle bundle = Bundle();
  bundle.clear_txs();
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kBundle, -1);

  bundle = Bundle();
  bundle.set_lot_id("bad id with spaces");
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kBundle, -1);

  bundle = Bundle();
  bundle.set_lot_id("no-such-lot");
  ExpectFirst(core::VerifyProofBundle(genesis(), bundle), core::proof_checks::kLotMissing, -1);

  bundle = Bundle();
  const int last = bundle.txs_size() - 1;
  ASSERT_GT(BlockOf(bundle, last), 2);
  bundle.mutable_blocks(0)->set_header("\x08");
  bundle.mutable_txs(last)->set_signed_tx("");
  bundle.mutable_blocks(2)->clear_certificate();
  ProofReport report = core::VerifyProofBundle(genesis(), bundle);
  EXPECT_TRUE(HasBlockFailure(report, core::proof_checks::kHeader, 0)) << Describe(report);
  EXPECT_TRUE(HasFailure(report, core::proof_checks::kTxInclusion, last)) << Describe(report);
  EXPECT_TRUE(HasBlockFailure(report, core::proof_checks::kCertificate, 2)) << Describe(report);

  bundle = Bundle();
  bundle.clear_blocks();  // entries without a table
  report = core::VerifyProofBundle(genesis(), bundle);
  ExpectFirst(report, core::proof_checks::kBlockMissing, 0);
}

TEST_F(ProofVerifyTest, RandomByteFlipsNeverCrashOrPassUnnoticed) {
  // Property (seeded, 300 single-byte flips of the encoded bundle): the verifier never crashes;
  // when it still says ok, the flip was semantically neutral — it recomputes exactly the
  // original lot and roll-up, or the flip renamed the bundle's lot to another lot the bundle
  // proves (a valid proof of that lot).
  const std::string bytes = Bundle().SerializeAsString();
  ProofReport honest = core::VerifyProofBundle(genesis(), Bundle());
  ASSERT_TRUE(honest.ok);
  std::mt19937_64 prng(20260105);
  size_t rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string flipped = bytes;
    const size_t offset = static_cast<size_t>(prng() % flipped.size());
    const auto mask = static_cast<unsigned char>(1u << (prng() % 8));
    flipped[offset] = static_cast<char>(static_cast<unsigned char>(flipped[offset]) ^ mask);
    ProofReport report = core::VerifyProofBundleBytes(genesis(), flipped);
    if (!report.ok) {
      rejected += 1;
      continue;
    }
    v1::ProofBundle parsed;
    ASSERT_TRUE(parsed.ParseFromString(flipped));
    if (parsed.lot_id() != Bundle().lot_id()) {
      EXPECT_EQ(report.lot.lot_id(), parsed.lot_id()) << "offset " << offset;
      continue;
    }
    EXPECT_EQ(report.lot.SerializeAsString(), honest.lot.SerializeAsString())
        << "offset " << offset;
    EXPECT_EQ(report.roll_up.SerializeAsString(), honest.roll_up.SerializeAsString())
        << "offset " << offset;
  }
  EXPECT_GT(rejected, 200u);
}

TEST(ProofCheckForCodeTest, MapsRejectionCodesToCheckNames) {
  // Property: the replay names failures by the stable check of the rule that refused them.
  namespace c = core::codes;
  namespace p = core::proof_checks;
  EXPECT_EQ(core::ProofCheckForCode(c::kBadSignature), p::kSignature);
  EXPECT_EQ(core::ProofCheckForCode(c::kRoleForbidden), p::kSignerRole);
  EXPECT_EQ(core::ProofCheckForCode(c::kUnknownSigner), p::kSignerRole);
  EXPECT_EQ(core::ProofCheckForCode(c::kStaleEvent), p::kHashLink);
  EXPECT_EQ(core::ProofCheckForCode(c::kElementMassIncreases), p::kMassBalance);
  EXPECT_EQ(core::ProofCheckForCode(c::kInsufficientMass), p::kMassBalance);
  EXPECT_EQ(core::ProofCheckForCode(c::kUnknownLot), p::kLotMissing);
  EXPECT_EQ(core::ProofCheckForCode(c::kNotCustodian), p::kCustody);
  EXPECT_EQ(core::ProofCheckForCode(c::kDuplicateLotId), p::kReplay);
}

}  // namespace
}  // namespace lotchain::testing
