// The wallet keystore: one file per signing key, sealed with a passphrase.
//
// File `<dir>/<name>.json`, mode 0600, in a directory of mode 0700 (docs/WALLET.md):
//   {"version": 1, "name": "...", "public_key": "<64 hex>",
//    "kdf": {"alg": "argon2id13", "opslimit": N, "memlimit": N, "salt": "<32 hex>"},
//    "nonce": "<48 hex>", "ciphertext": "<hex>"}
// key = Argon2id(passphrase, salt, opslimit, memlimit) (crypto_pwhash);
// ciphertext = XSalsa20-Poly1305(key, nonce, 32-byte Ed25519 seed) (crypto_secretbox_easy).
// After opening, the seed's public key must equal "public_key", so a swapped field is caught.
//
// The nonce cache `<dir>/<name>.nonce` holds the last transaction nonce this wallet used for the
// key (docs/WALLET.md explains the nonce choice).
//
// Errors: code WRONG_PASSPHRASE when the box does not open, NO_PASSPHRASE when none can be
// obtained, KEY_NOT_FOUND, KEY_EXISTS, BAD_KEYFILE, KEYSTORE_IO; messages say what to do next.
// Not thread-safe (a CLI process uses one Keystore from one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/result.h"

namespace lotchain::wallet {

struct KdfParams {
  uint64_t opslimit = 0;
  uint64_t memlimit_bytes = 0;
};

// crypto_pwhash OPSLIMIT_MODERATE / MEMLIMIT_MODERATE (3 passes, 256 MiB): about a second.
KdfParams ModerateKdf();
// OPSLIMIT_MIN / MEMLIMIT_MIN: for tests and throw-away keys only (`--kdf-fast`).
KdfParams FastKdf();
// Bounds accepted when reading a key file, so a hostile file cannot demand unbounded work.
inline constexpr uint64_t kKdfOpsLimitMax = 64;
inline constexpr uint64_t kKdfMemLimitBytesMax = 4ull << 30;
inline constexpr size_t kKeyFileBytesMax = 64u << 10;
inline constexpr size_t kPassphraseBytesMax = 4096;

struct KeyInfo {
  std::string name;
  std::string public_key;  // 32 raw bytes
  std::string path;
  KdfParams kdf;
};

// A file in the keystore that is not a readable key file: listed, never silently skipped.
struct DamagedKey {
  std::string name;
  std::string path;
  std::string problem;
};

struct KeyListing {
  std::vector<KeyInfo> keys;        // sorted by name
  std::vector<DamagedKey> damaged;  // sorted by name
};

// Passphrases of new keys have at least this many characters unless the user insists
// (`--allow-short-passphrase`): Argon2id slows guessing, it cannot save "1234".
inline constexpr size_t kPassphraseMinChars = 12;

class Keystore {
 public:
  explicit Keystore(std::string dir) : dir_(std::move(dir)) {}

  // --keystore DIR, else $LOTCHAIN_KEYSTORE, else ~/.lotchain/keys.
  static std::string ResolveDir(const std::string& flag_value);

  const std::string& dir() const { return dir_; }

  // Generates a fresh key (libsodium's CSPRNG) and seals it.
  core::Result<KeyInfo> Create(const std::string& name, const std::string& passphrase,
                               const KdfParams& kdf);
  // Seals a given 32-byte seed.
  core::Result<KeyInfo> Import(const std::string& name, const std::string& seed,
                               const std::string& passphrase, const KdfParams& kdf);
  core::Result<std::vector<KeyInfo>> List() const;  // sorted by name; readable keys only
  // Every key file, the readable ones and the damaged ones with what is wrong with each.
  core::Result<KeyListing> ListAll() const;
  // Removes the key file and its nonce cache (KEY_NOT_FOUND if absent).
  core::Status Delete(const std::string& name) const;
  // Renames a key (file, its "name" field, its nonce cache); KEY_EXISTS if `to` exists.
  core::Result<KeyInfo> Rename(const std::string& from, const std::string& to) const;
  core::Result<KeyInfo> Info(const std::string& name) const;
  core::Result<core::SecretKey> Unlock(const std::string& name,
                                       const std::string& passphrase) const;
  // The key to sign with: `name` if given, else the only key in the store.
  core::Result<KeyInfo> Choose(const std::string& name) const;

  // Nonce cache (0 when none was recorded).
  uint64_t LastNonce(const std::string& name) const;
  core::Status RecordNonce(const std::string& name, uint64_t nonce) const;

 private:
  std::string PathOf(const std::string& name) const;
  core::Status EnsureDir() const;

  std::string dir_;
};

// A key file's JSON for `seed` (exposed for tests).
core::Result<std::string> SealKeyFile(const std::string& name, const std::string& seed,
                                      const std::string& passphrase, const KdfParams& kdf);
core::Result<core::SecretKey> OpenKeyFile(const std::string& json_text,
                                          const std::string& passphrase);

// The 32-byte seed of an import file: a hex seed (64 hex digits, optionally followed by a newline)
// or a lotchaind key file {"public_key": hex, "seed": hex} (checked against each other).
core::Result<std::string> SeedFromImportText(const std::string& text);

struct PassphraseSource {
  std::string file;          // --passphrase-file (first line is used)
  bool confirm = false;      // prompt twice (new keys)
  std::string prompt = "Passphrase: ";
};

// From --passphrase-file, else $LOTCHAIN_PASSPHRASE, else a no-echo prompt on the terminal.
core::Result<std::string> ReadPassphrase(const PassphraseSource& source);

// Reads a whole (small) file.
core::Result<std::string> ReadSmallFile(const std::string& path, size_t bytes_max);
// Writes a file atomically (temp + rename) with `mode`.
core::Status WriteFileAtomic(const std::string& path, const std::string& data, unsigned mode);

}  // namespace lotchain::wallet
