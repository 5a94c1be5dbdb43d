// Fuzz target: the transaction decoders. Every transaction arrives from a client or a peer as
// SignedTx bytes whose `body` holds TxBody bytes (proto/lotchain/v1/tx.proto). This target parses
// the input as a SignedTx, then its body as a TxBody, and also the input directly as a TxBody
// (so the fuzzer need not learn the envelope to reach the body decoder). On every parse it
// checks the re-encoding is stable (fuzz_proto.h) and runs signature verification over the
// received bytes, which must not crash whatever the key, signature and chain id.
//
// Targets for CheckTxStateless and the block executor belong beside this one (fuzz_targets.h).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "consensus/core/crypto.h"
#include "lotchain/v1/tx.pb.h"
#include "tests/fuzz/fuzz_proto.h"
#include "tests/fuzz/fuzz_target.h"

namespace lotchain::fuzz {

int FuzzSignedTx(const uint8_t* data, size_t size) {
  core::InitCrypto();
  SilenceProtobufLogging();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  v1::SignedTx envelope;
  if (ParseAndCheckStable(bytes, envelope)) {
    v1::TxBody body;
    bool body_ok = ParseAndCheckStable(envelope.body(), body);
    std::string_view chain_id = body_ok ? std::string_view(body.chain_id()) : std::string_view();
    // The result does not matter here (a valid signature needs the secret key); the call
    // must be safe for any sizes and contents.
    static_cast<void>(core::VerifySignature(envelope.signer(), core::kTxDomain, chain_id,
                                            envelope.body(), envelope.signature()));
  }

  v1::TxBody direct;
  static_cast<void>(ParseAndCheckStable(bytes, direct));
  return 0;
}

}  // namespace lotchain::fuzz

LOTCHAIN_FUZZ_ENTRY(FuzzSignedTx)
