// Offline proofs across validator-set changes (docs/GOVERNANCE.md, docs/PROOF-VERIFY.md): a
// lot whose history spans two changes verifies from the genesis file alone, the bundle carries
// every governance transaction, and leaving one out or forging the set is refused.
#include <gtest/gtest.h>

#include "consensus/core/proof_verify.h"
#include "consensus/core/state_keys.h"
#include "tests/support/proof_fixture.h"

namespace lotchain {
namespace {

using testing::ProofChain;
using namespace testing::proof_txs;

// Validators v0..v3 run by miner, refiner, cell and oem.
void Operators(nlohmann::json& g) {
  const char* orgs[] = {"miner", "refiner", "cell", "oem"};
  for (size_t i = 0; i < g["validators"].size(); ++i) g["validators"][i]["operator"] = orgs[i];
}

const char* const kEveryOrg[] = {"miner",     "miner2",    "refiner", "refiner2", "precursor",
                                 "cathode",   "cell",      "oem",     "recycler", "collector",
                                 "secondlife", "auditor",  "auditor2"};

// Proposes `change` as miner and has every other member approve, all in one block.
uint64_t Adopt(ProofChain& chain, const std::string& id, const v1::GovernanceChange& change) {
  std::vector<std::string> txs;
  v1::TxBody propose;
  propose.mutable_propose_change()->set_proposal_id(id);
  *propose.mutable_propose_change()->mutable_change() = change;
  txs.push_back(chain.Sign("miner", propose));
  for (const char* org : kEveryOrg) {
    if (std::string(org) == "miner") continue;
    v1::TxBody approve;
    approve.mutable_approve_proposal()->set_proposal_id(id);
    txs.push_back(chain.Sign(org, approve));
  }
  auto results = chain.SubmitBlock(txs);
  // Approvals after the adopting one are refused (PROPOSAL_DECIDED); the rest applied.
  EXPECT_EQ(results[0].code(), v1::TX_CODE_OK);
  return chain.height();
}

class ProofGovernanceTest : public ::testing::Test {
 protected:
  ProofGovernanceTest() : chain_(Operators) {
    RequireOk(chain_.SubmitBlock({chain_.Sign("miner", Facility("mine", v1::FACILITY_KIND_MINE, "CD"))}));
    v1::ElementMass co;
    co.set_element(v1::ELEMENT_CO);
    co.set_grams(100'000);
    RequireOk(chain_.SubmitBlock({chain_.Sign("miner", Origin("ore", "mine", 1'000'000, co, 5'000))}));
    v1::GovernanceChange add;
    auto* v4 = add.mutable_add_validator()->mutable_validator();
    v4->set_validator_id("v4");
    v4->set_public_key(core::SecretKey::FromSeed(testing::SeedFor("validator/v4"))->PublicKey());
    v4->set_address("127.0.0.1:26604");
    v4->set_operator_org("recycler");
    added_at_ = Adopt(chain_, "add-v4", add);
    RequireOk(chain_.SubmitBlock({chain_.Sign("miner", Offer(chain_, "ore", "refiner", 700))}));
    RequireOk(chain_.SubmitBlock({chain_.Sign("refiner", Accept(chain_, "ore"))}));
    v1::GovernanceChange remove;
    remove.mutable_remove_validator()->set_validator_id("v0");
    removed_at_ = Adopt(chain_, "remove-v0", remove);
    RequireOk(chain_.SubmitBlock({chain_.Sign("refiner", Offer(chain_, "ore", "cell", 300))}));
    RequireOk(chain_.SubmitBlock({chain_.Sign("cell", Accept(chain_, "ore"))}));
  }

  ProofChain chain_;
  uint64_t added_at_ = 0;
  uint64_t removed_at_ = 0;
};

TEST_F(ProofGovernanceTest, AHistoryAcrossTwoValidatorSetChangesVerifiesFromGenesisAlone) {
  // The chain really changed sets: 4, then 5 from added_at + 2, then 4 without v0.
  v1::BlockHeader late;
  ASSERT_TRUE(late.ParseFromString(chain_.Block(chain_.height()).block.header()));
  EXPECT_EQ(chain_.Block(chain_.height()).certificate.precommits_size(), 4);
  EXPECT_EQ(chain_.Block(added_at_ + 2).certificate.precommits_size(), 5);
  EXPECT_GE(chain_.height(), removed_at_ + 2);
  const v1::ProofBundle bundle = chain_.BuildBundle("ore");
  const core::ProofReport report = core::VerifyProofBundle(chain_.genesis(), bundle);
  for (const auto& f : report.failures) ADD_FAILURE() << f.check << ": " << f.message;
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.anchor_height, chain_.height());
}

TEST_F(ProofGovernanceTest, LeavingOutAGovernanceTransactionIsRefused) {
  const v1::ProofBundle full = chain_.BuildBundle("ore");
  int removed = 0;
  // Drop each governance transaction in turn: every such bundle must fail.
  for (int i = 0; i < full.txs_size(); ++i) {
    v1::SignedTx envelope;
    v1::TxBody body;
    ASSERT_TRUE(envelope.ParseFromString(full.txs(i).signed_tx()));
    ASSERT_TRUE(body.ParseFromString(envelope.body()));
    if (!body.has_propose_change() && !body.has_approve_proposal()) continue;
    v1::ProofBundle cut = full;
    cut.mutable_txs()->DeleteSubrange(i, 1);
    testing::DropUnusedBlocks(cut);
    const core::ProofReport report = core::VerifyProofBundle(chain_.genesis(), cut);
    EXPECT_FALSE(report.ok) << "bundle without tx " << i << " verified";
    ++removed;
  }
  EXPECT_GE(removed, 2 * 9);  // two proposals, each with its approvals up to the quorum
}

TEST_F(ProofGovernanceTest, AForgedValidatorSetIsRefused) {
  // A bundle whose late block is certified by the genesis set only (v0 included, v4 not):
  // the certificate does not match the set the governance history gives for that height.
  v1::ProofBundle bundle = chain_.BuildBundle("ore");
  auto* row = bundle.mutable_blocks(bundle.blocks_size() - 1);
  *row->mutable_certificate() = testing::SignCertificate(
      chain_.genesis(), row->height(), row->header(), chain_.genesis().validators.size());
  const core::ProofReport report = core::VerifyProofBundle(chain_.genesis(), bundle);
  EXPECT_FALSE(report.ok);
}

}  // namespace
}  // namespace lotchain
