// The custody state machine: one signed transaction against a state.
//
//   ApplyTx(genesis, state, ctx, signed_tx_bytes) -> StateDelta | Status(code, message)
//
// Pure: no I/O, clock or randomness; time comes from the agreed block time in `ctx`. On error
// nothing is written (the delta is discarded by the caller). Error codes are stable and listed
// in custody_codes.h and docs/CUSTODY.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/state.pb.h"
#include "lotchain/v1/tx.pb.h"

namespace lotchain::core {

inline constexpr size_t kSignedTxBytesMax = 64u << 10;
inline constexpr size_t kTransformInputsMax = 64;
inline constexpr size_t kTransformOutputsMax = 64;
inline constexpr size_t kParentsMax = 64;
inline constexpr size_t kIdBytesMax = 64;

struct TxContext {
  uint64_t height = 0;
  int64_t time_unix_ms = 0;
  uint32_t tx_index = 0;
  std::string tx_hash;  // 32 bytes
  bool signature_verified = false;  // skip the Ed25519 check (already done on this exact tx)
};

// Stateless checks plus decoding: size, envelope, chain id, signature. Used by the mempool and
// by ApplyTx. On success returns the decoded body.
Result<v1::TxBody> CheckTxStateless(const Genesis& genesis, std::string_view signed_tx_bytes,
                                    bool signature_verified, v1::SignedTx* envelope_out);

// A transaction whose envelope, signature, signer and nonce have been checked against a state.
struct AuthenticatedTx {
  v1::SignedTx envelope;
  v1::TxBody body;
  v1::Member member;  // the signer's organisation
};

// The member a key signs for, if it may sign now: UNKNOWN_SIGNER, KEY_REVOKED (rotated away or
// revoked by governance) or MEMBER_SUSPENDED otherwise.
Result<v1::Member> CheckSigner(const StateReader& state, std::string_view signer);

// CheckTxStateless + CheckSigner + fresh nonce (codes UNKNOWN_SIGNER, REPLAYED_NONCE).
Result<AuthenticatedTx> AuthenticateTx(const Genesis& genesis, const StateReader& state,
                                       const TxContext& ctx, std::string_view signed_tx_bytes);

// Applies the event of an authenticated transaction; the delta includes the nonce update.
Result<StateDelta> ApplyAuthenticated(const Genesis& genesis, const StateReader& state,
                                      const TxContext& ctx, const AuthenticatedTx& tx);

// The delta that only consumes the transaction's nonce (written for rejected authentic txs).
StateDelta NonceDelta(const AuthenticatedTx& tx);

// AuthenticateTx then ApplyAuthenticated.
Result<StateDelta> ApplyTx(const Genesis& genesis, const StateReader& state,
                           const TxContext& ctx, std::string_view signed_tx_bytes);

// Battery data may be registered only on cells, modules and packs (not on waste or scrap).
bool IsBatteryProduct(const v1::Lot& lot);

// Whether a Transform of `process` may declare outputs manufacturing scrap: only the battery
// manufacturing steps (precursor, cathode, anode, cell, module, pack; EU 2023/1542 Art. 8).
bool MayDeclareScrap(v1::ProcessKind process);

// Whether `lot` is waste that a Recover of `source` may take (docs/CUSTODY.md "Rules that keep
// figures honest"): post-consumer takes registered batteries or post-consumer recovered
// material; pre-consumer takes manufacturing scrap declared by its producer or pre-consumer
// recovered material. Origin lots and ordinary products are neither.
bool IsRecoverableAs(const v1::Lot& lot, v1::RecycledSource source);

}  // namespace lotchain::core
