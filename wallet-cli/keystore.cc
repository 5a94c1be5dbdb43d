#include "wallet-cli/keystore.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "consensus/core/ids.h"

namespace lotchain::wallet {

namespace {

namespace fs = std::filesystem;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr const char* kKdfAlg = "argon2id13";

// Wipes a std::string's bytes when it goes out of scope.
class Wipe {
 public:
  explicit Wipe(std::string& s) : s_(s) {}
  ~Wipe() { sodium_memzero(s_.data(), s_.size()); }
  Wipe(const Wipe&) = delete;
  Wipe& operator=(const Wipe&) = delete;

 private:
  std::string& s_;
};

Status BadKeyFile(const std::string& why) {
  return Status("BAD_KEYFILE", "key file is damaged or not a lotchain key file: " + why);
}

Result<std::string> DeriveKey(const std::string& passphrase, const std::string& salt,
                              const KdfParams& kdf) {
  LOTCHAIN_ASSERT(salt.size() == crypto_pwhash_SALTBYTES);
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  int rc = crypto_pwhash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                         passphrase.data(), passphrase.size(),
                         reinterpret_cast<const unsigned char*>(salt.data()), kdf.opslimit,
                         static_cast<size_t>(kdf.memlimit_bytes), crypto_pwhash_ALG_ARGON2ID13);
  if (rc != 0) {
    return Status("KEYSTORE_IO", "Argon2id could not allocate " +
                                     std::to_string(kdf.memlimit_bytes >> 20) +
                                     " MiB; free memory or use a smaller memlimit");
  }
  return key;
}

Result<std::string> HexField(const json& j, const char* field, size_t bytes) {
  if (!j.contains(field) || !j[field].is_string()) {
    return BadKeyFile(std::string("\"") + field + "\" is missing");
  }
  auto raw = core::FromHex(j[field].get<std::string>());
  if (!raw.ok() || (bytes != 0 && raw->size() != bytes)) {
    return BadKeyFile(std::string("\"") + field + "\" is not " +
                      (bytes ? std::to_string(bytes) + " bytes of hex" : "hex"));
  }
  return std::move(raw).value();
}

Result<KdfParams> ParseKdf(const json& j) {
  if (!j.contains("kdf") || !j["kdf"].is_object()) return BadKeyFile("\"kdf\" is missing");
  const json& kdf = j["kdf"];
  if (kdf.value("alg", "") != kKdfAlg) {
    return BadKeyFile("kdf.alg must be \"argon2id13\"");
  }
  if (!kdf.contains("opslimit") || !kdf["opslimit"].is_number_unsigned() ||
      !kdf.contains("memlimit") || !kdf["memlimit"].is_number_unsigned()) {
    return BadKeyFile("kdf.opslimit and kdf.memlimit must be non-negative integers");
  }
  KdfParams p{kdf["opslimit"].get<uint64_t>(), kdf["memlimit"].get<uint64_t>()};
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > kKdfOpsLimitMax ||
      p.memlimit_bytes < crypto_pwhash_MEMLIMIT_MIN || p.memlimit_bytes > kKdfMemLimitBytesMax) {
    return BadKeyFile("kdf limits out of the accepted range (opslimit 1.." +
                      std::to_string(kKdfOpsLimitMax) + ", memlimit 8 KiB..4 GiB)");
  }
  return p;
}

Result<json> ParseKeyJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return BadKeyFile("not a JSON object");
  if (j.value("version", 0) != 1) return BadKeyFile("unsupported \"version\" (expected 1)");
  return j;
}

Result<KeyInfo> InfoFromJson(const json& j, const std::string& path) {
  KeyInfo info;
  info.path = path;
  if (!j.contains("name") || !j["name"].is_string()) return BadKeyFile("\"name\" is missing");
  info.name = j["name"].get<std::string>();
  LOTCHAIN_ASSIGN_OR_RETURN(info.public_key, HexField(j, "public_key", core::kPublicKeyBytes));
  LOTCHAIN_ASSIGN_OR_RETURN(info.kdf, ParseKdf(j));
  return info;
}

Status CheckName(const std::string& name) {
  if (!core::IsValidId(name)) {
    return Status("BAD_INPUT", "key name \"" + name.substr(0, 64) + "\" " +
                                   std::string(core::kIdRule));
  }
  return Status::Ok();
}

