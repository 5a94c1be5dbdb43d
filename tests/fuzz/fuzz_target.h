// Shared shape of lotchain's fuzz entry points (tests/fuzz/README.md).
//
// Each tests/fuzz/<name>.cc defines one entry point `int Fuzz...(const uint8_t*, size_t)` in
// namespace lotchain::fuzz and ends with LOTCHAIN_FUZZ_ENTRY(that function). Built as a libFuzzer
// target (-DLOTCHAIN_FUZZ=ON, clang) the macro defines LLVMFuzzerTestOneInput; built into
// fuzz_corpus_replay (always) it expands to nothing and the replay driver calls the function
// through kFuzzTargets (fuzz_targets.h).
//
// An entry point must accept any bytes: it returns 0, and aborts (LOTCHAIN_ASSERT) only when a
// property of the code under test is violated, which both drivers report as a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/assert.h"

namespace lotchain::fuzz {

using FuzzEntryPoint = int (*)(const uint8_t* data, size_t size);

// Reads fields off the front of a fuzz input. Past the end every read returns zeros or a short
// string, so every input decodes to something and the fuzzer never wastes runs on rejects.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return position_ >= size_; }
  size_t remaining() const { return size_ - position_; }

  uint8_t U8() { return empty() ? uint8_t{0} : data_[position_++]; }
  uint16_t U16() {
    uint8_t high = U8();  // two statements: the operands of | are unsequenced
    uint8_t low = U8();
    return static_cast<uint16_t>((high << 8) | low);
  }
  uint64_t U64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | U8();
    return value;
  }
  // Up to `count` bytes (fewer at the end of the input).
  std::string Bytes(size_t count) {
    size_t taken = count < remaining() ? count : remaining();
    std::string out(reinterpret_cast<const char*>(data_ + position_), taken);
    position_ += taken;
    LOTCHAIN_ASSERT(position_ <= size_);
    return out;
  }
  std::string Rest() { return Bytes(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

}  // namespace lotchain::fuzz

#ifdef LOTCHAIN_LIBFUZZER
#define LOTCHAIN_FUZZ_ENTRY(function)                                       \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return ::lotchain::fuzz::function(data, size);                          \
  }
#else
#define LOTCHAIN_FUZZ_ENTRY(function)
#endif
