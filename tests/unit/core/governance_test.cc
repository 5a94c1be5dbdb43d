// Governance rules (docs/GOVERNANCE.md): proposals, quorum, expiry, rejection, key rotation and
// revocation, suspension, validator-set changes and their activation height, the hash-linked log.
#include <gtest/gtest.h>

#include "consensus/core/crypto.h"
#include "consensus/core/governance.h"
#include "consensus/core/proto_parse.h"
#include "consensus/core/state_keys.h"
#include "consensus/core/validator_schedule.h"
#include "tests/support/test_chain.h"

namespace lotchain {
namespace {

using testing::TestChain;
using testing::TestMember;

std::vector<TestMember> FourOrgs() {
  return {{"alpha", {"miner"}}, {"beta", {"refiner"}}, {"gamma", {"cell_maker"}},
          {"delta", {"auditor"}}};
}

// Four members, each operating one of the four validators; proposals live 5 blocks.
void GovernedGenesis(nlohmann::json& g) {
  const char* orgs[] = {"alpha", "beta", "gamma", "delta"};
  for (size_t i = 0; i < g["validators"].size(); ++i) g["validators"][i]["operator"] = orgs[i];
  g["policy"]["governance"] = {{"member_quorum", {2, 3}}, {"validator_quorum", {2, 3}},
                               {"proposal_ttl_blocks", 5}};
}

class GovernanceTest : public ::testing::Test {
 protected:
  GovernanceTest() : chain_(FourOrgs(), GovernedGenesis) {}

  v1::TxResult Propose(const std::string& org, const std::string& id, v1::GovernanceChange change) {
    v1::TxBody body;
    auto* p = body.mutable_propose_change();
    p->set_proposal_id(id);
    *p->mutable_change() = std::move(change);
    return chain_.Submit(org, body);
  }
  v1::TxResult Approve(const std::string& org, const std::string& id) {
    v1::TxBody body;
    body.mutable_approve_proposal()->set_proposal_id(id);
    return chain_.Submit(org, body);
  }
  v1::TxResult Reject(const std::string& org, const std::string& id) {
    v1::TxBody body;
    body.mutable_reject_proposal()->set_proposal_id(id);
    return chain_.Submit(org, body);
  }
  v1::TxResult Facility(const std::string& signer, const std::string& id) {
    v1::TxBody body;
    auto* f = body.mutable_register_facility();
    f->set_facility_id(id);
    f->set_kind(v1::FACILITY_KIND_RECYCLING);
    f->set_country("DE");
    f->set_name("Plant " + id);
    return chain_.Submit(signer, body);
  }
  v1::GovernanceProposal Proposal(const std::string& id) const {
    v1::GovernanceProposal p;
    core::ParseOwnOrDie(p, chain_.state().Get(core::keys::Proposal(id)).value());
    return p;
  }
  v1::Member Member(const std::string& org) const {
    v1::Member m;
    core::ParseOwnOrDie(m, chain_.state().Get(core::keys::Member(org)).value());
    return m;
  }
  static v1::GovernanceChange AddRecycler(const core::SecretKey& key) {
    v1::GovernanceChange change;
    auto* m = change.mutable_add_member()->mutable_member();
    m->set_org_id("recycler-two");
    m->set_name("Second Recycler GmbH");
    m->add_roles(v1::ROLE_RECYCLER);
    m->add_public_keys(key.PublicKey());
    return change;
  }

