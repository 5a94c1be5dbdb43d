// Genesis parsing: a good file parses; every kind of bad file is refused with BAD_GENESIS and a
// message naming the field (JSON path) and the problem.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <functional>
#include <nlohmann/json.hpp>

#include "consensus/core/genesis.h"
#include "consensus/core/state_tree.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

nlohmann::json Good() { return nlohmann::json::parse(GenesisJson(DefaultMembers())); }

// Returns the error message of parsing `g` (asserting it fails with BAD_GENESIS).
std::string ErrorOf(const nlohmann::json& g) {
  auto parsed = core::ParseGenesis(g.dump());
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), "BAD_GENESIS");
  return parsed.status().message();
}

// A well-formed genesis parses; members are sorted; quorum follows n = 3f + 1; the hash is the
// canonical one (below).
TEST(GenesisTest, GoodGenesisParses) {
  std::string text = GenesisJson(DefaultMembers());
  auto g = core::ParseGenesis(text);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->chain_id, "lotchain-test");
  EXPECT_EQ(g->validators.size(), 4u);
  EXPECT_EQ(g->FaultsTolerated(), 1u);
  EXPECT_EQ(g->Quorum(), 3u);
  EXPECT_TRUE(std::is_sorted(g->members.begin(), g->members.end(),
                             [](const auto& a, const auto& b) { return a.org_id() < b.org_id(); }));
  EXPECT_EQ(g->hash.size(), 32u);
  EXPECT_EQ(g->policy.recycled_content_targets.size(), 1u);
  EXPECT_EQ(g->policy.due_diligence_elements.size(), 4u);
}

// The chain's identity survives re-saving the file (whitespace, key order) and moving a
// validator to a new address; any other change of content makes another chain.
TEST(GenesisTest, HashIsCanonicalAndLeavesOutAddresses) {
  const std::string text = GenesisJson(DefaultMembers());
  const std::string hash = core::ParseGenesis(text)->hash;
  const auto hash_of = [](const nlohmann::json& doc, int indent) {
    auto parsed = core::ParseGenesis(doc.dump(indent));
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? parsed->hash : std::string();
  };
  nlohmann::json doc = Good();
  EXPECT_EQ(hash_of(doc, 4), hash);
  EXPECT_EQ(hash_of(doc, -1), hash);
  // Key order: nlohmann sorts keys, so write a reversed-order object by hand.
  std::string reordered = "{";
  for (auto it = doc.items().begin(); it != doc.items().end(); ++it) {
    reordered = "{\"" + it.key() + "\":" + it.value().dump() + (reordered == "{" ? "}" : "," + reordered.substr(1));
  }
  EXPECT_EQ(core::ParseGenesis(reordered)->hash, hash) << reordered.substr(0, 200);
  doc["validators"][0]["address"] = "10.1.2.3:26656";
  EXPECT_EQ(hash_of(doc, -1), hash);

  for (const auto& change : std::vector<std::function<void(nlohmann::json&)>>{
           [](nlohmann::json& d) { d["chain_id"] = "lotchain-other"; },
           [](nlohmann::json& d) { d["genesis_time_unix_ms"] = d["genesis_time_unix_ms"].get<int64_t>() + 1; },
           [](nlohmann::json& d) { d["members"][0]["name"] = "Someone Else"; },
           [](nlohmann::json& d) { d["validators"][0]["public_key"] = d["validators"][1]["public_key"]; d["validators"][1]["public_key"] = Good()["validators"][0]["public_key"]; },
           [](nlohmann::json& d) { d["policy"]["block"]["max_txs"] = 1999; },
       }) {
    nlohmann::json changed = Good();
    change(changed);
    EXPECT_NE(hash_of(changed, -1), hash) << changed.dump().substr(0, 200);
  }
}

// Addresses are optional hints (config.toml [p2p] peers supplies them): a genesis without any,
// or with other ones, is the same chain; the parsed validators carry what the file said.
TEST(GenesisTest, AddressesAreOptionalAndOutsideTheIdentity) {
  const std::string hash = core::ParseGenesis(GenesisJson(DefaultMembers()))->hash;
  nlohmann::json none = Good();
  for (auto& v : none["validators"]) v.erase("address");
  auto parsed = core::ParseGenesis(none.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->hash, hash);
  for (const auto& v : parsed->validators) EXPECT_EQ(v.address, "");
  nlohmann::json moved = Good();
  for (size_t i = 0; i < moved["validators"].size(); ++i) {
    moved["validators"][i]["address"] = "198.51.100." + std::to_string(i + 1) + ":443";
  }
  parsed = core::ParseGenesis(moved.dump(2));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->hash, hash);
  EXPECT_EQ(parsed->validators[1].address, "198.51.100.2:443");
  moved["validators"][0]["address"] = "";  // present but empty: same as absent
  EXPECT_EQ(core::ParseGenesis(moved.dump())->hash, hash);
}

