// Keystore: keys are sealed and reopened with the right passphrase only (WRONG_PASSPHRASE
// otherwise), files are mode 0600, tampering is detected, imports accept hex seeds and lotchaind
// key files, and the nonce cache only moves forward. Uses the fast KDF and a temp directory.
#include "wallet-cli/keystore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace lotchain::wallet {
namespace {

namespace fs = std::filesystem;

class KeystoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::InitCrypto();
    dir = fs::temp_directory_path() /
          ("lotchain-keystore-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(KeystoreTest, CreateUnlockAndWrongPassphrase) {
  Keystore store(dir.string());
  auto info = store.Create("alice", "correct horse", FastKdf());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto key = store.Unlock("alice", "correct horse");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicKey(), info->public_key);
  auto wrong = store.Unlock("alice", "wrong horse");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), "WRONG_PASSPHRASE");
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(info->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store.Create("alice", "x", FastKdf()).status().code(), "KEY_EXISTS");
  EXPECT_EQ(store.Unlock("bob", "x").status().code(), "KEY_NOT_FOUND");
}

TEST_F(KeystoreTest, FileFormatAndTamperDetection) {
  std::string seed = core::Sha256("seed");
  auto text = SealKeyFile("k", seed, "pw", FastKdf());
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["kdf"]["alg"], "argon2id13");
  EXPECT_EQ(j["kdf"]["salt"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["nonce"].get<std::string>().size(), 48u);
  EXPECT_EQ(OpenKeyFile(*text, "pw")->Seed(), seed);
  // A different public key with the same box: the open succeeds, the key check fails.
  nlohmann::json swapped = j;
  swapped["public_key"] = core::ToHex(core::SecretKey::FromSeed(core::Sha256("x"))->PublicKey());
  EXPECT_EQ(OpenKeyFile(swapped.dump(), "pw").status().code(), "BAD_KEYFILE");
  nlohmann::json flipped = j;
  std::string c = flipped["ciphertext"];
  c[0] = c[0] == '0' ? '1' : '0';
  flipped["ciphertext"] = c;
  EXPECT_EQ(OpenKeyFile(flipped.dump(), "pw").status().code(), "WRONG_PASSPHRASE");
  nlohmann::json greedy = j;
  greedy["kdf"]["memlimit"] = 1ull << 40;
  EXPECT_EQ(OpenKeyFile(greedy.dump(), "pw").status().code(), "BAD_KEYFILE");
  EXPECT_EQ(OpenKeyFile("not json", "pw").status().code(), "BAD_KEYFILE");
}

TEST_F(KeystoreTest, ImportFormats) {
  std::string seed = core::Sha256("import");
  EXPECT_EQ(SeedFromImportText(core::ToHex(seed) + "\n").value(), seed);
  auto key = core::SecretKey::FromSeed(seed);
  nlohmann::json node_key = {{"public_key", core::ToHex(key->PublicKey())},
                             {"seed", core::ToHex(seed)}};
  EXPECT_EQ(SeedFromImportText(node_key.dump()).value(), seed);
  node_key["public_key"] = core::ToHex(std::string(32, 'x'));
  EXPECT_FALSE(SeedFromImportText(node_key.dump()).ok());
  EXPECT_FALSE(SeedFromImportText("abcd").ok());
  Keystore store(dir.string());
  auto info = store.Import("imported", seed, "pw", FastKdf());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->public_key, key->PublicKey());
}

TEST_F(KeystoreTest, ListChooseAndNonceCache) {
  Keystore store(dir.string());
  EXPECT_EQ(store.Choose("").status().code(), "KEY_NOT_FOUND");
  ASSERT_TRUE(store.Create("b", "pw", FastKdf()).ok());
  EXPECT_EQ(store.Choose("")->name, "b");
  ASSERT_TRUE(store.Create("a", "pw", FastKdf()).ok());
  EXPECT_FALSE(store.Choose("").ok());
  auto keys = store.List();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "a");
  EXPECT_EQ(store.LastNonce("a"), 0u);
  ASSERT_TRUE(store.RecordNonce("a", 7).ok());
  ASSERT_TRUE(store.RecordNonce("a", 5).ok());
  EXPECT_EQ(store.LastNonce("a"), 7u);
  EXPECT_FALSE(store.Create("../evil", "pw", FastKdf()).ok());
}

}  // namespace
}  // namespace lotchain::wallet

namespace lotchain::wallet {
namespace {

class KeystoreManageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::InitCrypto();
    dir = std::filesystem::temp_directory_path() /
          ("lotchain-keystore-manage-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

// A damaged file is listed with its problem, never silently skipped, and Choose says so when
// it is the only one.
TEST_F(KeystoreManageTest, DamagedKeyFilesAreListed) {
  Keystore store(dir.string());
  ASSERT_TRUE(store.Create("alice", "correct horse battery", FastKdf()).ok());
  { std::ofstream(dir / "bob.json") << "{ not json"; }
  auto listing = store.ListAll();
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->keys.size(), 1u);
  ASSERT_EQ(listing->damaged.size(), 1u);
  EXPECT_EQ(listing->damaged[0].name, "bob");
  EXPECT_FALSE(listing->damaged[0].problem.empty());
  ASSERT_TRUE(store.Delete("alice").ok());
  auto chosen = store.Choose("");
  ASSERT_FALSE(chosen.ok());
  EXPECT_EQ(chosen.status().code(), "BAD_KEYFILE");
  EXPECT_NE(chosen.status().message().find("bob.json is damaged"), std::string::npos)
      << chosen.status().message();
}

TEST_F(KeystoreManageTest, RenameKeepsTheKeyAndItsNonces) {
  Keystore store(dir.string());
  auto alice = store.Create("alice", "correct horse battery", FastKdf());
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(store.RecordNonce("alice", 77).ok());
  ASSERT_TRUE(store.Create("carol", "correct horse battery", FastKdf()).ok());
  EXPECT_EQ(store.Rename("alice", "carol").status().code(), "KEY_EXISTS");
  auto renamed = store.Rename("alice", "refiner-2027");
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->name, "refiner-2027");
  EXPECT_EQ(renamed->public_key, alice->public_key);
  EXPECT_EQ(store.LastNonce("refiner-2027"), 77u);
  EXPECT_EQ(store.Info("alice").status().code(), "KEY_NOT_FOUND");
  auto key = store.Unlock("refiner-2027", "correct horse battery");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->PublicKey(), alice->public_key);
  EXPECT_TRUE(store.ListAll()->damaged.empty());
  EXPECT_EQ(store.Delete("alice").code(), "KEY_NOT_FOUND");
  ASSERT_TRUE(store.Delete("refiner-2027").ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "refiner-2027.nonce"));
}

}  // namespace
}  // namespace lotchain::wallet
