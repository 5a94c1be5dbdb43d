// Entry points of the custody rules: envelope checks, authentication, dispatch by event.
#include "consensus/core/custody.h"
#include "consensus/core/proto_parse.h"

#include "consensus/core/crypto.h"
#include "consensus/core/custody_env.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core {

using internal::TxEnv;

Result<v1::TxBody> CheckTxStateless(const Genesis& genesis, std::string_view signed_tx_bytes,
                                    bool signature_verified, v1::SignedTx* envelope_out) {
  if (signed_tx_bytes.size() > kSignedTxBytesMax) {
    return Status(codes::kTxTooLarge, "transaction is " + std::to_string(signed_tx_bytes.size()) +
                                          " bytes; the limit is " +
                                          std::to_string(kSignedTxBytesMax));
  }
  v1::SignedTx envelope;
  if (!envelope.ParseFromArray(signed_tx_bytes.data(), static_cast<int>(signed_tx_bytes.size()))) {
    return Status(codes::kMalformedTx, "bytes are not a lotchain.v1.SignedTx encoding");
  }
  if (envelope.signer().size() != kPublicKeyBytes) {
    return Status(codes::kMalformedTx, "signer must be a 32-byte Ed25519 public key, got " +
                                           std::to_string(envelope.signer().size()) + " bytes");
  }
  if (envelope.signature().size() != kSignatureBytes) {
    return Status(codes::kMalformedTx, "signature must be 64 bytes, got " +
                                           std::to_string(envelope.signature().size()));
  }
  v1::TxBody body;
  if (!body.ParseFromString(envelope.body())) {
    return Status(codes::kMalformedTx, "body is not a lotchain.v1.TxBody encoding");
  }
  if (body.chain_id() != genesis.chain_id) {
    return Status(codes::kWrongChain, "transaction is for chain \"" + body.chain_id() +
                                          "\" but this chain is \"" + genesis.chain_id +
                                          "\"; rebuild it with the right --chain-id");
  }
  if (body.event_case() == v1::TxBody::EVENT_NOT_SET) {
    return Status(codes::kEmptyEvent, "transaction carries no custody event");
  }
  if (body.memo().size() > 256) {
    return Status(codes::kInvalidField, "memo is longer than 256 bytes");
  }
  if (!signature_verified &&
      !VerifySignature(envelope.signer(), kTxDomain, genesis.chain_id, envelope.body(),
                       envelope.signature())) {
    return Status(codes::kBadSignature,
                  "signature does not verify for signer " + ToHex(envelope.signer()) +
                      " over the body bytes; sign the exact body bytes with that key");
  }
  if (envelope_out != nullptr) *envelope_out = std::move(envelope);
  return body;
}

Result<v1::Member> CheckSigner(const StateReader& state, std::string_view signer) {
  auto org = state.Get(keys::SignerOrg(signer));
  if (!org.has_value()) {
    if (auto revoked_bytes = state.Get(keys::RevokedKey(signer))) {
      v1::RevokedKey revoked;
      ParseOwnOrDie(revoked, *revoked_bytes);
      return Status(codes::kKeyRevoked,
                    "key " + ToHex(signer) + " of member \"" + revoked.org_id() +
                        "\" may not sign since height " + std::to_string(revoked.height()) +
                        " (" + revoked.why() + "); sign with one of the member's current keys");
    }
    return Status(codes::kUnknownSigner,
                  "key " + ToHex(signer) + " belongs to no consortium member");
  }
  auto member_bytes = state.Get(keys::Member(*org));
  LOTCHAIN_ASSERT(member_bytes.has_value());
  v1::Member member;
  ParseOwnOrDie(member, *member_bytes);
  if (member.status() != v1::MEMBER_STATUS_ACTIVE) {
    return Status(codes::kMemberSuspended,
                  "member \"" + *org + "\" is suspended by governance and may not sign until a "
                  "reinstate_member proposal is adopted");
  }
  return member;
}

