#include "consensus/core/genesis.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/ids.h"
#include "consensus/core/state_keys.h"
#include "consensus/core/state_tree.h"

namespace lotchain::core {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<v1::Role, std::string_view>, 10> kRoleNames = {{
    {v1::ROLE_MINER, "miner"},
    {v1::ROLE_REFINER, "refiner"},
    {v1::ROLE_PRECURSOR_MAKER, "precursor_maker"},
    {v1::ROLE_CATHODE_MAKER, "cathode_maker"},
    {v1::ROLE_CELL_MAKER, "cell_maker"},
    {v1::ROLE_OEM, "oem"},
    {v1::ROLE_RECYCLER, "recycler"},
    {v1::ROLE_COLLECTOR, "collector"},
    {v1::ROLE_SECOND_LIFE, "second_life"},
    {v1::ROLE_AUDITOR, "auditor"},
}};

constexpr std::array<std::pair<v1::Element, std::string_view>, 10> kElementSymbols = {{
    {v1::ELEMENT_CO, "Co"},
    {v1::ELEMENT_NI, "Ni"},
    {v1::ELEMENT_LI, "Li"},
    {v1::ELEMENT_MN, "Mn"},
    {v1::ELEMENT_CU, "Cu"},
    {v1::ELEMENT_AL, "Al"},
    {v1::ELEMENT_PB, "Pb"},
    {v1::ELEMENT_FE, "Fe"},
    {v1::ELEMENT_P, "P"},
    {v1::ELEMENT_GRAPHITE, "graphite"},
}};

Status Bad(const std::string& path, std::string_view problem) {
  return Status("BAD_GENESIS", "genesis " + path + ": " + std::string(problem));
}

template <typename Table>
std::string Choices(const Table& table) {
  std::string out;
  for (const auto& [value, name] : table) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Typed field accessors that name the JSON path in their errors.
Result<std::string> GetString(const json& obj, const std::string& path, const char* field,
                              bool required = true) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (!required) return std::string();
    return Bad(path + "." + field, "missing (a string is required)");
  }
  if (!it->is_string()) return Bad(path + "." + field, "must be a string");
  return it->get<std::string>();
}

Result<int64_t> GetInt(const json& obj, const std::string& path, const char* field,
                       bool required = true) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (!required) return int64_t{0};
    return Bad(path + "." + field, "missing (an integer is required)");
  }
  if (!it->is_number_integer()) return Bad(path + "." + field, "must be an integer");
  return it->get<int64_t>();
}

Result<const json*> GetArray(const json& obj, const std::string& path, const char* field,
                             bool required = true) {
  static const json kEmpty = json::array();
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (!required) return &kEmpty;
    return Bad(path + "." + field, "missing (an array is required)");
  }
  if (!it->is_array()) return Bad(path + "." + field, "must be an array");
  return &*it;
}

Result<std::string> ParseKey(const json& value, const std::string& path) {
  if (!value.is_string()) return Bad(path, "must be a hex string of a 32-byte Ed25519 key");
  auto raw = FromHex(value.get<std::string>());
  if (!raw.ok() || raw->size() != kPublicKeyBytes) {
    return Bad(path, "must be 64 hex digits (a 32-byte Ed25519 public key)");
  }
  return std::move(raw).value();
}

Result<v1::Member> ParseMember(const json& m, const std::string& path) {
  if (!m.is_object()) return Bad(path, "must be an object");
  v1::Member member;
  LOTCHAIN_ASSIGN_OR_RETURN(std::string org_id, GetString(m, path, "org_id"));
  if (!IsValidId(org_id)) return Bad(path + ".org_id", kIdRule);
  member.set_org_id(org_id);
  LOTCHAIN_ASSIGN_OR_RETURN(std::string name, GetString(m, path, "name"));
  if (name.empty() || name.size() > 128) return Bad(path + ".name", "must be 1..128 bytes");
  member.set_name(name);
  LOTCHAIN_ASSIGN_OR_RETURN(const json* roles, GetArray(m, path, "roles"));
  if (roles->empty()) return Bad(path + ".roles", "must list at least one role");
  std::set<int> seen;
  for (size_t i = 0; i < roles->size(); ++i) {
    std::string rpath = path + ".roles[" + std::to_string(i) + "]";
    if (!(*roles)[i].is_string()) return Bad(rpath, "must be a string");
    auto role = ParseRole((*roles)[i].get<std::string>());
    if (!role.ok()) return Bad(rpath, role.status().message());
    if (!seen.insert(*role).second) return Bad(rpath, "role listed twice");
  }
  for (int r : seen) member.add_roles(static_cast<v1::Role>(r));
  LOTCHAIN_ASSIGN_OR_RETURN(const json* keys, GetArray(m, path, "public_keys"));
  if (keys->empty()) return Bad(path + ".public_keys", "must list at least one key");
  for (size_t i = 0; i < keys->size(); ++i) {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string key,
                              ParseKey((*keys)[i], path + ".public_keys[" + std::to_string(i) + "]"));
    member.add_public_keys(key);
  }
  return member;
}

