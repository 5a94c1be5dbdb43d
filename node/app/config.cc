#include "node/app/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <toml++/toml.h>

#include "consensus/core/ids.h"

namespace lotchain::node {

namespace {

core::Status BadConfig(const std::string& file, const std::string& problem) {
  return core::Status("BAD_CONFIG", file + ": " + problem);
}

template <typename T>
core::Status ReadKey(const toml::table& table, const std::string& file, const char* section,
                     const char* key, T& out) {
  const toml::node* node = table.at_path(std::string(section) + "." + key).node();
  if (node == nullptr) return core::Status::Ok();  // keep the default
  if constexpr (std::is_same_v<T, std::string>) {
    auto value = node->value<std::string>();
    if (!value) return BadConfig(file, std::string(section) + "." + key + " must be a string");
    out = *value;
  } else {
    auto value = node->value<int64_t>();
    if (!value || *value < 0) {
      return BadConfig(file, std::string(section) + "." + key + " must be a non-negative integer");
    }
    out = static_cast<T>(*value);
  }
  return core::Status::Ok();
}

core::Status ReadPeers(const toml::table& table, const std::string& file,
                       std::vector<PeerAddress>& out) {
  const toml::node* node = table.at_path("p2p.peers").node();
  if (node == nullptr) return core::Status::Ok();
  const toml::array* entries = node->as_array();
  if (entries == nullptr) {
    return BadConfig(file, "p2p.peers must be an array of \"VALIDATOR_ID@HOST:PORT\" strings");
  }
  if (entries->size() > kConfigPeersMax) {
    return BadConfig(file, "p2p.peers lists more than " + std::to_string(kConfigPeersMax) +
                               " entries (a validator set has at most 100)");
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    auto text = (*entries)[i].value<std::string>();
    const std::string where = "p2p.peers[" + std::to_string(i) + "]";
    if (!text) return BadConfig(file, where + " must be a string");
    auto peer = ParsePeerAddress(*text);
    if (!peer.ok()) return BadConfig(file, where + ": " + peer.status().message());
    for (const PeerAddress& seen : out) {
      if (seen.who == peer->who) return BadConfig(file, where + ": " + seen.who + " listed twice");
    }
    out.push_back(std::move(peer).value());
  }
  return core::Status::Ok();
}

core::Status CheckConfig(const NodeConfig& c, const std::string& file) {
  if (c.p2p_observers_max > 256) return BadConfig(file, "p2p.observers_max must be 0..256");
  if (c.http_api_workers < 1 || c.http_api_workers > 64) {
    return BadConfig(file, "http.api_workers must be 1..64");
  }
  if (c.http_api_queue_max < 1 || c.http_api_queue_max > 4096) {
    return BadConfig(file, "http.api_queue_max must be 1..4096");
  }
  if (c.log_format != "human" && c.log_format != "json") {
    return BadConfig(file, "log.format must be \"human\" or \"json\"");
  }
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    if (c.log_level == level) return core::Status::Ok();
  }
  return BadConfig(file, "log.level must be trace, debug, info, warn or error");
}

std::string PeersToml(const std::vector<PeerAddress>& peers) {
  std::string out;
  for (const PeerAddress& peer : peers) {
    out += (out.empty() ? "\n  \"" : "  \"") + peer.who + "@" + peer.address + "\",\n";
  }
  return out;
}

}  // namespace

core::Result<PeerAddress> ParsePeerAddress(std::string_view entry) {
  const size_t at = entry.find('@');
  const std::string shown(entry.substr(0, 300));
  if (at == std::string_view::npos) {
    return core::Status("BAD_CONFIG", "\"" + shown + "\" is not VALIDATOR_ID@HOST:PORT (no @)");
  }
  PeerAddress peer{std::string(entry.substr(0, at)), std::string(entry.substr(at + 1))};
  if (!core::IsValidId(peer.who)) {
    return core::Status("BAD_CONFIG", "\"" + shown + "\": before the @ comes a validator id or "
                                      "its 64-hex-digit public key (" +
                                          std::string(core::kIdRule) + ")");
  }
  if (!core::IsHostPort(peer.address)) {
    return core::Status("BAD_CONFIG", "\"" + shown + "\": after the @ comes HOST:PORT with a "
                                      "port 1..65535, as this node dials it");
  }
  return peer;
}

std::string NodeConfig::Resolve(const std::string& path) const {
  if (!path.empty() && path.front() == '/') return path;
  return (std::filesystem::path(home) / path).string();
}

core::Result<std::string> ReadFile(const std::string& path, size_t bytes_max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Status("NOT_FOUND", "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  if (bytes.size() > bytes_max) {
    return core::Status("TOO_LARGE", path + " is larger than " + std::to_string(bytes_max) + " bytes");
  }
  return bytes;
}

