#include "node/p2p/wire.h"

#include <sodium.h>

#include "consensus/core/assert.h"

namespace lotchain::node::wire {

static_assert(kTagBytes == crypto_aead_chacha20poly1305_ietf_ABYTES);
static_assert(kNonceBytes == crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
static_assert(kKeyBytes == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_kx_PUBLICKEYBYTES);
static_assert(kKeyBytes == crypto_kx_SECRETKEYBYTES);
static_assert(kKeyBytes == crypto_kx_SESSIONKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);

namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string EncodeHello(const Hello& hello) {
  LOTCHAIN_ASSERT(hello.chain_hash.size() == kChainHashBytes);
  LOTCHAIN_ASSERT(hello.ephemeral_key.size() == kKeyBytes);
  LOTCHAIN_ASSERT(hello.identity_key.size() == kKeyBytes);
  std::string out;
  out.reserve(kHelloBytes);
  out.append(kHelloMagic);
  out.append(hello.chain_hash);
  out.append(hello.ephemeral_key);
  out.append(hello.identity_key);
  LOTCHAIN_ASSERT(out.size() == kHelloBytes);
  return out;
}

std::optional<Hello> DecodeHello(std::string_view bytes) {
  if (bytes.size() != kHelloBytes) return std::nullopt;
  if (bytes.substr(0, kHelloMagic.size()) != kHelloMagic) return std::nullopt;
  size_t offset = kHelloMagic.size();
  Hello hello;
  hello.chain_hash = std::string(bytes.substr(offset, kChainHashBytes));
  offset += kChainHashBytes;
  hello.ephemeral_key = std::string(bytes.substr(offset, kKeyBytes));
  offset += kKeyBytes;
  hello.identity_key = std::string(bytes.substr(offset, kKeyBytes));
  LOTCHAIN_ASSERT(offset + kKeyBytes == kHelloBytes);
  return hello;
}

EphemeralKeyPair::EphemeralKeyPair() {
  LOTCHAIN_ASSERT(crypto_kx_keypair(public_.data(), secret_.data()) == 0);
}

EphemeralKeyPair::~EphemeralKeyPair() { sodium_memzero(secret_.data(), secret_.size()); }

std::string EphemeralKeyPair::PublicKey() const {
  return std::string(reinterpret_cast<const char*>(public_.data()), public_.size());
}

SessionKeys::~SessionKeys() {
  sodium_memzero(rx.data(), rx.size());
  sodium_memzero(tx.data(), tx.size());
}

std::optional<SessionKeys> DeriveSessionKeys(Role role, const EphemeralKeyPair& own,
                                             std::string_view peer_ephemeral_key) {
  if (peer_ephemeral_key.size() != kKeyBytes) return std::nullopt;
  SessionKeys keys;
  // Both functions fail (-1) when the peer key is a low-order point, i.e. the X25519 result
  // would be all zeros and the "secret" known to anyone.
  int rc =
      role == Role::kClient
          ? crypto_kx_client_session_keys(keys.rx.data(), keys.tx.data(), own.public_key().data(),
                                          own.secret().data(), Bytes(peer_ephemeral_key))
          : crypto_kx_server_session_keys(keys.rx.data(), keys.tx.data(), own.public_key().data(),
                                          own.secret().data(), Bytes(peer_ephemeral_key));
  if (rc != 0) return std::nullopt;
  return keys;
}

std::string Transcript(std::string_view client_hello, std::string_view server_hello, Role signer) {
  std::string out;
  out.reserve(client_hello.size() + server_hello.size() + 1);
  out.append(client_hello);
  out.append(server_hello);
  out.push_back(static_cast<char>(signer));
  return out;
}

std::array<char, kLengthPrefixBytes> EncodeLength(uint32_t ciphertext_bytes) {
  return {static_cast<char>((ciphertext_bytes >> 24) & 0xff),
          static_cast<char>((ciphertext_bytes >> 16) & 0xff),
          static_cast<char>((ciphertext_bytes >> 8) & 0xff),
          static_cast<char>(ciphertext_bytes & 0xff)};
}

uint32_t DecodeLength(std::string_view prefix) {
  LOTCHAIN_ASSERT(prefix.size() == kLengthPrefixBytes);
  uint32_t n = 0;
  for (char c : prefix) n = (n << 8) | static_cast<unsigned char>(c);
  return n;
}

bool CiphertextLengthValid(uint32_t ciphertext_bytes, size_t plaintext_bytes_max) {
  if (ciphertext_bytes < kTagBytes) return false;
  return ciphertext_bytes - kTagBytes <= plaintext_bytes_max;
}

std::array<unsigned char, kNonceBytes> FrameNonce(uint64_t counter) {
  std::array<unsigned char, kNonceBytes> nonce{};
  for (size_t i = 0; i < 8; ++i) {
    nonce[kNonceBytes - 1 - i] = static_cast<unsigned char>((counter >> (8 * i)) & 0xff);
  }
  return nonce;
}

FrameSealer::~FrameSealer() { sodium_memzero(key_.data(), key_.size()); }

void FrameSealer::SealAppend(std::string_view plaintext, std::string& wire) {
  LOTCHAIN_ASSERT(plaintext.size() <= kFramePlaintextBytesLimit);
  // 2^64 frames cannot be sent in the lifetime of a connection; reaching it is a bug.
  LOTCHAIN_ASSERT(counter_ != UINT64_MAX);
  const auto ciphertext_bytes = static_cast<uint32_t>(plaintext.size() + kTagBytes);
  const std::array<char, kLengthPrefixBytes> prefix = EncodeLength(ciphertext_bytes);
  const size_t start = wire.size();
  wire.append(prefix.data(), prefix.size());
  wire.resize(start + kLengthPrefixBytes + ciphertext_bytes);
  auto* out = reinterpret_cast<unsigned char*>(wire.data()) + start + kLengthPrefixBytes;
  const std::array<unsigned char, kNonceBytes> nonce = FrameNonce(counter_);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out, &written, Bytes(plaintext), plaintext.size(),
                                            reinterpret_cast<const unsigned char*>(prefix.data()),
                                            prefix.size(), nullptr, nonce.data(), key_.data());
  LOTCHAIN_ASSERT(written == ciphertext_bytes);
  ++counter_;
}

FrameOpener::~FrameOpener() { sodium_memzero(key_.data(), key_.size()); }

std::optional<std::string> FrameOpener::Open(std::string_view prefix, std::string_view ciphertext) {
  if (prefix.size() != kLengthPrefixBytes) return std::nullopt;
  if (ciphertext.size() < kTagBytes) return std::nullopt;
  if (counter_ == UINT64_MAX) return std::nullopt;
  std::string plaintext(ciphertext.size() - kTagBytes, '\0');
  const std::array<unsigned char, kNonceBytes> nonce = FrameNonce(counter_);
  unsigned long long written = 0;
  const int rc = crypto_aead_chacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plaintext.data()), &written, nullptr, Bytes(ciphertext),
      ciphertext.size(), Bytes(prefix), prefix.size(), nonce.data(), key_.data());
  if (rc != 0) return std::nullopt;
  LOTCHAIN_ASSERT(written == plaintext.size());
  ++counter_;
  return plaintext;
}

}  // namespace lotchain::node::wire
