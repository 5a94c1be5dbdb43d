// `lotchaind genesis new|add-member|add-validator|hash|verify`: a consortium assembles its
// genesis from public keys only (docs/OPERATIONS.md "Three companies, three hosts").
//
// Every member makes its own keys where they will be used (`lotchain keys new` for signing,
// `lotchaind init` for the node key) and hands over public keys; whoever holds the draft file
// adds them, and every member checks the result with `genesis verify` and compares the hash out
// of band before starting. No step needs anyone else's secret key.
//
// Each edit re-checks the whole draft with core::ParseGenesisDraft (the checks a node runs on
// start, except that the lists may still be empty) and rewrites the file atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/result.h"

namespace CLI {
class App;
}

namespace lotchain::node {

struct GenesisArgs {
  std::string file;
  std::string chain_id;
  int64_t time_unix_ms = -1;  // -1: now
  std::string policy_file;    // empty: the default policy (DefaultPolicyJson)
  std::string org;
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> keys;  // hex public keys
  std::string id;
  std::string operator_org;
  std::string address;  // optional hint; each node's [p2p] peers may name it instead
};

// Each returns the text to print on success.
core::Result<std::string> GenesisNew(const GenesisArgs& args);
core::Result<std::string> GenesisAddMember(const GenesisArgs& args);
core::Result<std::string> GenesisAddValidator(const GenesisArgs& args);
core::Result<std::string> GenesisHash(const std::string& file);
core::Result<std::string> GenesisVerify(const std::string& file);

// Adds `genesis` and its subcommands to `app`; RunGenesisCommand runs the one parsed and
// returns the exit code (0, or 1 with the error on stderr).
CLI::App* AddGenesisCommand(CLI::App& app, GenesisArgs& args);
int RunGenesisCommand(const CLI::App& genesis_cmd, const GenesisArgs& args);

}  // namespace lotchain::node
