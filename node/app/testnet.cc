#include "node/app/testnet.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "consensus/core/genesis.h"
#include "node/app/config.h"

namespace lotchain::node {

namespace {

using nlohmann::json;

core::SecretKey RandomKey() {
  std::string seed(core::kSeedBytes, '\0');
  randombytes_buf(seed.data(), seed.size());
  auto key = core::SecretKey::FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return std::move(key).value();
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return core::ToHex(raw);
}

core::Result<json> LoadJsonFile(const std::string& path, const char* what) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 16u << 20));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return core::Status("BAD_INPUT", path + " is not valid JSON (" + what + ")");
  return j;
}

}  // namespace

std::string DefaultPolicyJson() {
  // 18 Aug 2031 and 18 Aug 2036, 00:00 UTC (EU 2023/1542 Art. 8(2) and 8(3)).
  const int64_t k2031 = 1944777600000;
  const int64_t k2036 = 2102630400000;
  json targets = json::array();
  auto add = [&](const char* element, int64_t from, int ppm, const char* label) {
    targets.push_back({{"element", element}, {"from_unix_ms", from}, {"min_ppm", ppm},
                       {"label", label}});
  };
  add("Co", k2031, 160000, "EU 2023/1542 Art. 8(2)(a)");
  add("Pb", k2031, 850000, "EU 2023/1542 Art. 8(2)(b)");
  add("Li", k2031, 60000, "EU 2023/1542 Art. 8(2)(c)");
  add("Ni", k2031, 60000, "EU 2023/1542 Art. 8(2)(d)");
  add("Co", k2036, 260000, "EU 2023/1542 Art. 8(3)(a)");
  add("Pb", k2036, 850000, "EU 2023/1542 Art. 8(3)(b)");
  add("Li", k2036, 120000, "EU 2023/1542 Art. 8(3)(c)");
  add("Ni", k2036, 150000, "EU 2023/1542 Art. 8(3)(d)");
  json policy = {{"recycled_content_targets", targets},
                 {"due_diligence_elements", {"Co", "Ni", "Li", "graphite"}},
                 {"block", {{"max_txs", 2000}, {"max_bytes", 4194304}}}};
  return policy.dump();
}

namespace {

// The genesis members: the --members file, or one development organisation with every role
// whose key is written next to the genesis.
core::Result<json> TestnetMembers(const TestnetOptions& o, const std::filesystem::path& out) {
  if (!o.members_file.empty()) return LoadJsonFile(o.members_file, "members");
  core::SecretKey dev = RandomKey();
  LOTCHAIN_RETURN_IF_ERROR(WriteNodeKey((out / "dev-member.json").string(), dev));
  return json::array(
      {{{"org_id", "dev-org"},
        {"name", "Development organisation (all roles; test key)"},
        {"roles", {"miner", "refiner", "precursor_maker", "cathode_maker", "cell_maker", "oem",
                   "recycler", "collector", "second_life", "auditor"}},
        {"public_keys", {core::ToHex(dev.PublicKey())}}}});
}

bool IsIpLiteral(const std::string& host, bool* v6 = nullptr) {
  unsigned char buf[16];
  const bool is_v6 = ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
  if (v6 != nullptr) *v6 = is_v6;
  return is_v6 || ::inet_pton(AF_INET, host.c_str(), buf) == 1;
}

bool IsHostName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = host[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    ++label;
  }
  return true;
}

// Node i's host (127.0.0.1 without --hosts).
std::string HostOf(const TestnetOptions& o, uint32_t i) {
  return o.hosts.empty() ? "127.0.0.1" : o.hosts[i];
}

// host:port, with IPv6 literals in brackets.
std::string JoinHostPort(const std::string& host, int port) {
  bool v6 = false;
  IsIpLiteral(host, &v6);
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Where node i listens: its host when that is an IP literal, else every interface.
std::string ListenOn(const TestnetOptions& o, uint32_t i, int port) {
  const std::string host = HostOf(o, i);
  return JoinHostPort(IsIpLiteral(host) ? host : "0.0.0.0", port);
}

std::string P2pAddress(const TestnetOptions& o, uint32_t i) {
  return JoinHostPort(HostOf(o, i), o.base_port + static_cast<int>(i));
}

// Validator i of the testnet. Each validator is operated by a member, round-robin over the
// members (governance counts validator approvals through their operators; docs/GOVERNANCE.md).
// With --hosts the address stays out of the genesis: each node's [p2p] peers names it.
json TestnetValidator(const TestnetOptions& o, const json& members, uint32_t i,
                      const core::SecretKey& key) {
  json validator = {{"id", "v" + std::to_string(i)},
                    {"public_key", core::ToHex(key.PublicKey())}};
  if (o.hosts.empty()) validator["address"] = P2pAddress(o, i);
  if (members.is_array() && !members.empty() && members[i % members.size()].contains("org_id")) {
    validator["operator"] = members[i % members.size()]["org_id"];
  }
  return validator;
}

// One validator's home: config.toml, genesis.json and node_key.json. Returns its summary row.
core::Result<json> WriteTestnetHome(const TestnetOptions& o, const std::filesystem::path& out,
                                    uint32_t i, const std::string& genesis_text,
                                    const core::SecretKey& key) {
  namespace fs = std::filesystem;
  fs::path home = out / ("node" + std::to_string(i));
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return core::Status("IO", "cannot create " + home.string() + ": " + ec.message());
  NodeConfig c;
  c.home = home.string();
  c.moniker = "v" + std::to_string(i);
  c.p2p_listen = ListenOn(o, i, o.base_port + static_cast<int>(i));
  c.rpc_listen = ListenOn(o, i, o.base_port + 100 + static_cast<int>(i));
  c.http_listen = ListenOn(o, i, o.base_port + 200 + static_cast<int>(i));
  c.block_delay_ms = o.block_delay_ms;
  for (uint32_t j = 0; j < o.validators && !o.hosts.empty(); ++j) {
    if (j != i) c.p2p_peers.push_back({"v" + std::to_string(j), P2pAddress(o, j)});
  }
  LOTCHAIN_RETURN_IF_ERROR(WriteFile((home / "config.toml").string(), DefaultConfigToml(c)));
  LOTCHAIN_RETURN_IF_ERROR(WriteFile((home / "genesis.json").string(), genesis_text));
  LOTCHAIN_RETURN_IF_ERROR(WriteNodeKey((home / "node_key.json").string(), key));
  const std::string host = HostOf(o, i);
  return json{{"home", home.string()},
              {"host", host},
              {"grpc", JoinHostPort(host, o.base_port + 100 + static_cast<int>(i))},
              {"http", JoinHostPort(host, o.base_port + 200 + static_cast<int>(i))},
              {"p2p", P2pAddress(o, i)}};
}

}  // namespace