Result<GenesisValidator> ParseValidator(const json& v, const std::string& path) {
  if (!v.is_object()) return Bad(path, "must be an object");
  GenesisValidator validator;
  LOTCHAIN_ASSIGN_OR_RETURN(validator.id, GetString(v, path, "id"));
  if (!IsValidId(validator.id)) return Bad(path + ".id", kIdRule);
  auto key_it = v.find("public_key");
  if (key_it == v.end()) return Bad(path + ".public_key", "missing");
  LOTCHAIN_ASSIGN_OR_RETURN(validator.public_key, ParseKey(*key_it, path + ".public_key"));
  // Optional: a hint where to dial, outside the hash. Each node's config.toml [p2p] peers
  // overrides or supplies it, so a consortium need not publish its members' IPs in genesis.
  LOTCHAIN_ASSIGN_OR_RETURN(validator.address, GetString(v, path, "address", false));
  if (!validator.address.empty() && !IsHostPort(validator.address)) {
    return Bad(path + ".address",
               "must be HOST:PORT with a port 1..65535, got \"" + validator.address + "\"");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(validator.operator_org, GetString(v, path, "operator", false));
  if (!validator.operator_org.empty() && !IsValidId(validator.operator_org)) {
    return Bad(path + ".operator", kIdRule);
  }
  return validator;
}

Status ParseTargets(const json& policy, Policy& out) {
  LOTCHAIN_ASSIGN_OR_RETURN(const json* targets,
                            GetArray(policy, "policy", "recycled_content_targets", false));
  for (size_t i = 0; i < targets->size(); ++i) {
    std::string path = "policy.recycled_content_targets[" + std::to_string(i) + "]";
    const json& t = (*targets)[i];
    if (!t.is_object()) return Bad(path, "must be an object");
    RecycledContentTarget target;
    LOTCHAIN_ASSIGN_OR_RETURN(std::string symbol, GetString(t, path, "element"));
    auto element = ParseElement(symbol);
    if (!element.ok()) return Bad(path + ".element", element.status().message());
    target.element = *element;
    LOTCHAIN_ASSIGN_OR_RETURN(target.from_unix_ms, GetInt(t, path, "from_unix_ms"));
    LOTCHAIN_ASSIGN_OR_RETURN(int64_t ppm, GetInt(t, path, "min_ppm"));
    if (ppm < 0 || ppm > 1000000) return Bad(path + ".min_ppm", "must be 0..1000000 (ppm)");
    target.min_ppm = static_cast<uint64_t>(ppm);
    LOTCHAIN_ASSIGN_OR_RETURN(target.label, GetString(t, path, "label", false));
    out.recycled_content_targets.push_back(std::move(target));
  }
  return Status::Ok();
}

Result<Quorum> ParseQuorum(const json& governance, const std::string& name) {
  Quorum q;
  auto it = governance.find(name);
  if (it == governance.end()) return q;
  const std::string path = "policy.governance." + name;
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
      !(*it)[1].is_number_unsigned()) {
    return Bad(path, "must be [numerator, denominator], e.g. [2, 3]");
  }
  const uint64_t num = (*it)[0].get<uint64_t>();
  const uint64_t den = (*it)[1].get<uint64_t>();
  if (den < 1 || den > 1000 || num < 1 || num > den) {
    return Bad(path, "must be a fraction in (0, 1] with a denominator of at most 1000");
  }
  q.numerator = static_cast<uint32_t>(num);
  q.denominator = static_cast<uint32_t>(den);
  return q;
}

