// Transaction building: flags become exactly the TxBody the custody rules expect (units,
// sorted compositions, enums, digests, hash links), offline building demands --prev, the
// unsigned/signed files round-trip and detect alteration, and bodies built here, signed with
// SignBody, are applied by the real block executor (TestChain).
#include "wallet-cli/tx_builder.h"

#include <gtest/gtest.h>

#include "tests/support/test_chain.h"

namespace lotchain::wallet {
namespace {

using testing::TestChain;

TEST(TxBuilderTest, OriginLotFromHumanFlags) {
  OriginLotArgs a;
  a.lot_id = "ore-1";
  a.facility_id = "mine-1";
  a.material = "cobalt hydroxide";
  a.mass = "1.2t";
  a.elements = {"Ni=10kg", "Co=350kg"};
  a.certificate.hex = core::ToHex(core::Sha256("cert"));
  a.issuer = "DRC CEEC";
  a.number = "C-1";
  a.emissions = {"350kg", "secondary"};
  auto body = BuildCreateOriginLot(a);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const auto& e = body->create_origin_lot();
  EXPECT_EQ(e.mass_grams(), 1'200'000u);
  ASSERT_EQ(e.composition_size(), 2);
  EXPECT_EQ(e.composition(0).element(), v1::ELEMENT_CO);  // sorted by element
  EXPECT_EQ(e.composition(0).grams(), 350'000u);
  EXPECT_EQ(e.composition(1).element(), v1::ELEMENT_NI);
  EXPECT_EQ(e.emissions().co2e_grams(), 350'000u);
  EXPECT_EQ(e.emissions().quality(), v1::DATA_QUALITY_SECONDARY);
  a.elements = {"Co=1kg", "Co=2kg"};
  EXPECT_FALSE(BuildCreateOriginLot(a).ok());
  a.elements = {"Xx=1kg"};
  EXPECT_FALSE(BuildCreateOriginLot(a).ok());
  a.elements = {};
  a.mass = "1.2";
  auto bare = BuildCreateOriginLot(a);
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("--mass"), std::string::npos);
}

TEST(TxBuilderTest, EnumsAndChoicesInErrors) {
  FacilityArgs f{"mine-1", "refinery", "cd", "Kolwezi", "-10.7,25.5"};
  auto body = BuildRegisterFacility(f);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->register_facility().kind(), v1::FACILITY_KIND_REFINERY);
  EXPECT_EQ(body->register_facility().country(), "CD");
  EXPECT_EQ(body->register_facility().coordinates().latitude_microdeg(), -10'700'000);
  f.kind = "smelter";
  auto bad = BuildRegisterFacility(f);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("mine, refinery, plant, recycling"), std::string::npos);
}

TEST(TxBuilderTest, HashLinksFromLookupOrPrev) {
  std::string prev(32, '\7');
  int lookups = 0;
  PrevLookup lookup = [&](const std::string& lot) -> core::Result<std::string> {
    ++lookups;
    EXPECT_EQ(lot, "lot-1");
    return prev;
  };
  auto accept = BuildAccept({"lot-1", ""}, lookup);
  ASSERT_TRUE(accept.ok());
  EXPECT_EQ(accept->accept_transfer().prev_event_hash(), prev);
  EXPECT_EQ(lookups, 1);
  auto offline = BuildRetire({"lot-1", core::ToHex(std::string(32, '\1'))}, "", nullptr);
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ(offline->retire().prev_event_hash(), std::string(32, '\1'));
  auto missing = BuildCancel({"lot-1", ""}, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--prev"), std::string::npos);
}

TEST(TxBuilderTest, TransformInputsAndOutputs) {
  TransformArgs t;
  t.facility_id = "ref-1";
  t.process = "refining";
  t.inputs = {"ore-1=1.2t@" + core::ToHex(std::string(32, '\2'))};
  t.outputs = {"id=sulphate-1;material=cobalt sulphate;mass=600kg;Co=200kg"};
  t.emissions = {"1t", "primary"};
  auto body = BuildTransform(t, nullptr);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const auto& e = body->transform();
  EXPECT_EQ(e.process(), v1::PROCESS_KIND_REFINING);
  EXPECT_EQ(e.inputs(0).mass_grams(), 1'200'000u);
  EXPECT_EQ(e.inputs(0).prev_event_hash(), std::string(32, '\2'));
  EXPECT_EQ(e.outputs(0).material(), "cobalt sulphate");
  EXPECT_EQ(e.outputs(0).composition(0).grams(), 200'000u);
  EXPECT_EQ(e.process_emissions().co2e_grams(), 1'000'000u);
  t.outputs = {"material=x;mass=1t"};
  EXPECT_FALSE(BuildTransform(t, nullptr).ok());
}

TEST(TxBuilderTest, ReagentsAndWasteOutputs) {
  TransformArgs t;
  t.facility_id = "ref-1";
  t.process = "refining";
  t.inputs = {"ore-1=1t@" + core::ToHex(std::string(32, '\2'))};
  t.outputs = {"id=s-1;material=cobalt sulphate;mass=1.2t;Co=200kg",
               "id=slag-1;material=slag;mass=100kg;role=waste"};
  t.reagents = {"material=sulphuric acid;mass=400kg;co2e=60kg;quality=secondary"};
  auto body = BuildTransform(t, nullptr);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const auto& e = body->transform();
  EXPECT_EQ(e.outputs(0).role(), v1::OUTPUT_ROLE_PRODUCT);
  EXPECT_EQ(e.outputs(1).role(), v1::OUTPUT_ROLE_WASTE);
  ASSERT_EQ(e.reagents_size(), 1);
  EXPECT_EQ(e.reagents(0).material(), "sulphuric acid");
  EXPECT_EQ(e.reagents(0).mass_grams(), 400'000u);
  EXPECT_EQ(e.reagents(0).emissions().co2e_grams(), 60'000u);
  EXPECT_EQ(e.reagents(0).emissions().quality(), v1::DATA_QUALITY_SECONDARY);
  // A figure whose quality is not stated is secondary data (it must not raise the primary share).
  t.emissions = {"1t", ""};
  EXPECT_EQ(BuildTransform(t, nullptr)->transform().process_emissions().quality(),
            v1::DATA_QUALITY_SECONDARY);
  t.reagents = {"material=acid;mass=40kg;co2e=1kg"};
  EXPECT_EQ(BuildTransform(t, nullptr)->transform().reagents(0).emissions().quality(),
            v1::DATA_QUALITY_SECONDARY);
  for (std::string bad : std::vector<std::string>{"material=acid;mass=40kg", "mass=40kg;co2e=1kg",
                                 "material=acid;mass=40kg;co2e=1kg;colour=red",
                                 "material=acid;mass=heavy;co2e=1kg",
                                 "material=acid;mass=0g;co2e=1kg"}) {
    t.reagents = {bad};
    auto refused = BuildTransform(t, nullptr);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("--reagent"), std::string::npos) << bad;
  }
  t.reagents.clear();
  t.outputs = {"id=s-1;material=x;mass=1t;role=by-product"};
  auto role = BuildTransform(t, nullptr);
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("role must be product or waste"), std::string::npos);
}

TEST(TxBuilderTest, NonceChoiceOnlyIncreases) {
  EXPECT_EQ(ChooseNonce(0, 1'000), 1'000u);
  EXPECT_EQ(ChooseNonce(5'000, 1'000), 5'001u);
  EXPECT_EQ(ChooseNonce(0, -5), 1u);
}

TEST(TxBuilderTest, FilesRoundTripAndDetectAlteration) {
  v1::TxBody body = BuildAccept({"lot-1", core::ToHex(std::string(32, '\3'))}, nullptr).value();
  ASSERT_TRUE(FinishBody("chain-x", 42, "memo", body).ok());
  UnsignedTx u{"chain-x", "alice", std::string(32, '\4'), body.SerializeAsString()};
  auto decoded = DecodeUnsignedTx(EncodeUnsignedTx(u));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->body, u.body);
  EXPECT_EQ(decoded->signer_hint, "alice");
  u.chain_id = "other";
  EXPECT_FALSE(DecodeUnsignedTx(EncodeUnsignedTx(u)).ok());
  core::InitCrypto();
  auto key = core::SecretKey::FromSeed(core::Sha256("k")).value();
  SignedTxFile s = SignBody(body.SerializeAsString(), "chain-x", key);
  auto round = DecodeSignedTx(EncodeSignedTx(s));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->tx_hash, s.tx_hash);
  std::string altered = EncodeSignedTx({s.signed_tx + "x", s.tx_hash});
  EXPECT_FALSE(DecodeSignedTx(altered).ok());
  std::string summary = DescribeTxBody(body);
  EXPECT_NE(summary.find("transfer accept"), std::string::npos);
  EXPECT_NE(summary.find("nonce"), std::string::npos);
}

// Bodies from the builders, signed by SignBody, pass the real custody rules.
TEST(TxBuilderTest, BuiltAndSignedTransactionsApply) {
  TestChain chain;
  auto submit = [&](const std::string& org, v1::TxBody body, uint64_t nonce) {
    EXPECT_TRUE(FinishBody(chain.genesis().chain_id, nonce, "", body).ok());
    SignedTxFile s = SignBody(body.SerializeAsString(), chain.genesis().chain_id, chain.KeyOf(org));
    return chain.SubmitBlock({s.signed_tx}).at(0);
  };
  auto mine = BuildRegisterFacility({"mine-1", "mine", "CD", "Kolwezi", ""});
  EXPECT_EQ(submit("miner", mine.value(), 1'700'000'000'000).code(), v1::TX_CODE_OK);
  OriginLotArgs o;
  o.lot_id = "ore-1";
  o.facility_id = "mine-1";
  o.material = "ore";
  o.mass = "1.2t";
  o.elements = {"Co=120kg"};
  o.certificate.hex = core::ToHex(core::Sha256("c"));
  o.issuer = "I";
  o.number = "N";
  o.emissions = {"350kg", "primary"};
  EXPECT_EQ(submit("miner", BuildCreateOriginLot(o).value(), 1'700'000'000'001).code(),
            v1::TX_CODE_OK);
  PrevLookup lookup = [&](const std::string& lot) -> core::Result<std::string> {
    return chain.LastEvent(lot);
  };
  OfferArgs offer{{"ore-1", ""}, "refiner", {"20kg", "secondary"}};
  EXPECT_EQ(submit("miner", BuildOffer(offer, lookup).value(), 1'700'000'000'002).code(),
            v1::TX_CODE_OK);
  EXPECT_EQ(submit("refiner", BuildAccept({"ore-1", ""}, lookup).value(), 5).code(),
            v1::TX_CODE_OK);
  EXPECT_EQ(chain.Lot("ore-1").custodian_org(), "refiner");
  EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), 370'000u);
  // A stale hash link is rejected by the chain with its code.
  auto stale = submit("refiner", BuildRetire({"ore-1", core::ToHex(std::string(32, '\0'))}, "", nullptr).value(), 6);
  EXPECT_EQ(stale.reason(), "STALE_EVENT");
}

}  // namespace
}  // namespace lotchain::wallet
