// VALID means complete (issue 11 part 2, docs/PROOF-VERIFY.md "Completeness"): a bundle that
// leaves out anything the lot's figures depend on — an open risk flag, an audit, a battery
// event, the lot's latest events — fails, and so do a bundle of another lot relabelled, the
// union of two bundles, a stale bundle passed off as current and a forged anchor. The chain is
// the standard pack chain, extended after an old bundle was taken: a non-conformant audit of
// the refinery and a transfer of the pack.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/proof_verify.h"
#include "consensus/core/state_keys.h"
#include "tests/support/proof_fixture.h"

namespace lotchain::testing {
namespace {

using core::ProofReport;
namespace checks = core::proof_checks;

class ProofCompletenessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    chain_ = new ProofChain();
    BuildPackChain(*chain_);
    old_bundle_ = new v1::ProofBundle(chain_->BuildBundle(PackChainIds::kPack));
    old_height_ = chain_->height();
    // Later facts: the refinery's next audit finds it non-conformant; the pack changes hands.
    using namespace proof_txs;  // NOLINT(google-build-using-namespace)
    proof_txs::RequireOk({chain_->Submit(
        "auditor", Audit("rmi-2", "ref-co", v1::AUDIT_STATUS_NON_CONFORMANT,
                         chain_->time_unix_ms))});
    RequireOk({chain_->Submit("oem", Offer(*chain_, PackChainIds::kPack, "cell", 1'000))});
    RequireOk({chain_->Submit("cell", Accept(*chain_, PackChainIds::kPack))});
    RequireOk({chain_->Submit("miner", Origin("unrelated-ore", "mine-co", 5'000,
                                               Element(v1::ELEMENT_CO, 500), 10))});
    bundle_ = new v1::ProofBundle(chain_->BuildBundle(PackChainIds::kPack));
  }
  static void TearDownTestSuite() {
    delete bundle_;
    delete old_bundle_;
    delete chain_;
  }

  static ProofReport Verify(const v1::ProofBundle& bundle, uint64_t min_height = 0) {
    return core::VerifyProofBundle(chain_->genesis(), bundle, {.min_height = min_height, .progress = {}});
  }
  static std::string Describe(const ProofReport& report) {
    std::string out;
    for (const auto& f : report.failures) {
      out += "[" + std::to_string(f.tx_index) + "] " + f.check + ": " + f.message + "\n";
    }
    return out;
  }
  static bool Has(const ProofReport& report, std::string_view check, std::string_view words) {
    return std::any_of(report.failures.begin(), report.failures.end(), [&](const auto& f) {
      return f.check == check && f.message.find(words) != std::string::npos;
    });
  }
  // Every failure is one of `allowed` (the verdict names the omission, not a side effect).
  static bool OnlyChecks(const ProofReport& report, std::set<std::string_view> allowed) {
    return std::all_of(report.failures.begin(), report.failures.end(),
                       [&](const auto& f) { return allowed.count(f.check) != 0; });
  }
  static v1::TxBody BodyAt(const v1::ProofBundle& bundle, int at) {
    v1::SignedTx envelope;
    v1::TxBody body;
    EXPECT_TRUE(envelope.ParseFromString(bundle.txs(at).signed_tx()));
    EXPECT_TRUE(body.ParseFromString(envelope.body()));
    return body;
  }
  template <typename Match>
  static int Find(const v1::ProofBundle& bundle, Match match) {
    for (int i = 0; i < bundle.txs_size(); ++i) {
      if (match(BodyAt(bundle, i))) return i;
    }
    return -1;
  }
  static void Remove(v1::ProofBundle& bundle, int at) {
    ASSERT_GE(at, 0);
    bundle.mutable_txs()->DeleteSubrange(at, 1);
    DropUnusedBlocks(bundle);
  }
  // The anchor's keys without `dropped`: what a dishonest builder proves after leaving a fact out.
  static std::vector<std::string> KeysWithout(const v1::ProofBundle& bundle,
                                              const std::string& dropped) {
    std::vector<std::string> keys;
    for (const auto& proof : bundle.anchor().proofs()) {
      if (proof.key() != dropped) keys.push_back(proof.key());
    }
    return keys;
  }
  // The sorted union of two bundles' entries and blocks (one anchor: `a`'s).
  static v1::ProofBundle Union(const v1::ProofBundle& a, const v1::ProofBundle& b) {
    v1::ProofBundle out = a;
    for (const auto& row : b.blocks()) EnsureBlock(out, row);
    std::vector<v1::TxInclusion> txs(a.txs().begin(), a.txs().end());
    for (const auto& entry : b.txs()) {
      const bool known = std::any_of(txs.begin(), txs.end(), [&](const auto& e) {
        return e.height() == entry.height() && e.index() == entry.index();
      });
      if (!known) txs.push_back(entry);
    }
    std::sort(txs.begin(), txs.end(), [](const auto& x, const auto& y) {
      return std::pair(x.height(), x.index()) < std::pair(y.height(), y.index());
    });
    out.clear_txs();
    for (auto& entry : txs) *out.add_txs() = std::move(entry);
    return out;
  }

  static inline ProofChain* chain_ = nullptr;
  static inline v1::ProofBundle* bundle_ = nullptr;
  static inline v1::ProofBundle* old_bundle_ = nullptr;
  static inline uint64_t old_height_ = 0;
};

TEST_F(ProofCompletenessTest, HonestBundleIsValidAsOfTheTip) {
  ProofReport report = Verify(*bundle_, chain_->height());
  ASSERT_TRUE(report.ok) << Describe(report);
  EXPECT_EQ(report.anchor_height, chain_->height());
  EXPECT_EQ(report.anchor_time_unix_ms, chain_->time_unix_ms);
  EXPECT_EQ(report.lot.custodian_org(), "cell");
  EXPECT_EQ(report.roll_up.open_flags(), 1u);
}

TEST_F(ProofCompletenessTest, OldBundleIsValidAsOfItsOwnHeightAndStaleWhenNewerIsRequired) {
  // Property: an old bundle is honest about its age; an auditor who knows the chain has moved
  // on refuses it with "stale".
  ProofReport old_report = Verify(*old_bundle_);
  ASSERT_TRUE(old_report.ok) << Describe(old_report);
  EXPECT_EQ(old_report.anchor_height, old_height_);
  EXPECT_EQ(old_report.lot.custodian_org(), "oem");
  ProofReport stale = Verify(*old_bundle_, chain_->height());
  ASSERT_FALSE(stale.ok);
  EXPECT_TRUE(Has(stale, checks::kStale, "below the height")) << Describe(stale);
  EXPECT_TRUE(OnlyChecks(stale, {checks::kStale})) << Describe(stale);
}

TEST_F(ProofCompletenessTest, LeavingOutAnyEntryFails) {
  // Property: no single entry of an honest bundle can be dropped without the verdict failing,
  // even when the anchor is rebuilt to match (a dishonest node can sign nothing, but it can
  // choose which certified facts to send).
  for (int at = 0; at < bundle_->txs_size(); ++at) {
    v1::ProofBundle bundle = *bundle_;
    Remove(bundle, at);
    ProofReport report = Verify(bundle);
    EXPECT_FALSE(report.ok) << "dropping entry " << at << " went unnoticed";
  }
}

TEST_F(ProofCompletenessTest, DroppedOpenRiskFlagIsIncomplete) {
  v1::ProofBundle bundle = *bundle_;
  Remove(bundle, Find(bundle, [](const v1::TxBody& b) { return b.has_raise_risk_flag(); }));
  chain_->SetAnchor(bundle, chain_->height(), KeysWithout(bundle, core::keys::RiskFlag("flag-1")));
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "facility \"ref-co\" has 1 open risk flags"))
      << Describe(report);
  EXPECT_TRUE(OnlyChecks(report, {checks::kIncomplete})) << Describe(report);
}

TEST_F(ProofCompletenessTest, DroppedLaterNonConformantAuditIsIncomplete) {
  v1::ProofBundle bundle = *bundle_;
  Remove(bundle, Find(bundle, [](const v1::TxBody& b) {
           return b.has_record_audit() && b.record_audit().audit_id() == "rmi-2";
         }));
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "facility \"ref-co\" has 2 audits recorded"))
      << Describe(report);
  EXPECT_TRUE(OnlyChecks(report, {checks::kIncomplete})) << Describe(report);
}

