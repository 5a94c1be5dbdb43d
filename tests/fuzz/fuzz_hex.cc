// Fuzz target: FromHex (consensus/core/crypto.h), which parses keys, hashes and ids typed by
// operators and read from config and genesis files. Properties checked on every input:
//   - FromHex succeeds iff the length is even and every byte is [0-9a-fA-F];
//   - on success the output is half the length and ToHex(output) is the input lower-cased;
//   - on failure the status code is BAD_HEX;
//   - FromHex(ToHex(bytes)) == bytes for the raw input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "tests/fuzz/fuzz_target.h"

namespace lotchain::fuzz {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char Lower(char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

int FuzzHex(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool well_formed = text.size() % 2 == 0;
  std::string lowered;
  lowered.reserve(text.size());
  for (char c : text) {
    if (!IsHexDigit(c)) well_formed = false;
    lowered.push_back(Lower(c));
  }

  core::Result<std::string> decoded = core::FromHex(text);
  LOTCHAIN_ASSERT(decoded.ok() == well_formed);
  if (decoded.ok()) {
    LOTCHAIN_ASSERT(decoded->size() * 2 == text.size());
    LOTCHAIN_ASSERT(core::ToHex(*decoded) == lowered);
  } else {
    LOTCHAIN_ASSERT(decoded.status().code() == "BAD_HEX");
  }

  std::string encoded = core::ToHex(text);
  LOTCHAIN_ASSERT(encoded.size() == 2 * text.size());
  core::Result<std::string> round_trip = core::FromHex(encoded);
  LOTCHAIN_ASSERT(round_trip.ok());
  LOTCHAIN_ASSERT(*round_trip == text);
  return 0;
}

}  // namespace lotchain::fuzz

LOTCHAIN_FUZZ_ENTRY(FuzzHex)
