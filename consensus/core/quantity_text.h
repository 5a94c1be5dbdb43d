// Exact human text of integer quantities, shared by the custody rules' messages and the CLI:
// 4905696 g -> "4.905696 t", 1500 g -> "1.5 kg", 12 g -> "12 g". No rounding ever: a message
// about 50,000.001 kg says so. Pure (consensus/ may not do I/O).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lotchain::core {

// value / 10^exponent in decimal, trailing zeros dropped, then " unit".
std::string FormatScaled(uint64_t value, int exponent, std::string_view unit);
// Grams in t (>= 1 t), kg (>= 1 kg) or g.
std::string FormatMass(uint64_t grams);

}  // namespace lotchain::core
