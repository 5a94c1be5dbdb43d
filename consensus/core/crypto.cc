#include "consensus/core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

namespace lotchain::core {

namespace {

// OpenSSL's one-shot digest looks the algorithm up on every call, which costs more than hashing
// a transaction; fetching it once and reusing one context per thread avoids that. The algorithm
// is fetched once for the process and never freed, and OpenSSL is told not to tear itself down
// at exit, so a thread that hashes while the process exits cannot touch freed OpenSSL state.
// It comes from a private library context, which reads no openssl.cnf and falls back to the
// built-in default provider: the core's hash does not depend on the machine's configuration.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const md = [] {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    OSSL_LIB_CTX* library = OSSL_LIB_CTX_new();
    return library == nullptr ? nullptr : EVP_MD_fetch(library, "SHA256", nullptr);
  }();
  LOTCHAIN_ASSERT(md != nullptr);  // libcrypto without SHA-256: a broken OpenSSL install
  return md;
}

struct Sha256Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Sha256Context() { LOTCHAIN_ASSERT(ctx != nullptr); }
  ~Sha256Context() { EVP_MD_CTX_free(ctx); }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;
};

}  // namespace

void InitCrypto() {
  LOTCHAIN_ASSERT(sodium_init() >= 0);
  (void)Sha256Algorithm();
}

std::string Sha256(std::string_view data) {
  std::string out(kHashBytes, '\0');
  Sha256Into(data, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

void Sha256Into(std::string_view data, unsigned char* out) {
  thread_local Sha256Context context;
  unsigned int size = 0;
  LOTCHAIN_ASSERT(EVP_DigestInit_ex2(context.ctx, Sha256Algorithm(), nullptr) == 1 &&
                  EVP_DigestUpdate(context.ctx, data.data(), data.size()) == 1 &&
                  EVP_DigestFinal_ex(context.ctx, out, &size) == 1 && size == kHashBytes);
}

std::string SigningPayload(std::string_view domain, std::string_view chain_id,
                           std::string_view bytes) {
  std::string out;
  out.reserve(domain.size() + chain_id.size() + bytes.size() + 2);
  out.append(domain);
  out.push_back('\0');
  out.append(chain_id);
  out.push_back('\0');
  out.append(bytes);
  return out;
}

SecretKey::~SecretKey() { sodium_memzero(key_.data(), key_.size()); }

Result<SecretKey> SecretKey::FromSeed(std::string_view seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return Status("BAD_KEY", "an Ed25519 seed is 32 bytes, got " + std::to_string(seed.size()));
  }
  SecretKey key;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, key.key_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  key.valid_ = true;
  return key;
}

std::string SecretKey::PublicKey() const {
  LOTCHAIN_ASSERT(valid_);
  return std::string(reinterpret_cast<const char*>(key_.data()) + 32, 32);
}

std::string SecretKey::Seed() const {
  LOTCHAIN_ASSERT(valid_);
  return std::string(reinterpret_cast<const char*>(key_.data()), 32);
}

std::string SecretKey::SignRaw(std::string_view message) const {
  LOTCHAIN_ASSERT(valid_);
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key_.data());
  return sig;
}

std::string SecretKey::Sign(std::string_view domain, std::string_view chain_id,
                            std::string_view bytes) const {
  return SignRaw(SigningPayload(domain, chain_id, bytes));
}

bool VerifyRaw(std::string_view public_key, std::string_view message,
               std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

bool VerifySignature(std::string_view public_key, std::string_view domain,
                     std::string_view chain_id, std::string_view bytes,
                     std::string_view signature) {
  return VerifyRaw(public_key, SigningPayload(domain, chain_id, bytes), signature);
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status("BAD_HEX", "hex string has odd length " + std::to_string(hex.size()));
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status("BAD_HEX", "not a hex digit at position " + std::to_string(hi < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace lotchain::core