std::string Chomp(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// Reads one line from the terminal with echo off.
Result<std::string> PromptNoEcho(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return Status("NO_PASSPHRASE",
                  "no passphrase: give --passphrase-file FILE or set LOTCHAIN_PASSPHRASE "
                  "(no terminal to prompt on)");
  }
  termios old_mode{};
  bool have_mode = ::tcgetattr(fd, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    (void)::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string line;
  char c = 0;
  while (line.size() <= kPassphraseBytesMax && ::read(fd, &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  if (have_mode) (void)::tcsetattr(fd, TCSAFLUSH, &old_mode);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return Chomp(line);
}

}  // namespace

KdfParams ModerateKdf() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

KdfParams FastKdf() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

Result<std::string> ReadSmallFile(const std::string& path, size_t bytes_max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status("FILE_IO", "cannot read " + path + ": " + std::strerror(errno));
  }
  std::string data;
  data.resize(bytes_max + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.size() > bytes_max) {
    return Status("FILE_IO", path + " is larger than " + std::to_string(bytes_max) + " bytes");
  }
  return data;
}

Status WriteFileAtomic(const std::string& path, const std::string& data, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status("FILE_IO", "cannot write " + tmp + ": " + std::strerror(errno));
  (void)::fchmod(fd, mode);  // the umask must not widen or narrow the mode we promise
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n <= 0) {
      ::close(fd);
      return Status("FILE_IO", "cannot write " + tmp + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status("FILE_IO", "cannot sync " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status("FILE_IO", "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> SealKeyFile(const std::string& name, const std::string& seed,
                                const std::string& passphrase, const KdfParams& kdf) {
  LOTCHAIN_ASSERT(seed.size() == core::kSeedBytes);
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey secret, core::SecretKey::FromSeed(seed));
  std::string salt(crypto_pwhash_SALTBYTES, '\0');
  std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  LOTCHAIN_ASSIGN_OR_RETURN(std::string key, DeriveKey(passphrase, salt, kdf));
  Wipe wipe_key(key);
  std::string box(seed.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                        reinterpret_cast<const unsigned char*>(seed.data()), seed.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(key.data()));
  json j = {{"version", 1},
            {"name", name},
            {"public_key", core::ToHex(secret.PublicKey())},
            {"kdf",
             {{"alg", kKdfAlg},
              {"opslimit", kdf.opslimit},
              {"memlimit", kdf.memlimit_bytes},
              {"salt", core::ToHex(salt)}}},
            {"nonce", core::ToHex(nonce)},
            {"ciphertext", core::ToHex(box)}};
  return j.dump(2) + "\n";
}

Result<core::SecretKey> OpenKeyFile(const std::string& json_text, const std::string& passphrase) {
  LOTCHAIN_ASSIGN_OR_RETURN(json j, ParseKeyJson(json_text));
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, InfoFromJson(j, ""));
  const json& kdf_json = j["kdf"];
  if (!kdf_json.contains("salt") || !kdf_json["salt"].is_string()) {
    return BadKeyFile("kdf.salt is missing");
  }
  auto salt = core::FromHex(kdf_json["salt"].get<std::string>());
  if (!salt.ok() || salt->size() != crypto_pwhash_SALTBYTES) {
    return BadKeyFile("kdf.salt is not 16 bytes of hex");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string nonce, HexField(j, "nonce", crypto_secretbox_NONCEBYTES));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string box,
                            HexField(j, "ciphertext", core::kSeedBytes + crypto_secretbox_MACBYTES));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string key, DeriveKey(passphrase, *salt, info.kdf));
  Wipe wipe_key(key);
  std::string seed(core::kSeedBytes, '\0');
  Wipe wipe_seed(seed);
  int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(seed.data()),
                                      reinterpret_cast<const unsigned char*>(box.data()),
                                      box.size(),
                                      reinterpret_cast<const unsigned char*>(nonce.data()),
                                      reinterpret_cast<const unsigned char*>(key.data()));
  if (rc != 0) {
    return Status("WRONG_PASSPHRASE",
                  "wrong passphrase for key \"" + info.name +
                      "\" (or the key file was altered); check --passphrase-file or "
                      "LOTCHAIN_PASSPHRASE and try again");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey secret, core::SecretKey::FromSeed(seed));
  if (secret.PublicKey() != info.public_key) {
    return BadKeyFile("the sealed seed does not belong to \"public_key\"");
  }
  return secret;
}

