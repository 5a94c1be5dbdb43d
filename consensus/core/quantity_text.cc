#include "consensus/core/quantity_text.h"

#include "consensus/core/assert.h"

namespace lotchain::core {

std::string FormatScaled(uint64_t value, int exponent, std::string_view unit) {
  LOTCHAIN_ASSERT(exponent >= 0 && exponent <= 18);
  if (exponent == 0) return std::to_string(value) + " " + std::string(unit);
  uint64_t divisor = 1;
  for (int i = 0; i < exponent; ++i) divisor *= 10;
  std::string text = std::to_string(value / divisor);
  std::string fraction = std::to_string(value % divisor);
  fraction.insert(0, static_cast<size_t>(exponent) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) text += "." + fraction;
  return text + " " + std::string(unit);
}

std::string FormatMass(uint64_t grams) {
  if (grams >= 1'000'000) return FormatScaled(grams, 6, "t");
  if (grams >= 1'000) return FormatScaled(grams, 3, "kg");
  return FormatScaled(grams, 0, "g");
}

}  // namespace lotchain::core