TEST_F(ProofCompletenessTest, EveryDroppedAuditIsNamed) {
  // The conformant audit dated before the refining and the later non-conformant one alike.
  int audits = 0;
  for (int at = 0; at < bundle_->txs_size(); ++at) {
    if (!BodyAt(*bundle_, at).has_record_audit()) continue;
    audits += 1;
    v1::ProofBundle bundle = *bundle_;
    Remove(bundle, at);
    ProofReport report = Verify(bundle);
    EXPECT_TRUE(Has(report, checks::kIncomplete, "(an audit was left out)")) << Describe(report);
    EXPECT_TRUE(OnlyChecks(report, {checks::kIncomplete})) << Describe(report);
  }
  EXPECT_EQ(audits, 2);
}

TEST_F(ProofCompletenessTest, DroppedBatteryRegistrationIsIncomplete) {
  // In the old bundle the registration is the pack's last event, so no hash link breaks: only
  // the anchor shows it is missing (and with it the per-kWh figures).
  v1::ProofBundle bundle = *old_bundle_;
  Remove(bundle, Find(bundle, [](const v1::TxBody& b) { return b.has_register_battery(); }));
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_FALSE(report.lot.has_battery());
  EXPECT_TRUE(Has(report, checks::kIncomplete, "lot \"pack-1\" has")) << Describe(report);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "(events were left out)")) << Describe(report);
  EXPECT_TRUE(OnlyChecks(report, {checks::kIncomplete})) << Describe(report);
}

