// Human-sized quantities on the command line, converted exactly to the chain's integer units.
//
//   mass    "1.2t" "350kg" "12g" "0.5 t"          -> grams          (t = 1,000,000 g)
//   CO2e    "350kg" "1.2t" "40g" "350kgCO2e"      -> grams CO2e
//   energy  "75kWh" "75000Wh" "1.5MWh"            -> Wh
//   share   "92%" "92.5 %" "925000ppm"            -> ppm
//   date    "2026-01-15" "2026-01-15T08:30:00Z" or Unix ms  -> Unix ms (UTC)
//   degrees "-10.712345"                          -> micro-degrees
//
// Integers only: a decimal is split into integer and fraction digits and scaled with 128-bit
// arithmetic. A value that is not a whole number of the base unit ("0.0001g"), a value without
// a unit ("1200": grams or kilograms?), an unknown unit, or one above the chain's bounds is
// refused with an error (code BAD_QUANTITY) that says what to type instead. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/result.h"

namespace lotchain::wallet {

// The custody rules' bounds (docs/CUSTODY.md): masses and emissions up to 1e15 g.
inline constexpr uint64_t kMassGramsMax = 1'000'000'000'000'000;
inline constexpr uint64_t kCo2eGramsMax = 1'000'000'000'000'000;
inline constexpr uint64_t kEnergyWhMax = 1'000'000'000'000'000;
inline constexpr uint64_t kPpmMax = 1'000'000;

core::Result<uint64_t> ParseMassGrams(std::string_view text);
core::Result<uint64_t> ParseCo2eGrams(std::string_view text);
core::Result<uint64_t> ParseEnergyWh(std::string_view text);
core::Result<uint32_t> ParsePpm(std::string_view text);
core::Result<int64_t> ParseDateUnixMs(std::string_view text);
core::Result<int32_t> ParseMicrodegrees(std::string_view text, int32_t abs_max);

// Exact renderings for people: the largest unit that keeps the value readable, with only the
// digits needed ("1.2 t", "350 kg", "12 g", "1.234567 t").
std::string FormatMass(uint64_t grams);
std::string FormatCo2e(uint64_t grams);  // "350 kg CO2e"
std::string FormatEnergy(uint64_t wh);   // "75 kWh"
std::string FormatPpm(uint64_t ppm);     // "12.5 %"
std::string FormatDate(int64_t unix_ms);  // "2026-01-15" or "2026-01-15T08:30:00Z"
// mg CO2e per kg or per kWh (roll-up figures) as "12.345 kg CO2e/kWh" style text.
std::string FormatMgPer(uint64_t mg, std::string_view per_unit);

}  // namespace lotchain::wallet
