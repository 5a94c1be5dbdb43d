#include "consensus/bft/engine.h"

#include <gtest/gtest.h>

#include "tests/unit/bft/fixture.h"

namespace lotchain::bft {
namespace {

using testing::BodyOf;
using testing::Keys;
using testing::MakeBlock;

constexpr auto kPrevote = v1::VOTE_TYPE_PREVOTE;
constexpr auto kPrecommit = v1::VOTE_TYPE_PRECOMMIT;

struct Harness {
  explicit Harness(size_t who) : engine(keys.Config(), *keys.signers[who], verifier, app) {}
  Actions Start() { return engine.Start(1, nullptr).value(); }
  Keys keys;
  testing::PlainVerifier verifier;
  testing::FakeApp app;
  Engine engine{keys.Config(), *keys.signers[0], verifier, app};
};

// Drives validator 0 to a lock on block A at height 1, round 0 (proposal + 3 prevotes).
std::string LockOnA(Harness& h) {
  const v1::Block a = MakeBlock(1, "A");
  (void)h.Start();
  (void)h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 0, kPrevote, core::BlockHash(a)));
  (void)h.engine.OnVote(h.keys.Vote(3, 1, 0, kPrevote, core::BlockHash(a)));
  return core::BlockHash(a);
}

// Lines 22-24 and 36-41: a valid proposal is prevoted; 2f+1 prevotes lock it and precommit it;
// both signatures come with a sign-state to persist first.
TEST(EngineTest, PrevotesProposalThenLocksAndPrecommitsOnQuorum) {
  Harness h(0);
  const v1::Block a = MakeBlock(1, "A");
  (void)h.Start();
  Actions prevote = h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  ASSERT_EQ(prevote.votes.size(), 1u);
  EXPECT_EQ(BodyOf(prevote.votes[0]).block_hash(), core::BlockHash(a));
  ASSERT_TRUE(prevote.persist.has_value());
  EXPECT_EQ(prevote.persist->signed_votes_size(), 1);
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 0, kPrevote, core::BlockHash(a)));
  Actions precommit = h.engine.OnVote(h.keys.Vote(3, 1, 0, kPrevote, core::BlockHash(a)));
  ASSERT_EQ(precommit.votes.size(), 1u);
  EXPECT_EQ(BodyOf(precommit.votes[0]).type(), kPrecommit);
  ASSERT_TRUE(precommit.persist.has_value());
  EXPECT_EQ(precommit.persist->locked_round(), 0);
  EXPECT_EQ(h.engine.locked_round(), 0);
}

// Counting is by distinct validator: one validator's prevote delivered three times is one vote.
TEST(EngineTest, DuplicateVotesDoNotFormQuorum) {
  Harness h(0);
  const v1::Block a = MakeBlock(1, "A");
  (void)h.Start();
  (void)h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  const v1::Vote vote = h.keys.Vote(2, 1, 0, kPrevote, core::BlockHash(a));
  EXPECT_EQ(h.engine.OnVote(vote).rejected, RejectReason::kNone);
  for (int i = 0; i < 3; ++i) {
    Actions actions = h.engine.OnVote(vote);
    EXPECT_EQ(actions.rejected, RejectReason::kDuplicate);
    EXPECT_TRUE(actions.votes.empty());
  }
  EXPECT_EQ(h.engine.step(), Step::kPrevote);
}

// Line 23: a validator locked on A prevotes nil for a different fresh proposal in a later round.
TEST(EngineTest, LockedValidatorPrevotesNilForOtherValue) {
  Harness h(0);
  LockOnA(h);
  ASSERT_EQ(h.engine.locked_round(), 0);
  // f+1 = 2 validators in round 1 make it skip there (line 55).
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 1, kPrevote, ""));
  (void)h.engine.OnVote(h.keys.Vote(3, 1, 1, kPrevote, ""));
  ASSERT_EQ(h.engine.round(), 1u);
  Actions actions = h.engine.OnProposal(h.keys.Proposal(1, 1, -1, MakeBlock(1, "B")));
  ASSERT_FALSE(actions.votes.empty());
  EXPECT_EQ(BodyOf(actions.votes[0]).round(), 1u);
  EXPECT_EQ(BodyOf(actions.votes[0]).block_hash(), "");
}

// Line 55: a round skip needs f+1 DISTINCT senders; two messages of one validator are not enough.
TEST(EngineTest, RoundSkipCountsDistinctSenders) {
  Harness h(0);
  (void)h.Start();
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 5, kPrevote, ""));
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 5, kPrecommit, ""));
  EXPECT_EQ(h.engine.round(), 0u);
  (void)h.engine.OnVote(h.keys.Vote(3, 1, 5, kPrevote, ""));
  EXPECT_EQ(h.engine.round(), 5u);
}