TEST_F(ProofCompletenessTest, LatestEventsCutOffUnderACurrentAnchorAreIncomplete) {
  // The old entries with a fresh anchor: the pack's transfer and the new audit are missing.
  v1::ProofBundle bundle = *old_bundle_;
  chain_->SetAnchor(bundle, chain_->height(), KeysWithout(bundle, ""));
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "lot \"pack-1\" has")) << Describe(report);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "(events were left out)")) << Describe(report);
  EXPECT_TRUE(Has(report, checks::kIncomplete, "audits recorded")) << Describe(report);
}

TEST_F(ProofCompletenessTest, DroppedAncestorHistoryIsIncomplete) {
  // Every event of other-ore (a co-input of co-ore's last refining) left out, and its proof too.
  v1::ProofBundle bundle = *bundle_;
  for (int at = bundle.txs_size() - 1; at >= 0; --at) {
    const v1::TxBody body = BodyAt(bundle, at);
    const bool touches = body.create_origin_lot().lot_id() == PackChainIds::kOutsideLot ||
                         body.offer_transfer().lot_id() == PackChainIds::kOutsideLot ||
                         body.accept_transfer().lot_id() == PackChainIds::kOutsideLot;
    if (touches) bundle.mutable_txs()->DeleteSubrange(at, 1);
  }
  DropUnusedBlocks(bundle);
  chain_->SetAnchor(bundle, chain_->height(),
                    KeysWithout(bundle, core::keys::Lot(PackChainIds::kOutsideLot)));
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_FALSE(report.failures.empty());
}

TEST_F(ProofCompletenessTest, RelabelledBundleHoldsExtraneousEntries) {
  // The pack's bundle presented as cell-1's: cell-1 is in it, but the pack's own events
  // (registration, transfer) are not part of cell-1's proof.
  v1::ProofBundle bundle = *bundle_;
  bundle.set_lot_id("cell-1");
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kExtraneous, "not part of the proof of lot \"cell-1\""))
      << Describe(report);
  // The same bundle named after a lot it does not hold fails on the lot itself.
  bundle.set_lot_id("no-such-lot");
  EXPECT_FALSE(Verify(bundle).ok);
}