  TestChain chain_;
};

core::SecretKey KeyFor(const std::string& name) {
  return core::SecretKey::FromSeed(testing::SeedFor(name)).value();
}

TEST_F(GovernanceTest, AMemberJoinsWhenTheQuorumApproves) {
  const core::SecretKey key = KeyFor("recycler-two");
  chain_.AddSigner("recycler-two", key);
  EXPECT_EQ(Facility("recycler-two", "plant-1").reason(), "UNKNOWN_SIGNER");
  ASSERT_EQ(Propose("alpha", "admit-r2", AddRecycler(key)).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "admit-r2").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Proposal("admit-r2").status(), v1::PROPOSAL_STATUS_OPEN);  // 2 of 4 < 2/3
  EXPECT_EQ(Facility("recycler-two", "plant-1").reason(), "UNKNOWN_SIGNER");
  ASSERT_EQ(Approve("gamma", "admit-r2").code(), v1::TX_CODE_OK);  // 3 of 4
  const v1::GovernanceProposal adopted = Proposal("admit-r2");
  EXPECT_EQ(adopted.status(), v1::PROPOSAL_STATUS_ADOPTED);
  EXPECT_EQ(adopted.decided_height(), chain_.height());
  EXPECT_EQ(adopted.proposer_org(), "alpha");
  EXPECT_EQ(adopted.approvals_size(), 3);
  EXPECT_EQ(Member("recycler-two").joined_by_proposal(), "admit-r2");
  EXPECT_EQ(Facility("recycler-two", "plant-1").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Approve("delta", "admit-r2").reason(), "PROPOSAL_DECIDED");
  // Five members now: the quorum is 4 (4 * 3 >= 2 * 5; 3 * 3 < 10).
  EXPECT_EQ(core::LoadGovernanceHead(chain_.genesis(), chain_.state()).active_members(), 5u);
}

TEST_F(GovernanceTest, VotesAreCheckedAndCountedOnce) {
  const core::SecretKey key = KeyFor("recycler-two");
  ASSERT_EQ(Propose("alpha", "admit", AddRecycler(key)).code(), v1::TX_CODE_OK);
  // A second proposal for the same new id is accepted as a proposal but cannot both adopt.
  ASSERT_EQ(Propose("beta", "admit-again", AddRecycler(KeyFor("other"))).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "admit").code(), v1::TX_CODE_OK);
  const v1::TxResult adopted = Approve("gamma", "admit");
  ASSERT_EQ(adopted.code(), v1::TX_CODE_OK) << adopted.reason() << ": " << adopted.message();
  ASSERT_EQ(Approve("alpha", "admit-again").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "admit-again").code(), v1::TX_CODE_OK);  // 3 of 5 members now
  EXPECT_EQ(Approve("delta", "admit-again").reason(), "DUPLICATE_ORG_ID");  // 4 of 5: adopt?
  EXPECT_EQ(Proposal("admit-again").status(), v1::PROPOSAL_STATUS_OPEN);
  EXPECT_EQ(Propose("beta", "admit", AddRecycler(KeyFor("x"))).reason(), "DUPLICATE_PROPOSAL_ID");
  EXPECT_EQ(Approve("beta", "nosuch").reason(), "UNKNOWN_PROPOSAL");
}

TEST_F(GovernanceTest, AProposalWithoutQuorumExpiresAndChangesNothing) {
  const core::SecretKey key = KeyFor("recycler-two");
  chain_.AddSigner("recycler-two", key);
  ASSERT_EQ(Propose("alpha", "slow", AddRecycler(key)).code(), v1::TX_CODE_OK);
  const uint64_t expires = Proposal("slow").expires_height();
  EXPECT_EQ(expires, chain_.height() + 5);
  ASSERT_EQ(Approve("beta", "slow").code(), v1::TX_CODE_OK);
  while (chain_.height() < expires) Facility("alpha", "f" + std::to_string(chain_.height()));
  EXPECT_EQ(core::EffectiveStatus(Proposal("slow"), chain_.height() + 1),
            v1::PROPOSAL_STATUS_EXPIRED);
  EXPECT_EQ(Approve("gamma", "slow").reason(), "PROPOSAL_EXPIRED");
  EXPECT_EQ(Facility("recycler-two", "p").reason(), "UNKNOWN_SIGNER");
  EXPECT_FALSE(chain_.state().Get(core::keys::Member("recycler-two")).has_value());
}

TEST_F(GovernanceTest, RejectionsThatMakeTheQuorumUnreachableDefeatIt) {
  ASSERT_EQ(Propose("alpha", "p", AddRecycler(KeyFor("r"))).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Reject("beta", "p").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Proposal("p").status(), v1::PROPOSAL_STATUS_OPEN);  // 3 of 4 can still approve
  EXPECT_EQ(Approve("beta", "p").reason(), "ALREADY_VOTED");
  ASSERT_EQ(Reject("gamma", "p").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Proposal("p").status(), v1::PROPOSAL_STATUS_REJECTED);
  EXPECT_EQ(Approve("delta", "p").reason(), "PROPOSAL_DECIDED");
}