// Line 49: 2f+1 precommits for a block in an EARLIER round still decide it, with a certificate
// that VerifyCommitCertificate accepts.
TEST(EngineTest, DecidesOnPrecommitQuorumFromAnyRound) {
  Harness h(0);
  const v1::Block a = MakeBlock(1, "A");
  const std::string hash = core::BlockHash(a);
  (void)h.Start();
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 2, kPrevote, ""));
  (void)h.engine.OnVote(h.keys.Vote(3, 1, 2, kPrevote, ""));
  ASSERT_EQ(h.engine.round(), 2u);
  (void)h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  (void)h.engine.OnVote(h.keys.Vote(1, 1, 0, kPrecommit, hash));
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 0, kPrecommit, hash));
  Actions actions = h.engine.OnVote(h.keys.Vote(3, 1, 0, kPrecommit, hash));
  ASSERT_EQ(actions.decisions.size(), 1u);
  const Decision& decision = actions.decisions[0];
  EXPECT_EQ(decision.certificate.round(), 0u);
  EXPECT_TRUE(
      core::VerifyCommitCertificate(h.keys.validators, decision.certificate, {1, hash}).ok());
  EXPECT_TRUE(h.engine.decided());
}

// Safety across restarts: an engine restarted from the persisted sign-state does not sign a
// different prevote for a round it already voted in; it re-sends the identical vote instead.
TEST(EngineTest, RestartFromSignStateNeverSignsConflictingVote) {
  Harness h(0);
  const v1::Block a = MakeBlock(1, "A");
  (void)h.Start();
  Actions first = h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  ASSERT_TRUE(first.persist.has_value());
  const v1::SignState saved = *first.persist;
  const v1::Vote sent = first.votes.at(0);

  Engine restarted(h.keys.Config(), *h.keys.signers[0], h.verifier, h.app);
  Actions boot = restarted.Start(1, &saved).value();
  EXPECT_EQ(restarted.step(), Step::kPrevote);
  // A conflicting proposal for round 0 (an equivocating proposer) must not get a prevote.
  Actions after = restarted.OnProposal(h.keys.Proposal(1, 0, -1, MakeBlock(1, "B")));
  for (const v1::Vote& vote : after.votes) EXPECT_EQ(vote.SerializeAsString(), sent.SerializeAsString());
  Actions resend = restarted.OnTimeout({TimeoutKind::kResend, 1, 0});
  ASSERT_EQ(resend.votes.size(), 1u);
  EXPECT_EQ(resend.votes[0].SerializeAsString(), sent.SerializeAsString());
  EXPECT_EQ(restarted.refused_signatures(), 0u);
}

// The lock survives a restart: restored from the sign-state, it still forces nil on B.
TEST(EngineTest, RestartKeepsLock) {
  Harness h(0);
  const v1::Block a = MakeBlock(1, "A");
  (void)h.Start();
  (void)h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  (void)h.engine.OnVote(h.keys.Vote(2, 1, 0, kPrevote, core::BlockHash(a)));
  Actions locked = h.engine.OnVote(h.keys.Vote(3, 1, 0, kPrevote, core::BlockHash(a)));
  ASSERT_TRUE(locked.persist.has_value());
  Engine restarted(h.keys.Config(), *h.keys.signers[0], h.verifier, h.app);
  (void)restarted.Start(1, &*locked.persist).value();
  EXPECT_EQ(restarted.locked_round(), 0);
  (void)restarted.OnVote(h.keys.Vote(2, 1, 1, kPrevote, ""));
  (void)restarted.OnVote(h.keys.Vote(3, 1, 1, kPrevote, ""));
  Actions actions = restarted.OnProposal(h.keys.Proposal(1, 1, -1, MakeBlock(1, "B")));
  ASSERT_FALSE(actions.votes.empty());
  EXPECT_EQ(BodyOf(actions.votes[0]).block_hash(), "");
}

