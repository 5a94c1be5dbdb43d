// Validator sets, vote verification and commit certificates.
//
// A commit certificate proves that a block was decided at a height: it carries precommits
// (VoteBody{height, round, PRECOMMIT, block_hash}) signed over
// SigningPayload(kVoteDomain, chain_id, body bytes) by a quorum of DISTINCT validators.
// VerifyCommitCertificate is the one function that checks it; the BFT engine, the node's sync
// code and the auditor's proof verifier all call it. Pure functions; thread-safe.
//
// Quorum: with n validators and f = (n - 1) / 3, a quorum is n - f (= 2f + 1 when n = 3f + 1).
// Any two quorums then share at least f + 1 validators, so at least one honest one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::core {

inline constexpr size_t kValidatorSetSizeMax = 100;
inline constexpr size_t kVoteBytesMax = 512;

class ValidatorSet {
 public:
  ValidatorSet() = default;
  // `public_keys`: 32-byte Ed25519 keys, distinct, in genesis order (the proposer rotation).
  static Result<ValidatorSet> Create(std::string chain_id, std::vector<std::string> public_keys);
  // The validators of a parsed genesis, in genesis order.
  static Result<ValidatorSet> FromGenesis(const Genesis& genesis);

  const std::string& chain_id() const { return chain_id_; }
  size_t size() const { return public_keys_.size(); }
  const std::string& key(size_t index) const;
  std::optional<size_t> IndexOf(std::string_view public_key) const;
  size_t FaultsTolerated() const { return (size() - 1) / 3; }
  size_t Quorum() const { return size() - FaultsTolerated(); }
  // Round-robin proposer for (height, round).
  size_t ProposerIndex(uint64_t height, uint32_t round) const;
  // BlockHeader.validators_hash: SHA-256 of the public keys concatenated in genesis order.
  std::string Hash() const;

 private:
  std::string chain_id_;
  std::vector<std::string> public_keys_;
};

// SHA-256 of the serialized header bytes carried in the block.
std::string BlockHash(const v1::Block& block);

// The block's transactions are the ones its header commits to (tx_count and tx_root). The block
// hash covers only the header, so without this a proposer could pair an honest header with other
// transactions, and caches keyed by the hash would take them for the block they checked.
bool BlockBodyMatchesHeader(const v1::Block& block, const v1::BlockHeader& header);

// Checks signatures; the default is VerifySignature. A host may memoise it (the verdict is a
// pure function of the arguments): the BFT engine takes its host's (bft::SignatureVerifier).
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  virtual bool Verify(std::string_view public_key, std::string_view domain,
                      std::string_view chain_id, std::string_view bytes,
                      std::string_view signature) const = 0;
};
const SignatureVerifier& DefaultSignatureVerifier();

struct VerifiedVote {
  v1::VoteBody body;
  size_t validator_index = 0;
};

// The one check of a vote, used by the engine for every vote it receives and by
// VerifyCommitCertificate for every precommit: size, signer membership, body (parses, a
// prevote or precommit, of this chain, block hash empty or 32 bytes), then the signature over
// the exact body bytes — the cheap checks first, so a malformed vote costs no signature check.
// Error codes: BAD_VOTE (malformed), UNKNOWN_VALIDATOR, WRONG_CHAIN, BAD_SIGNATURE.
Result<VerifiedVote> VerifyVote(const ValidatorSet& validators, const v1::Vote& vote,
                                const SignatureVerifier& verifier = DefaultSignatureVerifier());

struct CertificateClaim {
  uint64_t height = 0;
  std::string block_hash;  // 32 bytes
};

// OK iff `certificate` carries precommits for exactly (claim.height, certificate.round,
// claim.block_hash) with valid signatures from at least Quorum() distinct validators of
// `validators`, and nothing else. Error codes: BAD_CERTIFICATE (mismatch, duplicate signer,
// too few or too many votes, a vote of the wrong type/height/round/hash) or the VerifyVote code
// of the first bad vote; the message names the vote index.
Status VerifyCommitCertificate(const ValidatorSet& validators,
                               const v1::CommitCertificate& certificate,
                               const CertificateClaim& claim,
                               const SignatureVerifier& verifier = DefaultSignatureVerifier());

}  // namespace lotchain::core