// Each broken field is named in the message together with the problem.
TEST(GenesisTest, BadFieldsAreNamed) {
  EXPECT_NE(core::ParseGenesis("{not json").status().message().find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(core::ParseGenesis("[]").status().message().find("JSON object"), std::string::npos);
  auto g = Good();
  g.erase("chain_id");
  EXPECT_NE(ErrorOf(g).find("chain_id: missing"), std::string::npos);
  g = Good();
  g["chain_id"] = "bad chain id!";
  EXPECT_NE(ErrorOf(g).find("chain_id"), std::string::npos);
  g = Good();
  g["members"][2]["roles"][0] = "minner";
  std::string message = ErrorOf(g);
  EXPECT_NE(message.find("members[2].roles[0]"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown role \"minner\""), std::string::npos) << message;
  EXPECT_NE(message.find("miner"), std::string::npos) << message;  // lists the choices
  g = Good();
  g["members"][0]["public_keys"][0] = "abcd";
  EXPECT_NE(ErrorOf(g).find("members[0].public_keys[0]"), std::string::npos);
  g = Good();
  g["members"][1]["org_id"] = g["members"][0]["org_id"];
  EXPECT_NE(ErrorOf(g).find("duplicate organisation id"), std::string::npos);
  g = Good();
  g["members"][1]["public_keys"] = g["members"][0]["public_keys"];
  EXPECT_NE(ErrorOf(g).find("belongs to two members"), std::string::npos);
  g = Good();
  g["validators"][1]["address"] = "localhost";
  EXPECT_NE(ErrorOf(g).find("validators[1].address"), std::string::npos);
  g = Good();
  g["validators"][1]["public_key"] = g["validators"][0]["public_key"];
  EXPECT_NE(ErrorOf(g).find("validators[1].public_key"), std::string::npos);
  g = Good();
  g["validators"] = nlohmann::json::array();
  EXPECT_NE(ErrorOf(g).find("at least one validator"), std::string::npos);
  g = Good();
  g["policy"]["recycled_content_targets"][0]["element"] = "Xx";
  EXPECT_NE(ErrorOf(g).find("recycled_content_targets[0].element"), std::string::npos);
  g = Good();
  g["policy"]["recycled_content_targets"][0]["min_ppm"] = 2000000;
  EXPECT_NE(ErrorOf(g).find("min_ppm"), std::string::npos);
  g = Good();
  g["policy"]["block"] = {{"max_txs", 0}, {"max_bytes", 10}};
  EXPECT_NE(ErrorOf(g).find("policy.block.max_bytes"), std::string::npos);
  g = Good();
  g["genesis_time_unix_ms"] = "yesterday";
  EXPECT_NE(ErrorOf(g).find("genesis_time_unix_ms: must be an integer"), std::string::npos);
}

// Names used on the command line and in genesis round-trip.
TEST(GenesisTest, RoleAndElementNamesRoundTrip) {
  for (int r = v1::ROLE_MINER; r <= v1::ROLE_AUDITOR; ++r) {
    auto role = static_cast<v1::Role>(r);
    auto parsed = core::ParseRole(core::RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  for (int e = v1::ELEMENT_CO; e <= v1::ELEMENT_GRAPHITE; ++e) {
    auto element = static_cast<v1::Element>(e);
    auto parsed = core::ParseElement(core::ElementSymbol(element));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, element);
  }
  EXPECT_EQ(core::ParseElement("co").status().code(), "BAD_ELEMENT");
}

// The genesis state root is the state tree's root over the genesis records: it depends on the
// members, not on the file's layout (the chain's identity, the genesis hash, is block 1's
// prev_block_hash).
TEST(GenesisTest, StateRootCommitsToTheGenesisRecords) {
  std::string text = GenesisJson(DefaultMembers());
  auto a = core::ParseGenesis(text);
  nlohmann::json moved = nlohmann::json::parse(text);
  moved["validators"][0]["address"] = "10.9.9.9:1";  // same chain (the hash leaves it out)
  auto b = core::ParseGenesis(moved.dump(2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_EQ(core::GenesisStateRoot(*a), core::GenesisStateRoot(*b));
  EXPECT_EQ(core::GenesisStateRoot(*a), core::StateTree().Apply(core::GenesisDelta(*a)).Root());
  auto members = DefaultMembers();
  members.pop_back();
  auto c = core::ParseGenesis(GenesisJson(members));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(core::GenesisStateRoot(*a), core::GenesisStateRoot(*c));
}

}  // namespace
}  // namespace lotchain::testing

namespace lotchain::core {
namespace {

// The documented example (deploy/genesis.example.json, docs/FORMAT.md "Genesis") parses, with
// every section filled.
TEST(GenesisExample, ParsesWithEverySection) {
  std::ifstream file(std::string(LOTCHAIN_SOURCE_DIR) + "/deploy/genesis.example.json");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  Result<Genesis> g = ParseGenesis(text.str());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->chain_id, "battery-consortium-1");
  EXPECT_EQ(g->members.size(), 6u);
  EXPECT_EQ(g->validators.size(), 4u);
  EXPECT_EQ(g->policy.recycled_content_targets.size(), 4u);
  EXPECT_EQ(g->policy.due_diligence_elements.size(), 4u);
  EXPECT_EQ(g->policy.block_max_txs, 2000u);
  // Re-read from its canonical form (what GetGenesis serves), it is the same chain.
  EXPECT_EQ(ParseGenesis(g->canonical_json)->hash, g->hash);
}

}  // namespace
}  // namespace lotchain::core
