// Hashing and signatures (libsodium): SHA-256 and Ed25519 (RFC 8032).
//
// Every signature covers  domain || 0x00 || chain_id || 0x00 || bytes  (SigningPayload), with a
// distinct domain per message type, so a signature made for one purpose or chain can never be
// replayed as another. Byte strings are std::string (as in protobuf `bytes` fields).
// Thread-safe; call InitCrypto() once before use (idempotent).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/result.h"

namespace lotchain::core {

inline constexpr std::string_view kTxDomain = "lotchain/tx/v1";
inline constexpr std::string_view kProposalDomain = "lotchain/proposal/v1";
inline constexpr std::string_view kVoteDomain = "lotchain/vote/v1";
inline constexpr std::string_view kHandshakeDomain = "lotchain/handshake/v1";

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSeedBytes = 32;
inline constexpr size_t kSignatureBytes = 64;

// Initialises libsodium; aborts if it cannot (no secure RNG, which means a broken machine).
void InitCrypto();

std::string Sha256(std::string_view data);
// The same digest into a caller's 32-byte buffer (no allocation; the state tree's hot path).
void Sha256Into(std::string_view data, unsigned char* out);

// domain || 0x00 || chain_id || 0x00 || bytes.
std::string SigningPayload(std::string_view domain, std::string_view chain_id,
                           std::string_view bytes);

// An Ed25519 secret key (libsodium's 64-byte seed||public form), wiped on destruction.
class SecretKey {
 public:
  SecretKey() = default;
  ~SecretKey();
  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;

  // Derives the key pair from a 32-byte seed (RFC 8032 private key).
  static Result<SecretKey> FromSeed(std::string_view seed);

  std::string PublicKey() const;  // 32 bytes
  std::string Seed() const;       // 32 bytes; handle with care
  bool valid() const { return valid_; }

  // Signature over SigningPayload(domain, chain_id, bytes).
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const;
  // Raw RFC 8032 signature of `message` (used by the published test vectors).
  std::string SignRaw(std::string_view message) const;

 private:
  std::array<unsigned char, 64> key_{};
  bool valid_ = false;
};

// True iff `signature` is a valid Ed25519 signature by `public_key` over
// SigningPayload(domain, chain_id, bytes). Malformed sizes are simply invalid.
bool VerifySignature(std::string_view public_key, std::string_view domain,
                     std::string_view chain_id, std::string_view bytes,
                     std::string_view signature);
bool VerifyRaw(std::string_view public_key, std::string_view message,
               std::string_view signature);

std::string ToHex(std::string_view bytes);
// Lower- or upper-case hex; error code BAD_HEX names the offending position.
Result<std::string> FromHex(std::string_view hex);

}  // namespace lotchain::core
