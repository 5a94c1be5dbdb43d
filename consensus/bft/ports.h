// Ports: what the engine needs from its host, as abstract interfaces. The node implements them
// over its key store and executor; the simulator over in-memory state. All calls are made
// synchronously from inside an engine method, on the engine's thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/certificate.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::bft {

// Holds the validator's key. Sign returns a signature over
// core::SigningPayload(domain, chain_id, bytes) (see core::SecretKey::Sign).
class Signer {
 public:
  virtual ~Signer() = default;
  virtual std::string PublicKey() const = 0;
  virtual std::string Sign(std::string_view domain, std::string_view chain_id,
                           std::string_view bytes) const = 0;
};

// Checks signatures (core/certificate.h): the engine verifies every vote through its host's,
// which may memoise.
using SignatureVerifier = core::SignatureVerifier;

// The application: builds and checks blocks on top of the last decided block (execute-then-vote:
// a header commits to the post-state, so checking means executing).
class BlockApp {
 public:
  virtual ~BlockApp() = default;
  // Called when this validator proposes a fresh value at (height, round).
  virtual v1::Block BuildBlock(uint64_t height, uint32_t round) = 0;
  // Deterministic verdict on a proposed block for `height`; the engine caches it per hash.
  virtual bool ValidateBlock(uint64_t height, const v1::Block& block) = 0;
};

}  // namespace lotchain::bft