// The locked block is written once: when the valid block is the locked one (both set by the same
// rule), the sign-state says so instead of carrying the block twice; a restarted proposer still
// re-proposes that block with its valid round.
TEST(EngineTest, SignStateWritesLockedBlockOnceAndRestartReproposesIt) {
  Keys keys;
  const size_t me = keys.validators.ProposerIndex(1, 1);
  std::vector<size_t> others;
  for (size_t i = 0; i < 4; ++i) {
    if (i != me) others.push_back(i);
  }
  Harness h(me);
  const v1::Block a = MakeBlock(1, "A");
  const std::string hash = core::BlockHash(a);
  (void)h.Start();
  (void)h.engine.OnProposal(h.keys.Proposal(1, 0, -1, a));
  (void)h.engine.OnVote(h.keys.Vote(others[0], 1, 0, kPrevote, hash));
  Actions locked = h.engine.OnVote(h.keys.Vote(others[1], 1, 0, kPrevote, hash));
  ASSERT_TRUE(locked.persist.has_value());
  const v1::SignState& saved = *locked.persist;
  EXPECT_EQ(saved.locked_round(), 0);
  EXPECT_EQ(saved.valid_round(), 0);
  EXPECT_TRUE(saved.valid_block_is_locked_block());
  EXPECT_EQ(saved.valid_block().ByteSizeLong(), 0u);
  EXPECT_EQ(core::BlockHash(saved.locked_block()), hash);

  Engine restarted(h.keys.Config(), *h.keys.signers[me], h.verifier, h.app);
  (void)restarted.Start(1, &saved).value();
  EXPECT_EQ(restarted.locked_round(), 0);
  // f+1 votes of round 1 move it there; as round 1's proposer it re-proposes A, valid round 0.
  (void)restarted.OnVote(h.keys.Vote(others[0], 1, 1, kPrevote, ""));
  Actions moved = restarted.OnVote(h.keys.Vote(others[1], 1, 1, kPrevote, ""));
  ASSERT_EQ(restarted.round(), 1u);
  ASSERT_EQ(moved.proposals.size(), 1u);
  v1::ProposalBody body;
  ASSERT_TRUE(body.ParseFromString(moved.proposals[0].body()));
  EXPECT_EQ(body.round(), 1u);
  EXPECT_EQ(body.valid_round(), 0);
  EXPECT_EQ(body.block_hash(), hash);
  EXPECT_EQ(core::BlockHash(moved.proposals[0].block()), hash);
}

// A sign-state that says "valid block = locked block" without a lock is damaged: refuse it.
TEST(EngineTest, RefusesSignStateWhoseValidBlockPointsAtNoLock) {
  Harness h(0);
  v1::SignState damaged;
  damaged.set_height(1);
  damaged.set_locked_round(-1);
  damaged.set_valid_round(0);
  damaged.set_valid_block_is_locked_block(true);
  core::Result<Actions> started = h.engine.Start(1, &damaged);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), "BAD_SIGN_STATE");
  // Locked, but the valid block is there as well as the flag: which one is meant is unclear.
  damaged.set_locked_round(0);
  *damaged.mutable_locked_block() = MakeBlock(1, "A");
  *damaged.mutable_valid_block() = MakeBlock(1, "B");
  Engine again(h.keys.Config(), *h.keys.signers[0], h.verifier, h.app);
  core::Result<Actions> both = again.Start(1, &damaged);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), "BAD_SIGN_STATE");
}

// The block hash covers only the header: a proposal that pairs a header with transactions
// other than the ones its tx_root commits to is malformed, however well signed, and so is such
// a block offered with a commit certificate.
TEST(EngineTest, RefusesBlocksWhoseTransactionsAreNotTheHeaders) {
  Harness h(0);
  (void)h.Start();
  v1::Block swapped = MakeBlock(1, "A");
  swapped.set_txs(0, "not A");
  Actions proposal = h.engine.OnProposal(h.keys.Proposal(1, 0, -1, swapped));
  EXPECT_EQ(proposal.rejected, RejectReason::kMalformed);
  EXPECT_TRUE(proposal.votes.empty());
  v1::Block extra = MakeBlock(1, "A");
  extra.add_txs("smuggled");
  EXPECT_EQ(h.engine.OnProposal(h.keys.Proposal(1, 0, -1, extra)).rejected,
            RejectReason::kMalformed);

  const std::string hash = core::BlockHash(swapped);
  v1::CommitCertificate certificate;
  certificate.set_height(1);
  certificate.set_round(0);
  certificate.set_block_hash(hash);
  for (size_t who = 1; who <= 3; ++who) {
    *certificate.add_precommits() = h.keys.Vote(who, 1, 0, kPrecommit, hash);
  }
  Actions committed = h.engine.OnCommittedBlock(swapped, certificate);
  EXPECT_EQ(committed.rejected, RejectReason::kMalformed);
  EXPECT_TRUE(committed.decisions.empty());
  // The genuine block with the same certificate is accepted.
  EXPECT_EQ(h.engine.OnCommittedBlock(MakeBlock(1, "A"), certificate).decisions.size(), 1u);
}

// A sign-state from a later height than the chain means a lost block: refuse to start.
TEST(EngineTest, RefusesSignStateFromLaterHeight) {
  Harness h(0);
  v1::SignState ahead;
  ahead.set_height(7);
  core::Result<Actions> started = h.engine.Start(1, &ahead);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), "STATE_AHEAD");
}