Status ParseGovernance(const json& policy, GovernancePolicy& out) {
  auto it = policy.find("governance");
  if (it == policy.end()) return Status::Ok();
  if (!it->is_object()) return Bad("policy.governance", "must be an object");
  LOTCHAIN_ASSIGN_OR_RETURN(out.member_quorum, ParseQuorum(*it, "member_quorum"));
  LOTCHAIN_ASSIGN_OR_RETURN(out.validator_quorum, ParseQuorum(*it, "validator_quorum"));
  if (it->contains("proposal_ttl_blocks")) {
    LOTCHAIN_ASSIGN_OR_RETURN(int64_t ttl,
                              GetInt(*it, "policy.governance", "proposal_ttl_blocks", true));
    if (ttl < 1 || ttl > 10'000'000) {
      return Bad("policy.governance.proposal_ttl_blocks", "must be 1..10000000");
    }
    out.proposal_ttl_blocks = static_cast<uint64_t>(ttl);
  }
  return Status::Ok();
}

Status ParsePolicy(const json& root, Policy& out) {
  auto it = root.find("policy");
  if (it == root.end()) return Status::Ok();  // all defaults
  if (!it->is_object()) return Bad("policy", "must be an object");
  const json& policy = *it;
  LOTCHAIN_RETURN_IF_ERROR(ParseTargets(policy, out));
  LOTCHAIN_ASSIGN_OR_RETURN(const json* dd,
                            GetArray(policy, "policy", "due_diligence_elements", false));
  std::set<int> elements;
  for (size_t i = 0; i < dd->size(); ++i) {
    std::string path = "policy.due_diligence_elements[" + std::to_string(i) + "]";
    if (!(*dd)[i].is_string()) return Bad(path, "must be a string");
    auto element = ParseElement((*dd)[i].get<std::string>());
    if (!element.ok()) return Bad(path, element.status().message());
    elements.insert(*element);
  }
  for (int e : elements) out.due_diligence_elements.push_back(static_cast<v1::Element>(e));
  LOTCHAIN_RETURN_IF_ERROR(ParseGovernance(policy, out.governance));
  auto block = policy.find("block");
  if (block != policy.end()) {
    if (!block->is_object()) return Bad("policy.block", "must be an object");
    LOTCHAIN_ASSIGN_OR_RETURN(int64_t max_txs, GetInt(*block, "policy.block", "max_txs", false));
    LOTCHAIN_ASSIGN_OR_RETURN(int64_t max_bytes,
                              GetInt(*block, "policy.block", "max_bytes", false));
    if (max_txs != 0) {
      if (max_txs < 1 || max_txs > 100000) return Bad("policy.block.max_txs", "must be 1..100000");
      out.block_max_txs = static_cast<uint32_t>(max_txs);
    }
    if (max_bytes != 0) {
      if (max_bytes < 65536 || max_bytes > (64 << 20)) {
        return Bad("policy.block.max_bytes", "must be 65536..67108864 bytes");
      }
      out.block_max_bytes = static_cast<uint64_t>(max_bytes);
    }
  }
  return Status::Ok();
}

Status ParseMembers(const json& root, bool draft, Genesis& g) {
  LOTCHAIN_ASSIGN_OR_RETURN(const json* members, GetArray(root, "", "members"));
  if (members->empty() && !draft) return Bad(".members", "must list at least one member");
  if (members->size() > kMembersMax) return Bad(".members", "too many members (max 4096)");
  std::set<std::string> org_ids;
  std::set<std::string> keys;
  for (size_t i = 0; i < members->size(); ++i) {
    std::string path = "members[" + std::to_string(i) + "]";
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Member member, ParseMember((*members)[i], path));
    if (!org_ids.insert(member.org_id()).second) {
      return Bad(path + ".org_id", "duplicate organisation id \"" + member.org_id() + "\"");
    }
    for (const auto& key : member.public_keys()) {
      if (!keys.insert(key).second) {
        return Bad(path + ".public_keys", "key " + ToHex(key) + " belongs to two members");
      }
    }
    g.members.push_back(std::move(member));
  }
  std::sort(g.members.begin(), g.members.end(),
            [](const v1::Member& a, const v1::Member& b) { return a.org_id() < b.org_id(); });
  return Status::Ok();
}