TEST_F(GovernanceTest, ARotatedKeySignsNothingAndTheNewOneStartsAtOnce) {
  const std::string old_key = chain_.KeyOf("alpha").PublicKey();
  const core::SecretKey fresh = KeyFor("alpha/2");
  v1::TxBody rotate;
  rotate.mutable_rotate_key()->set_new_public_key(fresh.PublicKey());
  ASSERT_EQ(chain_.Submit("alpha", rotate).code(), v1::TX_CODE_OK);
  const v1::TxResult stale = Facility("alpha", "mine-x");
  EXPECT_EQ(stale.reason(), "KEY_REVOKED");
  EXPECT_NE(stale.message().find("rotated"), std::string::npos) << stale.message();
  chain_.AddSigner("alpha/2", fresh);
  EXPECT_EQ(Approve("alpha/2", "nosuch").reason(), "UNKNOWN_PROPOSAL");  // authenticated
  const v1::Member alpha = Member("alpha");
  ASSERT_EQ(alpha.public_keys_size(), 1);
  EXPECT_EQ(alpha.public_keys(0), fresh.PublicKey());
  // Keys are never reused: not the old one, not another member's.
  v1::TxBody back;
  back.mutable_rotate_key()->set_new_public_key(old_key);
  EXPECT_EQ(chain_.Submit("alpha/2", back).reason(), "KEY_IN_USE");
  back.mutable_rotate_key()->set_new_public_key(chain_.KeyOf("beta").PublicKey());
  EXPECT_EQ(chain_.Submit("alpha/2", back).reason(), "KEY_IN_USE");
}

TEST_F(GovernanceTest, AStolenKeyIsRevokedByQuorum) {
  const core::SecretKey second = KeyFor("beta/laptop");
  chain_.AddSigner("beta/laptop", second);
  v1::TxBody rotate;
  rotate.mutable_rotate_key()->set_new_public_key(second.PublicKey());
  ASSERT_EQ(chain_.Submit("beta", rotate).code(), v1::TX_CODE_OK);
  v1::GovernanceChange revoke;
  revoke.mutable_revoke_key()->set_org_id("beta");
  revoke.mutable_revoke_key()->set_public_key(second.PublicKey());
  // The last key of a member cannot be revoked (the member would be locked out for good).
  EXPECT_EQ(Propose("alpha", "revoke", revoke).reason(), "CHANGE_NOT_APPLICABLE");
  v1::GovernanceChange remove;
  remove.mutable_remove_member()->set_org_id("beta");
  ASSERT_EQ(Propose("alpha", "remove-beta", remove).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "remove-beta").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("delta", "remove-beta").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Member("beta").status(), v1::MEMBER_STATUS_REMOVED);
  EXPECT_EQ(Approve("beta/laptop", "revoke").reason(), "KEY_REVOKED");
  EXPECT_EQ(core::LoadGovernanceHead(chain_.genesis(), chain_.state()).active_members(), 3u);
}

TEST_F(GovernanceTest, ASuspendedMemberCannotSignUntilReinstated) {
  v1::GovernanceChange suspend;
  suspend.mutable_suspend_member()->set_org_id("delta");
  ASSERT_EQ(Propose("alpha", "s", suspend).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "s").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "s").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Approve("delta", "nosuch").reason(), "MEMBER_SUSPENDED");
  // Three active members: 2 approvals reach 2/3.
  v1::GovernanceChange reinstate;
  reinstate.mutable_reinstate_member()->set_org_id("delta");
  ASSERT_EQ(Propose("alpha", "r", reinstate).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "r").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Proposal("r").status(), v1::PROPOSAL_STATUS_ADOPTED);
  EXPECT_EQ(Approve("delta", "nosuch").reason(), "UNKNOWN_PROPOSAL");  // signs again
}