// Equivocation: two different signed prevotes by one validator in one round are kept as
// evidence (both votes), and only count once per hash.
TEST(EngineTest, EquivocationIsKeptAsEvidence) {
  Harness h(0);
  (void)h.Start();
  const v1::Vote first = h.keys.Vote(2, 1, 0, kPrevote, core::Sha256("x"));
  const v1::Vote second = h.keys.Vote(2, 1, 0, kPrevote, core::Sha256("y"));
  (void)h.engine.OnVote(first);
  Actions actions = h.engine.OnVote(second);
  EXPECT_EQ(actions.rejected, RejectReason::kEquivocation);
  ASSERT_EQ(actions.evidence.size(), 1u);
  EXPECT_EQ(actions.evidence[0].first().signature(), first.signature());
  EXPECT_EQ(actions.evidence[0].second().signature(), second.signature());
  EXPECT_EQ(h.engine.evidence().size(), 1u);
}

// Inputs are validated, never asserted on: a bad signature, an unknown signer and a proposal by
// the wrong proposer are rejected with their reason.
TEST(EngineTest, RejectsBadSignaturesUnknownSignersAndWrongProposer) {
  Harness h(0);
  (void)h.Start();
  v1::Vote bad = h.keys.Vote(2, 1, 0, kPrevote, "");
  (*bad.mutable_signature())[3] ^= 1;
  EXPECT_EQ(h.engine.OnVote(bad).rejected, RejectReason::kBadSignature);
  v1::Vote stranger = h.keys.Vote(2, 1, 0, kPrevote, "");
  stranger.set_validator(std::string(32, 'z'));
  EXPECT_EQ(h.engine.OnVote(stranger).rejected, RejectReason::kUnknownValidator);
  v1::Proposal wrong = h.keys.Proposal(1, 1, -1, MakeBlock(1, "A"));  // proposer of round 1
  v1::ProposalBody body;
  ASSERT_TRUE(body.ParseFromString(wrong.body()));
  body.set_round(0);
  wrong.set_body(body.SerializeAsString());
  wrong.set_signature(h.keys.signers[2]->Sign(core::kProposalDomain, testing::kChain,
                                              wrong.body()));
  EXPECT_EQ(h.engine.OnProposal(wrong).rejected, RejectReason::kNotProposer);
  v1::Vote garbage;
  garbage.set_body("\xff\xff");
  garbage.set_validator(h.keys.signers[2]->PublicKey());
  EXPECT_EQ(h.engine.OnVote(garbage).rejected, RejectReason::kMalformed);
}

// Catch-up: a verified (block, certificate) for the current height is decided; a certificate
// short of 2f+1 is rejected.
TEST(EngineTest, CatchUpAcceptsOnlyVerifiedCertificates) {
  Harness h(0);
  (void)h.Start();
  const v1::Block a = MakeBlock(1, "A");
  const std::string hash = core::BlockHash(a);
  v1::CommitCertificate certificate;
  certificate.set_height(1);
  certificate.set_round(3);
  certificate.set_block_hash(hash);
  *certificate.add_precommits() = h.keys.Vote(1, 1, 3, kPrecommit, hash);
  *certificate.add_precommits() = h.keys.Vote(2, 1, 3, kPrecommit, hash);
  Actions short_cert = h.engine.OnCommittedBlock(a, certificate);
  EXPECT_EQ(short_cert.rejected, RejectReason::kBadCertificate);
  EXPECT_TRUE(short_cert.decisions.empty());
  *certificate.add_precommits() = h.keys.Vote(3, 1, 3, kPrecommit, hash);
  Actions ok = h.engine.OnCommittedBlock(a, certificate);
  ASSERT_EQ(ok.decisions.size(), 1u);
  Actions next = h.engine.StartNextHeight();
  EXPECT_EQ(h.engine.height(), 2u);
  EXPECT_FALSE(h.engine.decided());
}

// The proposer of (height 1, round 0) is validator 1; it proposes the app's block, signed, and
// persists the signed proposal with it.
TEST(EngineTest, ProposerProposesAndPersists) {
  Harness h(1);
  Engine proposer(h.keys.Config(), *h.keys.signers[1], h.verifier, h.app);
  Actions actions = proposer.Start(1, nullptr).value();
  ASSERT_EQ(actions.proposals.size(), 1u);
  ASSERT_TRUE(actions.persist.has_value());
  EXPECT_EQ(actions.persist->signed_proposals_size(), 1);
  EXPECT_TRUE(core::VerifySignature(h.keys.signers[1]->PublicKey(), core::kProposalDomain,
                                    testing::kChain, actions.proposals[0].body(),
                                    actions.proposals[0].signature()));
  EXPECT_EQ(h.app.built, 1);
}

}  // namespace
}  // namespace lotchain::bft