core::Status CheckTestnetHost(const std::string& host, size_t index) {
  if (IsIpLiteral(host) || IsHostName(host)) return core::Status::Ok();
  return core::Status("BAD_INPUT", "host " + std::to_string(index + 1) + " \"" +
                                       host.substr(0, 80) + "\" is neither an IP address nor a "
                                       "host name (letters, digits, '-' and '.'; no port: ports "
                                       "come from --base-port)");
}

core::Result<std::vector<std::string>> ReadHostsFile(const std::string& path) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1u << 16));
  std::vector<std::string> hosts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    hosts.push_back(line.substr(first, line.find_last_not_of(" \t\r") - first + 1));
  }
  if (hosts.empty()) return core::Status("BAD_INPUT", path + " lists no hosts (one per line)");
  return hosts;
}

core::Status GenerateTestnet(const TestnetOptions& o) {
  if (o.validators < 1 || o.validators > 64) {
    return core::Status("BAD_INPUT", "--validators must be 1..64");
  }
  if (!o.hosts.empty() && o.hosts.size() != o.validators) {
    return core::Status("BAD_INPUT", std::to_string(o.hosts.size()) + " hosts for " +
                                         std::to_string(o.validators) +
                                         " validators: give one host per validator");
  }
  for (size_t i = 0; i < o.hosts.size(); ++i) {
    LOTCHAIN_RETURN_IF_ERROR(CheckTestnetHost(o.hosts[i], i));
  }
  if (o.base_port < 1024 || o.base_port > 65535 - 300) {
    return core::Status("BAD_INPUT", "--base-port must be 1024..65235");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) return core::Status("IO", "cannot create " + o.out_dir + ": " + ec.message());
  const fs::path out = fs::absolute(o.out_dir);
  if (fs::exists(out / "genesis.json")) {
    return core::Status("ALREADY_EXISTS", out.string() + " already holds a testnet; remove it or "
                                                         "choose another --out");
  }
  json genesis;
  // Two test networks must never share an identity, or a bundle of one would be checked against
  // the other's genesis with confusing failures.
  genesis["chain_id"] = o.chain_id.empty() ? "lotchain-localnet-" + RandomHex(4) : o.chain_id;
  genesis["genesis_time_unix_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  LOTCHAIN_ASSIGN_OR_RETURN(genesis["members"], TestnetMembers(o, out));
  if (o.policy_file.empty()) {
    genesis["policy"] = json::parse(DefaultPolicyJson());
  } else {
    LOTCHAIN_ASSIGN_OR_RETURN(genesis["policy"], LoadJsonFile(o.policy_file, "policy"));
  }
  std::vector<core::SecretKey> keys;
  genesis["validators"] = json::array();
  for (uint32_t i = 0; i < o.validators; ++i) {
    keys.push_back(RandomKey());
    genesis["validators"].push_back(
        TestnetValidator(o, genesis["members"], i, keys.back()));
  }
  std::string genesis_text = genesis.dump(2) + "\n";
  auto parsed = core::ParseGenesis(genesis_text);
  if (!parsed.ok()) return parsed.status();  // e.g. a bad members file: names the field
  LOTCHAIN_RETURN_IF_ERROR(WriteFile((out / "genesis.json").string(), genesis_text));
  json nodes = json::array();
  for (uint32_t i = 0; i < o.validators; ++i) {
    LOTCHAIN_ASSIGN_OR_RETURN(json row, WriteTestnetHome(o, out, i, genesis_text, keys[i]));
    nodes.push_back(std::move(row));
  }
  json summary = {{"chain_id", genesis["chain_id"]},
                  {"genesis", (out / "genesis.json").string()},
                  {"nodes", nodes}};
  if (o.members_file.empty()) summary["dev_member_key"] = (out / "dev-member.json").string();
  return WriteFile((out / "testnet.json").string(), summary.dump(2) + "\n");
}

}  // namespace lotchain::node
