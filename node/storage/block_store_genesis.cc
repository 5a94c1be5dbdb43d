// Open from a parsed core::Genesis. Kept in its own translation unit so that programs which only
// use the GenesisState overload (tests, tools) do not link core::GenesisDelta.
#include "consensus/core/assert.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

GenesisState GenesisStateOf(const core::Genesis& genesis) {
  LOTCHAIN_ASSERT(genesis.hash.size() == 32);
  GenesisState state{genesis.hash, core::GenesisDelta(genesis), core::GenesisStateRoot(genesis)};
  LOTCHAIN_ASSERT(state.state_root == core::StateTree().Apply(state.delta).Root());
  return state;
}

core::Result<std::unique_ptr<BlockStore>> BlockStore::Open(const std::string& dir,
                                                           const core::Genesis& genesis,
                                                           const OpenOptions& options) {
  return Open(dir, GenesisStateOf(genesis), options);
}

}  // namespace lotchain::node