Result<std::string> SeedFromImportText(const std::string& text) {
  std::string trimmed = text;
  trimmed.erase(std::remove_if(trimmed.begin(), trimmed.end(),
                               [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }),
                trimmed.end());
  if (!trimmed.empty() && trimmed.front() == '{') {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("seed") || !j["seed"].is_string()) {
      return Status("BAD_INPUT", "import file is JSON but has no \"seed\" field; expected "
                                 "{\"public_key\": hex, \"seed\": hex} as written by lotchaind");
    }
    auto seed = core::FromHex(j["seed"].get<std::string>());
    if (!seed.ok() || seed->size() != core::kSeedBytes) {
      return Status("BAD_INPUT", "\"seed\" must be 64 hex digits (32 bytes)");
    }
    if (j.contains("public_key")) {
      LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey key, core::SecretKey::FromSeed(*seed));
      if (!j["public_key"].is_string() ||
          j["public_key"].get<std::string>() != core::ToHex(key.PublicKey())) {
        return Status("BAD_INPUT", "\"public_key\" does not match \"seed\"; the file is damaged");
      }
    }
    return std::move(seed).value();
  }
  auto seed = core::FromHex(trimmed);
  if (!seed.ok() || seed->size() != core::kSeedBytes) {
    return Status("BAD_INPUT", "import file must hold a 32-byte seed as 64 hex digits, or a "
                               "lotchaind key file {\"public_key\", \"seed\"}");
  }
  return std::move(seed).value();
}

Result<std::string> ReadPassphrase(const PassphraseSource& source) {
  if (!source.file.empty()) {
    auto text = ReadSmallFile(source.file, kPassphraseBytesMax);
    if (!text.ok()) return Status("NO_PASSPHRASE", text.status().message());
    std::string line = Chomp(text->substr(0, text->find('\n')));
    if (line.empty()) return Status("NO_PASSPHRASE", source.file + " holds an empty passphrase");
    return line;
  }
  if (const char* env = std::getenv("LOTCHAIN_PASSPHRASE"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string first, PromptNoEcho(source.prompt));
  if (first.empty()) return Status("NO_PASSPHRASE", "empty passphrase; nothing was changed");
  if (source.confirm) {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string second, PromptNoEcho("Repeat passphrase: "));
    if (first != second) {
      return Status("NO_PASSPHRASE", "the two passphrases differ; nothing was changed");
    }
  }
  return first;
}

std::string Keystore::ResolveDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LOTCHAIN_KEYSTORE"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.lotchain/keys";
}

std::string Keystore::PathOf(const std::string& name) const {
  return (fs::path(dir_) / (name + ".json")).string();
}

Status Keystore::EnsureDir() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status("KEYSTORE_IO", "cannot create keystore " + dir_ + ": " + ec.message());
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  return Status::Ok();
}

Result<KeyInfo> Keystore::Import(const std::string& name, const std::string& seed,
                                 const std::string& passphrase, const KdfParams& kdf) {
  LOTCHAIN_RETURN_IF_ERROR(CheckName(name));
  if (seed.size() != core::kSeedBytes) return Status("BAD_INPUT", "a seed is 32 bytes");
  LOTCHAIN_RETURN_IF_ERROR(EnsureDir());
  std::string path = PathOf(name);
  if (fs::exists(path)) {
    return Status("KEY_EXISTS", "key \"" + name + "\" already exists in " + dir_ +
                                    "; choose another name or remove " + path);
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, SealKeyFile(name, seed, passphrase, kdf));
  LOTCHAIN_RETURN_IF_ERROR(WriteFileAtomic(path, text, 0600));
  return Info(name);
}

Result<KeyInfo> Keystore::Create(const std::string& name, const std::string& passphrase,
                                 const KdfParams& kdf) {
  std::string seed(core::kSeedBytes, '\0');
  Wipe wipe(seed);
  randombytes_buf(seed.data(), seed.size());
  return Import(name, seed, passphrase, kdf);
}

Result<KeyInfo> Keystore::Info(const std::string& name) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckName(name));
  std::string path = PathOf(name);
  if (!fs::exists(path)) {
    return Status("KEY_NOT_FOUND", "no key \"" + name + "\" in " + dir_ +
                                       "; see `lotchain keys list`, or pass --keystore DIR");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, kKeyFileBytesMax));
  LOTCHAIN_ASSIGN_OR_RETURN(json j, ParseKeyJson(text));
  return InfoFromJson(j, path);
}

