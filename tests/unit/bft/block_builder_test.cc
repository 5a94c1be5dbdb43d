#include "consensus/bft/block_builder.h"

#include <gtest/gtest.h>

#include <set>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"

namespace lotchain::bft {
namespace {

class SetIndex final : public TxIndex, public SignatureCache {
 public:
  bool IsCommitted(std::string_view tx_hash) const override {
    return committed.count(std::string(tx_hash)) != 0;
  }
  bool SignatureChecked(std::string_view tx_hash) const override {
    ++consulted;
    return checked.count(std::string(tx_hash)) != 0;
  }
  void SignaturePassed(std::string_view tx_hash) const override {
    passed.insert(std::string(tx_hash));
  }
  std::set<std::string> committed;
  mutable std::set<std::string> passed;  // reported by CheckBlock as verified there
  std::set<std::string> checked;  // "verified on admission"
  mutable int consulted = 0;
};

// One miner, four validators, and ten signed custody transactions (a mine, then lots).
struct Chain {
  Chain() {
    core::InitCrypto();
    miner = core::SecretKey::FromSeed(core::Sha256("builder-test/miner")).value();
    std::string validators;
    for (int i = 0; i < 4; ++i) {
      auto key = core::SecretKey::FromSeed(core::Sha256("builder-test/v" + std::to_string(i)));
      validators += std::string(i ? "," : "") + "{\"id\":\"v" + std::to_string(i) +
                    "\",\"public_key\":\"" + core::ToHex(key->PublicKey()) +
                    "\",\"address\":\"127.0.0.1:1\"}";
    }
    const std::string json =
        "{\"chain_id\":\"builder-test\",\"genesis_time_unix_ms\":1767225600000,"
        "\"members\":[{\"org_id\":\"m\",\"name\":\"M\",\"roles\":[\"miner\"],"
        "\"public_keys\":[\"" + core::ToHex(miner.PublicKey()) + "\"]}],"
        "\"validators\":[" + validators + "],"
        "\"policy\":{\"recycled_content_targets\":[],\"due_diligence_elements\":[\"Co\"]}}";
    genesis = core::ParseGenesis(json).value();
    state.Apply(core::GenesisDelta(genesis));
    env.genesis = &genesis;
    env.state = &state;
    env.tip = {0, genesis.hash, core::GenesisStateRoot(genesis), genesis.genesis_time_unix_ms};
    env.tree = core::StateTree().Apply(core::GenesisDelta(genesis));
    env.validators_hash = core::Sha256("validators");
    for (uint64_t nonce = 1; nonce <= 10; ++nonce) txs.push_back(Tx(nonce));
  }
  std::string Tx(uint64_t nonce) const {
    v1::TxBody body;
    body.set_chain_id(genesis.chain_id);
    body.set_nonce(nonce);
    if (nonce == 1) {
      v1::RegisterFacility* f = body.mutable_register_facility();
      f->set_facility_id("mine");
      f->set_kind(v1::FACILITY_KIND_MINE);
      f->set_country("CD");
      f->set_name("Mine");
    } else {
      v1::CreateOriginLot* c = body.mutable_create_origin_lot();
      c->set_lot_id("lot-" + std::to_string(nonce));
      c->set_facility_id("mine");
      c->set_material("ore");
      c->set_mass_grams(1000);
      c->mutable_certificate()->set_document_sha256(core::Sha256("doc"));
      c->mutable_certificate()->set_issuer("Ministry");
      c->mutable_certificate()->set_number("N" + std::to_string(nonce));
      c->mutable_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    }
    v1::SignedTx tx;
    tx.set_body(body.SerializeAsString());
    tx.set_signer(miner.PublicKey());
    tx.set_signature(miner.Sign(core::kTxDomain, genesis.chain_id, tx.body()));
    return tx.SerializeAsString();
  }
  core::SecretKey miner;
  core::Genesis genesis;
  core::MemState state;
  BlockEnv env;
  std::vector<std::string> txs;
  int64_t now = 1'767'225'601'000;
};

// The proposer stops at the transaction-count limit and at the byte limit, whichever binds.
TEST(BlockBuilderTest, FillsUpToCountAndByteLimits) {
  Chain chain;
  chain.env.limits = {.tx_count_max = 4, .bytes_max = 1 << 20};
  EXPECT_EQ(BuildBlock(chain.env, chain.txs, "proposer", chain.now).block.txs_size(), 4);
  const uint64_t one = chain.txs[1].size() + kTxFramingBytes;
  chain.env.limits = {.tx_count_max = 100, .bytes_max = kHeaderBytesMax + 2 * one + 1};
  BuiltBlock built = BuildBlock(chain.env, chain.txs, "proposer", chain.now);
  EXPECT_EQ(built.block.txs_size(), 2);
  EXPECT_LE(built.block.ByteSizeLong(), chain.env.limits.bytes_max);
}

// Execute-then-vote: a validator's CheckBlock accepts the proposer's block (same execution) and
// rejects one whose header state root was changed, or that repeats a committed transaction.
TEST(BlockBuilderTest, CheckBlockReexecutesAndComparesHeader) {
  Chain chain;
  SetIndex index;
  BuiltBlock built = BuildBlock(chain.env, chain.txs, "proposer", chain.now);
  ASSERT_EQ(built.block.txs_size(), 10);
  core::Result<core::ExecutedBlock> ok = CheckBlock(chain.env, built.block, index, index, chain.now);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->state_root, built.executed.state_root);