TEST_F(GovernanceTest, ANewValidatorCertifiesFromTwoHeightsAfterItsAdoption) {
  const core::SecretKey v4 = KeyFor("validator/v4");
  v1::GovernanceChange add;
  auto* spec = add.mutable_add_validator()->mutable_validator();
  spec->set_validator_id("v4");
  spec->set_public_key(v4.PublicKey());
  spec->set_address("127.0.0.1:26604");
  spec->set_operator_org("delta");
  ASSERT_EQ(Propose("alpha", "v4", add).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "v4").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "v4").code(), v1::TX_CODE_OK);
  const uint64_t h = chain_.height();
  const v1::GovernanceProposal p = Proposal("v4");
  ASSERT_EQ(p.status(), v1::PROPOSAL_STATUS_ADOPTED);
  EXPECT_EQ(p.effective_height(), h + core::kValidatorActivationDelay);
  auto schedule = core::ChainValidatorSchedule::Load(chain_.genesis(), chain_.state());
  ASSERT_TRUE(schedule.ok()) << schedule.status().ToString();
  EXPECT_EQ(schedule->At(h + 1).size(), 4u);
  EXPECT_EQ(schedule->At(h + 2).size(), 5u);
  EXPECT_EQ(schedule->At(h + 2).Quorum(), 4u);
  EXPECT_TRUE(schedule->At(h + 2).IndexOf(v4.PublicKey()).has_value());
  EXPECT_EQ(schedule->EntriesAt(h + 2).back().address, "127.0.0.1:26604");
  // Removing it again: the record for the later height builds on the newest set.
  v1::GovernanceChange remove;
  remove.mutable_remove_validator()->set_validator_id("v0");
  ASSERT_EQ(Propose("alpha", "no-v0", remove).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "no-v0").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "no-v0").code(), v1::TX_CODE_OK);
  // Five validators certify now: the operators of v0..v2 are 3 of 5, short of 2/3.
  EXPECT_EQ(Proposal("no-v0").status(), v1::PROPOSAL_STATUS_OPEN);
  ASSERT_EQ(Approve("delta", "no-v0").code(), v1::TX_CODE_OK);  // operates v3 and v4
  EXPECT_EQ(Proposal("no-v0").status(), v1::PROPOSAL_STATUS_ADOPTED);
  ASSERT_TRUE(schedule->Refresh(chain_.state()).ok());
  const uint64_t h2 = chain_.height();
  EXPECT_EQ(schedule->At(h2 + 1).size(), 5u);
  EXPECT_EQ(schedule->At(h2 + 2).size(), 4u);
  EXPECT_FALSE(schedule->At(h2 + 2).IndexOf(chain_.genesis().validators[0].public_key));
  EXPECT_EQ(schedule->ChangeHeights().size(), 3u);
}

TEST_F(GovernanceTest, ValidatorChangesNeedTheOperatorsOfTwoThirdsOfTheValidators) {
  // Every genesis validator is alpha's: three member approvals without alpha reach the member
  // quorum but not the validator quorum.
  TestChain chain(FourOrgs(), [](nlohmann::json& g) {
    for (auto& v : g["validators"]) v["operator"] = "alpha";
  });
  v1::GovernanceChange remove;
  remove.mutable_remove_validator()->set_validator_id("v3");
  v1::TxBody body;
  body.mutable_propose_change()->set_proposal_id("r");
  *body.mutable_propose_change()->mutable_change() = remove;
  ASSERT_EQ(chain.Submit("beta", body).code(), v1::TX_CODE_OK);
  v1::TxBody approve;
  approve.mutable_approve_proposal()->set_proposal_id("r");
  ASSERT_EQ(chain.Submit("gamma", approve).code(), v1::TX_CODE_OK);
  ASSERT_EQ(chain.Submit("delta", approve).code(), v1::TX_CODE_OK);
  v1::GovernanceProposal p;
  core::ParseOwnOrDie(p, chain.state().Get(core::keys::Proposal("r")).value());
  EXPECT_EQ(p.status(), v1::PROPOSAL_STATUS_OPEN);  // members yes, validators no
  ASSERT_EQ(chain.Submit("alpha", approve).code(), v1::TX_CODE_OK);
  core::ParseOwnOrDie(p, chain.state().Get(core::keys::Proposal("r")).value());
  EXPECT_EQ(p.status(), v1::PROPOSAL_STATUS_ADOPTED);
}