Status ParseValidators(const json& root, bool draft, Genesis& g) {
  LOTCHAIN_ASSIGN_OR_RETURN(const json* validators, GetArray(root, "", "validators"));
  if (validators->empty() && !draft) {
    return Bad(".validators", "must list at least one validator");
  }
  if (validators->size() > kValidatorsMax) return Bad(".validators", "too many (max 100)");
  std::set<std::string> ids;
  std::set<std::string> keys;
  for (size_t i = 0; i < validators->size(); ++i) {
    std::string path = "validators[" + std::to_string(i) + "]";
    LOTCHAIN_ASSIGN_OR_RETURN(GenesisValidator v, ParseValidator((*validators)[i], path));
    if (!ids.insert(v.id).second) return Bad(path + ".id", "duplicate validator id " + v.id);
    if (!keys.insert(v.public_key).second) return Bad(path + ".public_key", "duplicate key");
    if (!v.operator_org.empty() &&
        !std::any_of(g.members.begin(), g.members.end(),
                     [&](const v1::Member& m) { return m.org_id() == v.operator_org; })) {
      return Bad(path + ".operator", "\"" + v.operator_org + "\" is not a member's org_id");
    }
    g.validators.push_back(std::move(v));
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(v1::Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unspecified";
}

Result<v1::Role> ParseRole(std::string_view name) {
  for (const auto& [value, role_name] : kRoleNames) {
    if (role_name == name) return value;
  }
  return Status("BAD_ROLE", "unknown role \"" + std::string(name) + "\"; expected one of " +
                                Choices(kRoleNames));
}

std::string_view ElementSymbol(v1::Element element) {
  for (const auto& [value, symbol] : kElementSymbols) {
    if (value == element) return symbol;
  }
  return "?";
}

Result<v1::Element> ParseElement(std::string_view symbol) {
  for (const auto& [value, element_symbol] : kElementSymbols) {
    if (element_symbol == symbol) return value;
  }
  return Status("BAD_ELEMENT", "unknown element \"" + std::string(symbol) +
                                   "\"; expected one of " + Choices(kElementSymbols));
}

namespace {

// The chain's identity: SHA-256 over the canonical form of the parsed document (object keys
// sorted, no whitespace, UTF-8), without the validators' network addresses. Re-saving the file
// (`jq -c`, an editor) or moving a validator to a new IP therefore keeps the chain; peers are
// authenticated by their keys, which stay in the hash.
std::string CanonicalJson(const json& root) {
  return root.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

std::string CanonicalGenesisHash(json root) {
  if (auto it = root.find("validators"); it != root.end() && it->is_array()) {
    for (json& validator : *it) {
      if (validator.is_object()) validator.erase("address");
    }
  }
  std::string preimage = "lotchain/genesis/v1";
  preimage.push_back('\0');
  preimage += CanonicalJson(root);
  return Sha256(preimage);
}

Result<Genesis> ParseGenesisDocument(std::string_view json_bytes, bool draft) {
  if (json_bytes.size() > kGenesisBytesMax) {
    return Bad("file", "larger than 16 MiB; is this really a genesis file?");
  }
  json root = json::parse(json_bytes.begin(), json_bytes.end(), nullptr, false);
  if (root.is_discarded()) return Bad("file", "is not valid JSON");
  if (!root.is_object()) return Bad("file", "must be a JSON object");
  Genesis g;
  LOTCHAIN_ASSIGN_OR_RETURN(g.chain_id, GetString(root, "", "chain_id"));
  if (!IsValidId(g.chain_id)) return Bad(".chain_id", kIdRule);
  LOTCHAIN_ASSIGN_OR_RETURN(g.genesis_time_unix_ms, GetInt(root, "", "genesis_time_unix_ms"));
  if (g.genesis_time_unix_ms < 0) return Bad(".genesis_time_unix_ms", "must be >= 0");
  LOTCHAIN_RETURN_IF_ERROR(ParseMembers(root, draft, g));
  LOTCHAIN_RETURN_IF_ERROR(ParseValidators(root, draft, g));
  LOTCHAIN_RETURN_IF_ERROR(ParsePolicy(root, g.policy));
  g.canonical_json = CanonicalJson(root);
  g.hash = CanonicalGenesisHash(std::move(root));
  return g;
}

}  // namespace

Result<Genesis> ParseGenesis(std::string_view json_bytes) {
  return ParseGenesisDocument(json_bytes, /*draft=*/false);
}

Result<Genesis> ParseGenesisDraft(std::string_view json_bytes) {
  return ParseGenesisDocument(json_bytes, /*draft=*/true);
}

StateDelta GenesisDelta(const Genesis& genesis) {
  StateDelta delta;
  for (const auto& member : genesis.members) {
    delta.Put(keys::Member(member.org_id()), member.SerializeAsString());
    for (const auto& key : member.public_keys()) {
      delta.Put(keys::SignerOrg(key), member.org_id());
    }
  }
  return delta;
}

std::string GenesisStateRoot(const Genesis& genesis) {
  LOTCHAIN_ASSERT(genesis.hash.size() == kHashBytes);
  return StateTree().Apply(GenesisDelta(genesis)).Root();
}

}  // namespace lotchain::core