Result<KeyListing> Keystore::ListAll() const {
  KeyListing out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::string name = entry.path().stem().string();
    const std::string path = entry.path().string();
    if (!core::IsValidId(name)) {
      out.damaged.push_back({name, path, "the file name is not a valid key name"});
      continue;
    }
    auto info = Info(name);
    if (!info.ok()) {
      out.damaged.push_back({name, path, info.status().message()});
    } else if (info->name != name) {
      out.damaged.push_back({name, path, "the file says its key is named \"" + info->name + "\""});
    } else {
      out.keys.push_back(std::move(info).value());
    }
  }
  if (ec) return Status("KEYSTORE_IO", "cannot list " + dir_ + ": " + ec.message());
  std::sort(out.keys.begin(), out.keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  std::sort(out.damaged.begin(), out.damaged.end(),
            [](const DamagedKey& a, const DamagedKey& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<KeyInfo>> Keystore::List() const {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyListing listing, ListAll());
  return std::move(listing.keys);
}

Status Keystore::Delete(const std::string& name) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckName(name));
  const std::string path = PathOf(name);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return Status("KEY_NOT_FOUND", "no key \"" + name + "\" in " + dir_ + "; see `lotchain keys list`");
  }
  if (!fs::remove(path, ec) || ec) {
    return Status("KEYSTORE_IO", "cannot delete " + path + ": " + ec.message());
  }
  fs::remove((fs::path(dir_) / (name + ".nonce")), ec);  // a missing cache is fine
  return Status::Ok();
}

Result<KeyInfo> Keystore::Rename(const std::string& from, const std::string& to) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckName(to));
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, Info(from));
  const std::string target = PathOf(to);
  if (fs::exists(target)) {
    return Status("KEY_EXISTS", "key \"" + to + "\" already exists in " + dir_ + "; choose another name");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(info.path, kKeyFileBytesMax));
  LOTCHAIN_ASSIGN_OR_RETURN(json j, ParseKeyJson(text));
  j["name"] = to;  // metadata outside the sealed box; the box holds only the seed
  // Written aside (durable), then linked under the new name: link(2) never replaces a file, so
  // a key created under that name meanwhile is not overwritten. The old name goes only once the
  // new one is durable in the directory.
  const std::string staged = (fs::path(dir_) / ("." + to + ".renaming")).string();
  LOTCHAIN_RETURN_IF_ERROR(WriteFileAtomic(staged, j.dump(2) + "\n", 0600));
  if (::link(staged.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(staged.c_str());
    if (err == EEXIST) {
      return Status("KEY_EXISTS", "key \"" + to + "\" already exists in " + dir_ + "; choose another name");
    }
    return Status("KEYSTORE_IO", "cannot create " + target + ": " + std::strerror(err));
  }
  ::unlink(staged.c_str());
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  if (dir_fd >= 0) ::close(dir_fd);
  if (!synced) {
    return Status("KEYSTORE_IO", "cannot make the new name durable in " + dir_ +
                                     "; both \"" + from + "\" and \"" + to + "\" now hold the key");
  }
  const uint64_t nonce = LastNonce(from);
  if (nonce != 0) LOTCHAIN_RETURN_IF_ERROR(RecordNonce(to, nonce));
  LOTCHAIN_RETURN_IF_ERROR(Delete(from));
  return Info(to);
}

Result<core::SecretKey> Keystore::Unlock(const std::string& name,
                                         const std::string& passphrase) const {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo info, Info(name));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(info.path, kKeyFileBytesMax));
  return OpenKeyFile(text, passphrase);
}

Result<KeyInfo> Keystore::Choose(const std::string& name) const {
  if (!name.empty()) return Info(name);
  LOTCHAIN_ASSIGN_OR_RETURN(KeyListing listing, ListAll());
  const std::vector<KeyInfo>& keys = listing.keys;
  if (keys.size() == 1) return keys.front();
  if (keys.empty() && !listing.damaged.empty()) {
    const DamagedKey& d = listing.damaged.front();
    return Status("BAD_KEYFILE", "the keystore " + dir_ + " holds no readable key: " + d.path +
                                     " is damaged (" + d.problem + "); restore it from a backup "
                                     "or import the key again");
  }
  if (keys.empty()) {
    return Status("KEY_NOT_FOUND", "the keystore " + dir_ +
                                       " holds no key; create one with `lotchain keys new NAME` "
                                       "or import one with `lotchain keys import NAME FILE`");
  }
  return Status("KEY_NOT_FOUND", "the keystore holds " + std::to_string(keys.size()) +
                                     " keys; choose one with --key NAME or LOTCHAIN_KEY");
}

uint64_t Keystore::LastNonce(const std::string& name) const {
  auto text = ReadSmallFile((fs::path(dir_) / (name + ".nonce")).string(), 64);
  if (!text.ok()) return 0;
  return std::strtoull(text->c_str(), nullptr, 10);
}

Status Keystore::RecordNonce(const std::string& name, uint64_t nonce) const {
  LOTCHAIN_RETURN_IF_ERROR(CheckName(name));
  LOTCHAIN_RETURN_IF_ERROR(EnsureDir());
  if (nonce <= LastNonce(name)) return Status::Ok();
  return WriteFileAtomic((fs::path(dir_) / (name + ".nonce")).string(),
                         std::to_string(nonce) + "\n", 0600);
}

}  // namespace lotchain::wallet
