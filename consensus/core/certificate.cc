#include "consensus/core/certificate.h"

#include <algorithm>
#include <string>
#include <vector>

#include "consensus/core/merkle.h"

namespace lotchain::core {

Result<ValidatorSet> ValidatorSet::FromGenesis(const Genesis& genesis) {
  std::vector<std::string> keys;
  keys.reserve(genesis.validators.size());
  for (const GenesisValidator& validator : genesis.validators) keys.push_back(validator.public_key);
  return Create(genesis.chain_id, std::move(keys));
}

Result<ValidatorSet> ValidatorSet::Create(std::string chain_id,
                                          std::vector<std::string> public_keys) {
  if (public_keys.empty() || public_keys.size() > kValidatorSetSizeMax) {
    return Status("BAD_VALIDATOR_SET", "a validator set has 1.." +
                                           std::to_string(kValidatorSetSizeMax) + " keys, got " +
                                           std::to_string(public_keys.size()));
  }
  std::vector<std::string> sorted = public_keys;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i].size() != kPublicKeyBytes) {
      return Status("BAD_VALIDATOR_SET", "validator keys are 32 bytes");
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return Status("BAD_VALIDATOR_SET", "duplicate validator key " + ToHex(sorted[i]));
    }
  }
  ValidatorSet set;
  set.chain_id_ = std::move(chain_id);
  set.public_keys_ = std::move(public_keys);
  return set;
}

const std::string& ValidatorSet::key(size_t index) const {
  LOTCHAIN_ASSERT(index < public_keys_.size());
  return public_keys_[index];
}

std::optional<size_t> ValidatorSet::IndexOf(std::string_view public_key) const {
  for (size_t i = 0; i < public_keys_.size(); ++i) {
    if (public_keys_[i] == public_key) return i;
  }
  return std::nullopt;
}

size_t ValidatorSet::ProposerIndex(uint64_t height, uint32_t round) const {
  LOTCHAIN_ASSERT(!public_keys_.empty());
  return static_cast<size_t>((height + round) % public_keys_.size());
}

std::string ValidatorSet::Hash() const {
  std::string all;
  for (const std::string& key : public_keys_) all += key;
  return Sha256(all);
}

std::string BlockHash(const v1::Block& block) { return Sha256(block.header()); }

bool BlockBodyMatchesHeader(const v1::Block& block, const v1::BlockHeader& header) {
  if (header.tx_count() != static_cast<uint32_t>(block.txs_size())) return false;
  const std::vector<std::string> txs(block.txs().begin(), block.txs().end());
  return MerkleRoot(txs) == header.tx_root();
}

namespace {

class LibsodiumVerifier final : public SignatureVerifier {
 public:
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override {
    return VerifySignature(public_key, domain, chain_id, bytes, signature);
  }
};

}  // namespace

const SignatureVerifier& DefaultSignatureVerifier() {
  static const LibsodiumVerifier verifier;
  return verifier;
}

Result<VerifiedVote> VerifyVote(const ValidatorSet& validators, const v1::Vote& vote,
                                const SignatureVerifier& verifier) {
  if (vote.body().size() > kVoteBytesMax) return Status("BAD_VOTE", "vote body too large");
  std::optional<size_t> index = validators.IndexOf(vote.validator());
  if (!index) return Status("UNKNOWN_VALIDATOR", "vote signer is not a validator");
  VerifiedVote out;
  out.validator_index = *index;
  if (!out.body.ParseFromString(vote.body())) return Status("BAD_VOTE", "vote body is malformed");
  if (out.body.type() != v1::VOTE_TYPE_PREVOTE && out.body.type() != v1::VOTE_TYPE_PRECOMMIT) {
    return Status("BAD_VOTE", "vote type is neither prevote nor precommit");
  }
  if (out.body.chain_id() != validators.chain_id()) {
    return Status("WRONG_CHAIN", "vote is for chain '" + out.body.chain_id() + "'");
  }
  if (!out.body.block_hash().empty() && out.body.block_hash().size() != kHashBytes) {
    return Status("BAD_VOTE", "vote block hash is neither empty nor 32 bytes");
  }
  if (!verifier.Verify(vote.validator(), kVoteDomain, validators.chain_id(), vote.body(),
                       vote.signature())) {
    return Status("BAD_SIGNATURE", "vote signature does not verify");
  }
  return out;
}

Status VerifyCommitCertificate(const ValidatorSet& validators,
                               const v1::CommitCertificate& certificate,
                               const CertificateClaim& claim,
                               const SignatureVerifier& verifier) {
  LOTCHAIN_ASSERT(validators.size() > 0);
  if (certificate.height() != claim.height || certificate.block_hash() != claim.block_hash ||
      claim.block_hash.size() != kHashBytes) {
    return Status("BAD_CERTIFICATE", "certificate is not for the claimed height and block");
  }
  const size_t count = static_cast<size_t>(certificate.precommits_size());
  if (count > validators.size()) return Status("BAD_CERTIFICATE", "more votes than validators");
  std::vector<bool> seen(validators.size(), false);
  for (size_t i = 0; i < count; ++i) {
    const std::string where = "precommit " + std::to_string(i) + ": ";
    Result<VerifiedVote> vote =
        VerifyVote(validators, certificate.precommits(static_cast<int>(i)), verifier);
    if (!vote.ok()) return Status::FromCode(vote.status().code(), where + vote.status().message());
    const v1::VoteBody& body = vote->body;
    if (body.type() != v1::VOTE_TYPE_PRECOMMIT || body.height() != claim.height ||
        body.round() != certificate.round() || body.block_hash() != claim.block_hash) {
      return Status("BAD_CERTIFICATE", where + "not a precommit for this height, round and block");
    }
    if (seen[vote->validator_index]) return Status("BAD_CERTIFICATE", where + "duplicate signer");
    seen[vote->validator_index] = true;
  }
  if (count < validators.Quorum()) {
    return Status("BAD_CERTIFICATE", "only " + std::to_string(count) + " precommits; need " +
                                         std::to_string(validators.Quorum()));
  }
  return Status::Ok();
}

}  // namespace lotchain::core
