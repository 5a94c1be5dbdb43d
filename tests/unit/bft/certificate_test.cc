#include "consensus/core/certificate.h"

#include <gtest/gtest.h>

#include "tests/unit/bft/fixture.h"

namespace lotchain::core {
namespace {

using bft::testing::Keys;

v1::CommitCertificate Cert(const Keys& keys, const std::vector<size_t>& signers,
                           const std::string& hash) {
  v1::CommitCertificate certificate;
  certificate.set_height(5);
  certificate.set_round(2);
  certificate.set_block_hash(hash);
  for (size_t who : signers) {
    *certificate.add_precommits() = keys.Vote(who, 5, 2, v1::VOTE_TYPE_PRECOMMIT, hash);
  }
  return certificate;
}

// 2f+1 = 3 distinct precommits of 4 validators make a certificate; 2 do not.
TEST(CertificateTest, NeedsQuorumOfDistinctValidators) {
  Keys keys;
  const std::string hash = Sha256("block");
  EXPECT_TRUE(VerifyCommitCertificate(keys.validators, Cert(keys, {0, 1, 3}, hash), {5, hash}).ok());
  Status two = VerifyCommitCertificate(keys.validators, Cert(keys, {0, 1}, hash), {5, hash});
  EXPECT_EQ(two.code(), "BAD_CERTIFICATE");
  Status dup = VerifyCommitCertificate(keys.validators, Cert(keys, {0, 1, 1}, hash), {5, hash});
  EXPECT_EQ(dup.code(), "BAD_CERTIFICATE");
}

// A certificate proves one (height, block): it fails for another block or height, with a forged
// signature, or when a vote is a prevote or from another round.
TEST(CertificateTest, RejectsMismatchesAndForgeries) {
  Keys keys;
  const std::string hash = Sha256("block");
  v1::CommitCertificate good = Cert(keys, {0, 1, 2}, hash);
  EXPECT_FALSE(VerifyCommitCertificate(keys.validators, good, {5, Sha256("other")}).ok());
  EXPECT_FALSE(VerifyCommitCertificate(keys.validators, good, {6, hash}).ok());
  v1::CommitCertificate forged = good;
  (*forged.mutable_precommits(1)->mutable_signature())[0] ^= 1;
  EXPECT_EQ(VerifyCommitCertificate(keys.validators, forged, {5, hash}).code(), "BAD_SIGNATURE");
  v1::CommitCertificate prevote = good;
  *prevote.mutable_precommits(2) = keys.Vote(2, 5, 2, v1::VOTE_TYPE_PREVOTE, hash);
  EXPECT_EQ(VerifyCommitCertificate(keys.validators, prevote, {5, hash}).code(),
            "BAD_CERTIFICATE");
  v1::CommitCertificate other_round = good;
  *other_round.mutable_precommits(2) = keys.Vote(2, 5, 1, v1::VOTE_TYPE_PRECOMMIT, hash);
  EXPECT_FALSE(VerifyCommitCertificate(keys.validators, other_round, {5, hash}).ok());
}

// Quorum is n - f, which is 2f + 1 for n = 3f + 1 and stays safe for other n.
TEST(CertificateTest, QuorumSizes) {
  Keys keys;
  EXPECT_EQ(keys.validators.FaultsTolerated(), 1u);
  EXPECT_EQ(keys.validators.Quorum(), 3u);
  std::vector<std::string> seven;
  for (int i = 0; i < 7; ++i) seven.push_back(Sha256("k" + std::to_string(i)));
  ValidatorSet set = ValidatorSet::Create("c", seven).value();
  EXPECT_EQ(set.Quorum(), 5u);
  std::vector<std::string> five(seven.begin(), seven.begin() + 5);
  EXPECT_EQ(ValidatorSet::Create("c", five).value().Quorum(), 4u);
  EXPECT_FALSE(ValidatorSet::Create("c", {seven[0], seven[0]}).ok());
}

}  // namespace
}  // namespace lotchain::core