  v1::Block tampered = built.block;
  v1::BlockHeader header;
  ASSERT_TRUE(header.ParseFromString(tampered.header()));
  header.set_state_root(core::Sha256("forged"));
  tampered.set_header(header.SerializeAsString());
  EXPECT_EQ(CheckBlock(chain.env, tampered, index, index, chain.now).status().code(), "BAD_BLOCK");

  index.committed.insert(core::TxHash(chain.txs[3]));
  EXPECT_FALSE(CheckBlock(chain.env, built.block, index, index, chain.now).ok());
}

// CheckBlock reports each signature it verified itself (so gossip threads can skip it), and
// only those: a tx the index already vouched for is not reported again.
TEST(BlockBuilderTest, CheckBlockReportsTheSignaturesItVerified) {
  Chain chain;
  SetIndex index;
  index.checked.insert(core::TxHash(chain.txs[0]));
  BuiltBlock built = BuildBlock(chain.env, chain.txs, "proposer", chain.now);
  ASSERT_TRUE(CheckBlock(chain.env, built.block, index, index, chain.now).ok());
  std::set<std::string> expected;
  for (size_t i = 1; i < chain.txs.size(); ++i) expected.insert(core::TxHash(chain.txs[i]));
  EXPECT_EQ(index.passed, expected);
}

// Garbage transaction bytes never reach a block a validator accepts, and neither does a block
// dated beyond the validator's clock allowance.
TEST(BlockBuilderTest, RejectsGarbageTxsAndFutureTime) {
  Chain chain;
  SetIndex index;
  std::vector<std::string> with_garbage = {chain.txs[0], std::string("\x0a\x02zz", 4)};
  BuiltBlock built = BuildBlock(chain.env, with_garbage, "proposer", chain.now);
  EXPECT_FALSE(CheckBlock(chain.env, built.block, index, index, chain.now).ok());
  BuiltBlock late = BuildBlock(chain.env, chain.txs, "proposer", chain.now + 60'000);
  EXPECT_FALSE(CheckBlock(chain.env, late.block, index, index, chain.now).ok());
}

// The proposer verifies a candidate's signature unless its mempool (the TxIndex) already did:
// with no index a forged signature is rejected in execution; with an index that vouches for
// the bytes, execution trusts it (so a node verifies each transaction once, on admission).
TEST(BlockBuilderTest, BuildBlockSkipsSignaturesTheMempoolChecked) {
  Chain chain;
  v1::SignedTx forged;
  ASSERT_TRUE(forged.ParseFromString(chain.txs[0]));
  forged.set_signature(std::string(64, '\x01'));
  const std::vector<std::string> candidates = {forged.SerializeAsString()};

  BuiltBlock unverified = BuildBlock(chain.env, candidates, "proposer", chain.now);
  ASSERT_EQ(unverified.executed.results.size(), 1u);
  EXPECT_EQ(unverified.executed.results[0].reason(), "BAD_SIGNATURE");

  SetIndex index;
  index.checked.insert(core::TxHash(candidates[0]));
  BuiltBlock trusted = BuildBlock(chain.env, candidates, "proposer", chain.now, &index);
  EXPECT_EQ(index.consulted, 1);
  ASSERT_EQ(trusted.executed.results.size(), 1u);
  EXPECT_EQ(trusted.executed.results[0].code(), v1::TX_CODE_OK);

  // Candidates the index does not vouch for are still verified.
  SetIndex empty;
  BuiltBlock checked = BuildBlock(chain.env, candidates, "proposer", chain.now, &empty);
  EXPECT_EQ(checked.executed.results[0].reason(), "BAD_SIGNATURE");
}

}  // namespace
}  // namespace lotchain::bft