core::Status WriteFile(const std::string& path, const std::string& bytes, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return core::Status("IO", "cannot write " + path + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      ::close(fd);
      return core::Status("IO", "cannot write " + path + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  ::fchmod(fd, static_cast<mode_t>(mode));
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return core::Status("IO", "cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return core::Status::Ok();
}

core::Result<NodeConfig> LoadConfig(const std::string& home) {
  NodeConfig c;
  c.home = home;
  std::string file = (std::filesystem::path(home) / "config.toml").string();
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 1 << 20));
  toml::table t;
  try {  // tomlplusplus reports parse errors by exception; keep it at this edge
    t = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    std::ostringstream msg;
    msg << "not valid TOML: " << error.description() << " at line " << error.source().begin.line;
    return BadConfig(file, msg.str());
  }
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "node", "moniker", c.moniker));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "node", "genesis_file", c.genesis_file));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "node", "key_file", c.key_file));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "node", "data_dir", c.data_dir));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "p2p", "listen", c.p2p_listen));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "p2p", "observers_max", c.p2p_observers_max));
  LOTCHAIN_RETURN_IF_ERROR(ReadPeers(t, file, c.p2p_peers));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "rpc", "listen", c.rpc_listen));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "http", "listen", c.http_listen));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "http", "api_workers", c.http_api_workers));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "http", "api_queue_max", c.http_api_queue_max));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "mempool", "max_txs", c.mempool_txs_max));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "mempool", "max_bytes", c.mempool_bytes_max));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "consensus", "timeout_propose_ms", c.timeout_propose_ms));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "consensus", "timeout_prevote_ms", c.timeout_prevote_ms));
  LOTCHAIN_RETURN_IF_ERROR(
      ReadKey(t, file, "consensus", "timeout_precommit_ms", c.timeout_precommit_ms));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "consensus", "timeout_delta_ms", c.timeout_delta_ms));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "consensus", "resend_ms", c.resend_ms));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "consensus", "block_delay_ms", c.block_delay_ms));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "log", "format", c.log_format));
  LOTCHAIN_RETURN_IF_ERROR(ReadKey(t, file, "log", "level", c.log_level));
  LOTCHAIN_RETURN_IF_ERROR(CheckConfig(c, file));
  return c;
}

std::string DefaultConfigToml(const NodeConfig& c) {
  std::ostringstream out;
  out << "# lotchaind configuration (docs/OPERATIONS.md). Relative paths are relative to the\n"
      << "# home directory that holds this file.\n\n"
      << "[node]\nmoniker = \"" << c.moniker << "\"\ngenesis_file = \"" << c.genesis_file
      << "\"\nkey_file = \"" << c.key_file << "\"\ndata_dir = \"" << c.data_dir << "\"\n\n"
      << "[p2p]\n# Validator-to-validator TCP listener (authenticated, encrypted).\nlisten = \""
      << c.p2p_listen << "\"\n"
      << "# Inbound links from observer nodes (members' nodes outside the validator set).\n"
      << "observers_max = " << c.p2p_observers_max << "\n"
      << "# Where to dial the other validators: \"VALIDATOR_ID@HOST:PORT\" (or the validator's\n"
      << "# public key in hex before the @). Overrides the address genesis or governance gave it;\n"
      << "# needed for every validator that has none there.\npeers = [" << PeersToml(c.p2p_peers)
      << "]\n\n"
      << "[rpc]\n# gRPC lotchain.v1.Ledger for wallets and auditors.\nlisten = \"" << c.rpc_listen
      << "\"\n\n"
      << "[http]\n# /metrics (Prometheus), /healthz, /readyz and the read-only JSON API under\n"
      << "# /api/v1/ (docs/API.md).\nlisten = \"" << c.http_listen << "\"\n"
      << "# Threads that answer API requests, and requests queued beyond them (then 429).\n"
      << "api_workers = " << c.http_api_workers << "\napi_queue_max = " << c.http_api_queue_max
      << "\n\n"
      << "[mempool]\nmax_txs = " << c.mempool_txs_max << "\nmax_bytes = " << c.mempool_bytes_max
      << "\n\n"
      << "[consensus]\n# Milliseconds. Timeouts grow by timeout_delta_ms per round.\n"
      << "timeout_propose_ms = " << c.timeout_propose_ms << "\ntimeout_prevote_ms = "
      << c.timeout_prevote_ms << "\ntimeout_precommit_ms = " << c.timeout_precommit_ms
      << "\ntimeout_delta_ms = " << c.timeout_delta_ms << "\nresend_ms = " << c.resend_ms
      << "\n# A proposer waits this long after the first pending transaction to fill a block.\n"
      << "block_delay_ms = " << c.block_delay_ms << "\n\n"
      << "[log]\nformat = \"" << c.log_format << "\"  # human | json\nlevel = \"" << c.log_level
      << "\"\n";
  return out.str();
}

core::Result<core::SecretKey> LoadNodeKey(const std::string& path) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 16));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seed") || !j["seed"].is_string()) {
    return BadConfig(path, "not a node key file (expected JSON with \"seed\" and \"public_key\")");
  }
  auto seed = core::FromHex(j["seed"].get<std::string>());
  if (!seed.ok() || seed->size() != core::kSeedBytes) {
    return BadConfig(path, "\"seed\" must be 64 hex digits");
  }
  auto key = core::SecretKey::FromSeed(*seed);
  if (!key.ok()) return key.status();
  if (j.contains("public_key") && j["public_key"] != core::ToHex(key->PublicKey())) {
    return BadConfig(path, "\"public_key\" does not match \"seed\"; the file is damaged");
  }
  return key;
}

core::Status WriteNodeKey(const std::string& path, const core::SecretKey& key) {
  nlohmann::json j = {{"public_key", core::ToHex(key.PublicKey())},
                      {"seed", core::ToHex(key.Seed())}};
  return WriteFile(path, j.dump(2) + "\n", 0600);
}

}  // namespace lotchain::node