TEST_F(ProofCompletenessTest, UnionOfTwoBundlesHoldsExtraneousEntries) {
  v1::ProofBundle other = chain_->BuildBundle("unrelated-ore");
  ASSERT_TRUE(Verify(other).ok) << Describe(Verify(other));
  ProofReport report = Verify(Union(*bundle_, other));
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kExtraneous, "two bundles merged")) << Describe(report);
  EXPECT_TRUE(OnlyChecks(report, {checks::kExtraneous})) << Describe(report);
}

TEST_F(ProofCompletenessTest, MissingAnchorFails) {
  v1::ProofBundle bundle = *bundle_;
  bundle.clear_anchor();
  DropUnusedBlocks(bundle);
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kAnchor, "has no anchor")) << Describe(report);
  EXPECT_EQ(report.anchor_height, 0u);
}

TEST_F(ProofCompletenessTest, AnchorAtAnUncertifiedHeightFails) {
  v1::ProofBundle bundle = *bundle_;
  bundle.mutable_anchor()->set_height(chain_->height() + 5);
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kAnchor, "not a certified block")) << Describe(report);
}

TEST_F(ProofCompletenessTest, EntryAboveTheAnchorFails) {
  // An old anchor with newer entries: the entries speak of heights the anchor cannot vouch for.
  v1::ProofBundle bundle = Union(*old_bundle_, *bundle_);
  ProofReport report = Verify(bundle);
  ASSERT_FALSE(report.ok);
  EXPECT_TRUE(Has(report, checks::kAnchor, "above the anchor height")) << Describe(report);
}

TEST_F(ProofCompletenessTest, TamperedAnchorProofsFail) {
  const std::string pack_key = core::keys::Lot(PackChainIds::kPack);
  auto proof_of = [&](v1::ProofBundle& bundle, const std::string& key) -> v1::StateProof* {
    for (auto& proof : *bundle.mutable_anchor()->mutable_proofs()) {
      if (proof.key() == key) return &proof;
    }
    return nullptr;
  };
  {  // A rosier committed value: the lot record with one event fewer.
    v1::ProofBundle bundle = *bundle_;
    v1::StateProof* proof = proof_of(bundle, pack_key);
    ASSERT_NE(proof, nullptr);
    v1::Lot lot;
    ASSERT_TRUE(lot.ParseFromString(proof->value()));
    lot.set_event_count(lot.event_count() - 1);
    proof->set_value(lot.SerializeAsString());
    ProofReport report = Verify(bundle);
    ASSERT_FALSE(report.ok);
    EXPECT_TRUE(Has(report, checks::kStateProof, "l/pack-1")) << Describe(report);
  }
  {  // The open flag claimed absent.
    v1::ProofBundle bundle = *bundle_;
    v1::StateProof* proof = proof_of(bundle, core::keys::RiskFlag("flag-1"));
    ASSERT_NE(proof, nullptr);
    proof->set_present(false);
    proof->clear_value();
    EXPECT_FALSE(Verify(bundle).ok);
  }
  {  // A sibling hash flipped.
    v1::ProofBundle bundle = *bundle_;
    v1::StateProof* proof = proof_of(bundle, pack_key);
    ASSERT_NE(proof, nullptr);
    ASSERT_GT(proof->steps_size(), 0);
    proof->mutable_steps(0)->mutable_sibling()->at(0) ^= 0x01;
    EXPECT_TRUE(Has(Verify(bundle), checks::kStateProof, "l/pack-1"));
  }
  {  // Proofs out of order (two bundles' anchors spliced).
    v1::ProofBundle bundle = *bundle_;
    auto* proofs = bundle.mutable_anchor()->mutable_proofs();
    ASSERT_GT(proofs->size(), 1);
    proofs->SwapElements(0, 1);
    EXPECT_TRUE(Has(Verify(bundle), checks::kStateProof, "not sorted"));
  }
}

}  // namespace
}  // namespace lotchain::testing
