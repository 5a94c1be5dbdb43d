// The registry of fuzz entry points, used by fuzz_corpus_replay. To add a target:
//   1. write tests/fuzz/<name>.cc defining lotchain::fuzz::<Function> + LOTCHAIN_FUZZ_ENTRY;
//   2. declare it below and add a row to kFuzzTargets;
//   3. append <name> to LOTCHAIN_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt;
//   4. check in seeds under tests/fuzz/corpus/<name>/ (the replay fails on a missing corpus).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_target.h"

namespace lotchain::fuzz {

int FuzzMerkleVerify(const uint8_t* data, size_t size);
int FuzzHex(const uint8_t* data, size_t size);
int FuzzSignedTx(const uint8_t* data, size_t size);

struct FuzzTarget {
  std::string_view name;  // executable name and corpus directory name
  FuzzEntryPoint entry;
};

inline constexpr FuzzTarget kFuzzTargets[] = {
    {"fuzz_merkle_verify", &FuzzMerkleVerify},
    {"fuzz_hex", &FuzzHex},
    {"fuzz_signed_tx", &FuzzSignedTx},
};

}  // namespace lotchain::fuzz