Result<AuthenticatedTx> AuthenticateTx(const Genesis& genesis, const StateReader& state,
                                       const TxContext& ctx, std::string_view signed_tx_bytes) {
  AuthenticatedTx tx;
  LOTCHAIN_ASSIGN_OR_RETURN(tx.body, CheckTxStateless(genesis, signed_tx_bytes,
                                                      ctx.signature_verified, &tx.envelope));
  LOTCHAIN_ASSIGN_OR_RETURN(tx.member, CheckSigner(state, tx.envelope.signer()));
  uint64_t last_nonce = 0;
  if (auto nonce_bytes = state.Get(keys::SignerNonce(tx.envelope.signer()))) {
    v1::SignerNonce nonce;
    ParseOwnOrDie(nonce, *nonce_bytes);
    last_nonce = nonce.last_nonce();
  }
  if (tx.body.nonce() <= last_nonce) {
    if (last_nonce == UINT64_MAX) {
      return Status(codes::kReplayedNonce,
                    "this key has used the largest nonce (2^64 - 1) and can sign no more "
                    "transactions; sign with another key of the organisation");
    }
    return Status(codes::kReplayedNonce,
                  "nonce " + std::to_string(tx.body.nonce()) + " is not above this key's last "
                  "committed nonce " + std::to_string(last_nonce) + "; use " +
                      std::to_string(last_nonce + 1) + " or higher");
  }
  return tx;
}

StateDelta NonceDelta(const AuthenticatedTx& tx) {
  v1::SignerNonce nonce;
  nonce.set_last_nonce(tx.body.nonce());
  StateDelta delta;
  delta.Put(keys::SignerNonce(tx.envelope.signer()), nonce.SerializeAsString());
  return delta;
}

namespace {

Status Dispatch(TxEnv& env, const v1::TxBody& body) {
  using B = v1::TxBody;
  switch (body.event_case()) {
    case B::kRegisterFacility: return internal::ApplyRegisterFacility(env, body.register_facility());
    case B::kCreateOriginLot: return internal::ApplyCreateOriginLot(env, body.create_origin_lot());
    case B::kOfferTransfer: return internal::ApplyOfferTransfer(env, body.offer_transfer());
    case B::kAcceptTransfer: return internal::ApplyAcceptTransfer(env, body.accept_transfer());
    case B::kRejectTransfer: return internal::ApplyRejectTransfer(env, body.reject_transfer());
    case B::kCancelTransfer: return internal::ApplyCancelTransfer(env, body.cancel_transfer());
    case B::kTransform: return internal::ApplyTransform(env, body.transform());
    case B::kRecover: return internal::ApplyRecover(env, body.recover());
    case B::kRecordAudit: return internal::ApplyRecordAudit(env, body.record_audit());
    case B::kRaiseRiskFlag: return internal::ApplyRaiseRiskFlag(env, body.raise_risk_flag());
    case B::kResolveRiskFlag: return internal::ApplyResolveRiskFlag(env, body.resolve_risk_flag());
    case B::kRegisterBattery: return internal::ApplyRegisterBattery(env, body.register_battery());
    case B::kUpdateStateOfHealth:
      return internal::ApplyUpdateStateOfHealth(env, body.update_state_of_health());
    case B::kRepurpose: return internal::ApplyRepurpose(env, body.repurpose());
    case B::kRetire: return internal::ApplyRetire(env, body.retire());
    case B::kProposeChange: return internal::ApplyProposeChange(env, body.propose_change());
    case B::kApproveProposal: return internal::ApplyApproveProposal(env, body.approve_proposal());
    case B::kRejectProposal: return internal::ApplyRejectProposal(env, body.reject_proposal());
    case B::kRotateKey: return internal::ApplyRotateKey(env, body.rotate_key());
    case B::EVENT_NOT_SET: break;
  }
  return Status(codes::kEmptyEvent, "transaction carries no custody event");
}

}  // namespace

Result<StateDelta> ApplyAuthenticated(const Genesis& genesis, const StateReader& state,
                                      const TxContext& ctx, const AuthenticatedTx& tx) {
  LOTCHAIN_ASSERT(ctx.tx_hash.size() == kHashBytes);
  TxEnv env(genesis, state, ctx, tx.member, tx.envelope.signer());
  LOTCHAIN_RETURN_IF_ERROR(Dispatch(env, tx.body));
  StateDelta delta = env.TakeDelta();
  delta.Merge(NonceDelta(tx));
  return delta;
}

Result<StateDelta> ApplyTx(const Genesis& genesis, const StateReader& state,
                           const TxContext& ctx, std::string_view signed_tx_bytes) {
  LOTCHAIN_ASSIGN_OR_RETURN(AuthenticatedTx tx,
                            AuthenticateTx(genesis, state, ctx, signed_tx_bytes));
  return ApplyAuthenticated(genesis, state, ctx, tx);
}

}  // namespace lotchain::core