TEST_F(GovernanceTest, AnAddressTheNodesCannotDialIsRefused) {
  for (const char* bad : {"host:abc", "host:70000", "host:", ":26600", "a b:1", "host:0"}) {
    v1::GovernanceChange add;
    auto* spec = add.mutable_add_validator()->mutable_validator();
    spec->set_validator_id("v9");
    spec->set_public_key(KeyFor(std::string("validator/") + bad).PublicKey());
    spec->set_address(bad);
    spec->set_operator_org("delta");
    EXPECT_EQ(Propose("alpha", std::string("bad-") + std::to_string(chain_.height()), add).reason(),
              "INVALID_FIELD") << bad;
  }
}

TEST_F(GovernanceTest, RemovingOperatorsDoesNotFreezeTheValidatorSet) {
  // beta and gamma (operators of v1 and v2) are removed by the member quorum; their validators
  // no longer count, so alpha and delta (2 of the 2 that can vote) can still change the set.
  for (const char* org : {"beta", "gamma"}) {
    v1::GovernanceChange remove;
    remove.mutable_remove_member()->set_org_id(org);
    const std::string id = std::string("remove-") + org;
    ASSERT_EQ(Propose("alpha", id, remove).code(), v1::TX_CODE_OK);
    for (const char* voter : {"delta", "beta", "gamma"}) {
      if (Proposal(id).status() == v1::PROPOSAL_STATUS_ADOPTED) break;
      if (std::string(voter) != org) Approve(voter, id);
    }
    ASSERT_EQ(Proposal(id).status(), v1::PROPOSAL_STATUS_ADOPTED) << org;
  }
  v1::GovernanceChange rm;
  rm.mutable_remove_validator()->set_validator_id("v1");
  ASSERT_EQ(Propose("alpha", "drop-v1", rm).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("delta", "drop-v1").code(), v1::TX_CODE_OK);
  EXPECT_EQ(Proposal("drop-v1").status(), v1::PROPOSAL_STATUS_ADOPTED);
}

TEST_F(GovernanceTest, TheGovernanceLogIsHashLinked) {
  ASSERT_EQ(Propose("alpha", "p", AddRecycler(KeyFor("r"))).code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("beta", "p").code(), v1::TX_CODE_OK);
  ASSERT_EQ(Approve("gamma", "p").code(), v1::TX_CODE_OK);  // approved + adopted
  const v1::GovernanceHead head = core::LoadGovernanceHead(chain_.genesis(), chain_.state());
  ASSERT_EQ(head.event_count(), 4u);
  std::string prev(32, '\0');
  for (uint64_t seq = 0; seq < head.event_count(); ++seq) {
    v1::GovernanceEvent event;
    core::ParseOwnOrDie(event, chain_.state().Get(core::keys::GovernanceEvent(seq)).value());
    EXPECT_EQ(event.prev_event_hash(), prev);
    std::string preimage = "lotchain/governance/v1";
    preimage.push_back('\0');
    preimage += prev + event.tx_hash() + core::keys::BigEndian64(seq);
    EXPECT_EQ(event.event_hash(), core::Sha256(preimage));
    prev = event.event_hash();
  }
  EXPECT_EQ(head.last_event_hash(), prev);
}

TEST_F(GovernanceTest, GenesisGovernancePolicyIsValidated) {
  for (const char* bad : {R"([0, 3])", R"([4, 3])", R"("2/3")", R"([2])"}) {
    nlohmann::json g = nlohmann::json::parse(testing::GenesisJson(FourOrgs()));
    g["policy"]["governance"] = {{"member_quorum", nlohmann::json::parse(bad)}};
    auto parsed = core::ParseGenesis(g.dump());
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("policy.governance.member_quorum"), std::string::npos);
  }
  nlohmann::json g = nlohmann::json::parse(testing::GenesisJson(FourOrgs()));
  g["validators"][0]["operator"] = "nobody";
  auto parsed = core::ParseGenesis(g.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("validators[0].operator"), std::string::npos);
}

}  // namespace
}  // namespace lotchain
