// The p2p wire format (docs/P2P.md): the handshake hello, session-key derivation, the handshake
// transcript, and AEAD-sealed, length-prefixed frames.
//
// Pure functions and small value types, no I/O: the transport drives them, and the tests and
// fuzz tests call them directly. Every decoder here accepts arbitrary bytes and answers with a
// value (never an assertion) when they are malformed. Secret material is wiped with
// sodium_memzero when its holder is destroyed. Not thread-safe per object; no shared state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lotchain::node::wire {

// "LOTP2P1\0": protocol name and version. A new wire format gets a new magic.
inline constexpr std::string_view kHelloMagic{"LOTP2P1\0", 8};
// The part of the magic every lotchain p2p version shares; the next byte is the version.
inline constexpr std::string_view kHelloMagicFamily{"LOTP2P", 6};
// Pure: `bytes` starts like a hello of another version ("LOTP2P" + another version byte).
inline bool IsOtherVersionHello(std::string_view bytes) {
  return bytes.size() >= kHelloMagic.size() && bytes.starts_with(kHelloMagicFamily) &&
         !bytes.starts_with(kHelloMagic);
}
inline constexpr size_t kKeyBytes = 32;        // X25519 and Ed25519 public keys, session keys
inline constexpr size_t kChainHashBytes = 32;  // SHA-256(chain_id)
// magic || SHA-256(chain_id) || ephemeral X25519 public key || Ed25519 identity public key.
inline constexpr size_t kHelloBytes = kHelloMagic.size() + kChainHashBytes + 2 * kKeyBytes;
inline constexpr size_t kLengthPrefixBytes = 4;  // u32 big-endian ciphertext length
inline constexpr size_t kTagBytes = 16;          // ChaCha20-Poly1305 authentication tag
inline constexpr size_t kNonceBytes = 12;        // IETF variant
inline constexpr size_t kSignatureBytes = 64;    // Ed25519
// The first sealed frame in each direction carries exactly one signature.
inline constexpr size_t kAuthCiphertextBytes = kSignatureBytes + kTagBytes;
// Largest plaintext any configuration may allow, so ciphertext lengths fit a u32 with room.
inline constexpr size_t kFramePlaintextBytesLimit = size_t{1} << 28;
static_assert(kFramePlaintextBytesLimit + kTagBytes <= UINT32_MAX);
static_assert(kHelloBytes == 104);

// Who opened the TCP connection. The dialer is the crypto_kx client, the acceptor the server.
// The byte value is the role byte appended to the signed transcript.
enum class Role : char { kClient = 'C', kServer = 'S' };

struct Hello {
  std::string chain_hash;     // 32 bytes
  std::string ephemeral_key;  // 32 bytes, X25519 (crypto_kx) public key
  std::string identity_key;   // 32 bytes, Ed25519 public key
};

// Requires each field to have its fixed size. Returns exactly kHelloBytes bytes.
std::string EncodeHello(const Hello& hello);
// `bytes` may be anything. Returns nullopt unless it is kHelloBytes long and starts with the
// magic. Chain and identity checks are the caller's (it knows the chain and the peer set).
std::optional<Hello> DecodeHello(std::string_view bytes);

// A fresh crypto_kx key pair; the secret half is wiped on destruction.
class EphemeralKeyPair {
 public:
  EphemeralKeyPair();  // generates (libsodium CSPRNG)
  ~EphemeralKeyPair();
  EphemeralKeyPair(const EphemeralKeyPair&) = delete;
  EphemeralKeyPair& operator=(const EphemeralKeyPair&) = delete;

  std::string PublicKey() const;
  const std::array<unsigned char, kKeyBytes>& secret() const { return secret_; }
  const std::array<unsigned char, kKeyBytes>& public_key() const { return public_; }

 private:
  std::array<unsigned char, kKeyBytes> public_{};
  std::array<unsigned char, kKeyBytes> secret_{};
};

// One key per direction: `rx` opens what the peer sealed, `tx` seals what we send.
struct SessionKeys {
  SessionKeys() = default;
  ~SessionKeys();
  SessionKeys(const SessionKeys&) = default;
  SessionKeys& operator=(const SessionKeys&) = default;
  std::array<unsigned char, kKeyBytes> rx{};
  std::array<unsigned char, kKeyBytes> tx{};
};

// crypto_kx_client_session_keys / crypto_kx_server_session_keys according to `role`. Returns
// nullopt if the peer's ephemeral key is malformed or yields a degenerate shared secret.
std::optional<SessionKeys> DeriveSessionKeys(Role role, const EphemeralKeyPair& own,
                                             std::string_view peer_ephemeral_key);

// client_hello || server_hello || role byte of the signer. Each side signs it with its role and
// verifies the other's signature over the other role (core::kHandshakeDomain, chain id).
std::string Transcript(std::string_view client_hello, std::string_view server_hello, Role signer);

// u32 big-endian length prefix of a sealed frame (the ciphertext length, tag included).
std::array<char, kLengthPrefixBytes> EncodeLength(uint32_t ciphertext_bytes);
// `prefix` must be kLengthPrefixBytes long.
uint32_t DecodeLength(std::string_view prefix);
// A ciphertext length is acceptable iff it holds a tag and at most `plaintext_bytes_max`.
bool CiphertextLengthValid(uint32_t ciphertext_bytes, size_t plaintext_bytes_max);

// Nonce of the frame number `counter` in one direction: 4 zero bytes || u64 big-endian counter.
std::array<unsigned char, kNonceBytes> FrameNonce(uint64_t counter);

// Seals frames in one direction with crypto_aead_chacha20poly1305_ietf; the associated data is
// the frame's length prefix. The counter starts at 0 and increases by one per frame; keys are
// per connection and per direction, so a (key, nonce) pair never repeats.
class FrameSealer {
 public:
  explicit FrameSealer(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  ~FrameSealer();
  FrameSealer(const FrameSealer&) = delete;
  FrameSealer& operator=(const FrameSealer&) = delete;

  // Appends length prefix || ciphertext to `wire`. Requires plaintext.size() <=
  // kFramePlaintextBytesLimit.
  void SealAppend(std::string_view plaintext, std::string& wire);
  uint64_t counter() const { return counter_; }

 private:
  std::array<unsigned char, kKeyBytes> key_;
  uint64_t counter_ = 0;
};

// Opens frames sealed by the peer's FrameSealer, in order.
class FrameOpener {
 public:
  explicit FrameOpener(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  ~FrameOpener();
  FrameOpener(const FrameOpener&) = delete;
  FrameOpener& operator=(const FrameOpener&) = delete;

  // `prefix` is the 4-byte length prefix, `ciphertext` the bytes it announced (any bytes are
  // accepted). Returns the plaintext, or nullopt if the frame fails authentication; the counter
  // advances only on success.
  std::optional<std::string> Open(std::string_view prefix, std::string_view ciphertext);
  uint64_t counter() const { return counter_; }

 private:
  std::array<unsigned char, kKeyBytes> key_;
  uint64_t counter_ = 0;
};

}  // namespace lotchain::node::wire
