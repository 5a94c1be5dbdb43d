#include "wallet-cli/units.h"

#include "consensus/core/quantity_text.h"
#include "consensus/core/civil_date.h"

#include <array>
#include <cstdio>
#include <optional>

namespace lotchain::wallet {

using core::Civil;
using core::CivilFromDays;
using core::DaysFromCivil;

namespace {

__extension__ typedef unsigned __int128 Uint128;

using core::Result;
using core::Status;

constexpr int kDigitsMax = 30;  // far above any bound here; keeps the 128-bit product exact

struct Unit {
  std::string_view suffix;  // compared case-insensitively
  int exponent;             // value in base units = number * 10^exponent
};

struct Decimal {
  bool negative = false;
  std::string integer_digits;
  std::string fraction_digits;  // trailing zeros removed
  std::string unit;             // the rest, spaces trimmed
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Status Bad(std::string_view text, const std::string& why) {
  return Status("BAD_QUANTITY", "\"" + std::string(text.substr(0, 64)) + "\": " + why);
}

Result<Decimal> SplitDecimal(std::string_view original, bool allow_negative) {
  std::string_view text = Trim(original);
  Decimal d;
  size_t i = 0;
  if (i < text.size() && text[i] == '-' && allow_negative) {
    d.negative = true;
    ++i;
  }
  while (i < text.size() && IsDigit(text[i])) d.integer_digits.push_back(text[i++]);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) d.fraction_digits.push_back(text[i++]);
    if (d.fraction_digits.empty()) return Bad(original, "a decimal point needs digits after it");
  }
  if (d.integer_digits.empty()) {
    return Bad(original, "expected a number such as 1.2 or 350 before the unit");
  }
  if (d.integer_digits.size() + d.fraction_digits.size() > kDigitsMax) {
    return Bad(original, "too many digits");
  }
  while (!d.fraction_digits.empty() && d.fraction_digits.back() == '0') {
    d.fraction_digits.pop_back();
  }
  d.unit = std::string(Trim(text.substr(i)));
  return d;
}

// number * 10^exponent as an exact integer <= max_value.
Result<uint64_t> Scale(std::string_view original, const Decimal& d, int exponent,
                       uint64_t max_value, std::string_view base_unit) {
  LOTCHAIN_ASSERT(exponent >= 0);
  LOTCHAIN_ASSERT(exponent <= 9);
  if (static_cast<int>(d.fraction_digits.size()) > exponent) {
    // In the base unit itself there is nothing smaller to switch to: only rounding helps.
    const std::string advice = exponent == 0 ? "; round it to a whole number of " +
                                                   std::string(base_unit)
                                             : "; round it or use a smaller unit";
    return Bad(original, "is not a whole number of " + std::string(base_unit) +
                             " (the chain counts whole " + std::string(base_unit) + ")" + advice);
  }
  Uint128 value = 0;
  for (char c : d.integer_digits + d.fraction_digits) {
    value = value * 10 + static_cast<Uint128>(c - '0');
  }
  for (int k = static_cast<int>(d.fraction_digits.size()); k < exponent; ++k) value *= 10;
  if (value > max_value) {
    return Bad(original, "exceeds the maximum of " + std::to_string(max_value) + " " +
                             std::string(base_unit));
  }
  return static_cast<uint64_t>(value);
}

template <size_t N>
Result<uint64_t> ParseWithUnits(std::string_view text, const std::array<Unit, N>& units,
                                uint64_t max_value, std::string_view base_unit,
                                std::string_view example) {
  LOTCHAIN_ASSIGN_OR_RETURN(Decimal d, SplitDecimal(text, false));
  if (d.unit.empty()) {
    return Bad(text, "needs a unit, e.g. " + std::string(example) +
                         " (a bare number is ambiguous)");
  }
  for (const Unit& unit : units) {
    if (EqualsIgnoreCase(d.unit, unit.suffix)) {
      return Scale(text, d, unit.exponent, max_value, base_unit);
    }
  }
  std::string known;
  for (const Unit& unit : units) known += (known.empty() ? "" : ", ") + std::string(unit.suffix);
  if (d.unit.starts_with(",") && d.unit.size() > 1 && d.unit[1] >= '0' && d.unit[1] <= '9') {
    return Bad(text, "the decimal separator is a dot: write " + d.integer_digits + "." +
                         d.unit.substr(1) + ", and no thousands separators");
  }
  return Bad(text, "unknown unit \"" + d.unit + "\"; use one of " + known);
}

constexpr std::array<Unit, 3> kMassUnits = {{{"t", 6}, {"kg", 3}, {"g", 0}}};
constexpr std::array<Unit, 9> kCo2eUnits = {{{"t", 6},
                                             {"kg", 3},
                                             {"g", 0},
                                             {"tCO2e", 6},
                                             {"kgCO2e", 3},
                                             {"gCO2e", 0},
                                             {"t CO2e", 6},
                                             {"kg CO2e", 3},
                                             {"g CO2e", 0}}};
constexpr std::array<Unit, 3> kEnergyUnits = {{{"MWh", 6}, {"kWh", 3}, {"Wh", 0}}};
constexpr std::array<Unit, 2> kShareUnits = {{{"%", 4}, {"ppm", 0}}};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).



std::optional<int64_t> Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int64_t value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  constexpr std::array<int64_t, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

using core::FormatScaled;  // consensus/core/quantity_text.h

}  // namespace

Result<uint64_t> ParseMassGrams(std::string_view text) {
  return ParseWithUnits(text, kMassUnits, kMassGramsMax, "g", "1.2t, 350kg or 12g");
}

Result<uint64_t> ParseCo2eGrams(std::string_view text) {
  return ParseWithUnits(text, kCo2eUnits, kCo2eGramsMax, "g", "350kg, 1.2t or 40g (CO2e)");
}

Result<uint64_t> ParseEnergyWh(std::string_view text) {
  return ParseWithUnits(text, kEnergyUnits, kEnergyWhMax, "Wh", "75kWh or 75000Wh");
}

Result<uint32_t> ParsePpm(std::string_view text) {
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t ppm,
                            ParseWithUnits(text, kShareUnits, kPpmMax, "ppm", "92% or 920000ppm"));
  return static_cast<uint32_t>(ppm);
}

Result<int64_t> ParseDateUnixMs(std::string_view original) {
  std::string_view text = Trim(original);
  if (!text.empty() && text.size() >= 11 && text.find('-') == std::string_view::npos) {
    auto ms = Digits(text, 0, text.size());
    if (text.size() <= 15 && ms.has_value()) return *ms;
  }
  auto year = Digits(text, 0, 4);
  auto month = Digits(text, 5, 2);
  auto day = Digits(text, 8, 2);
  bool shape = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (!shape || !year || !month || !day) {
    return Bad(original, "expected a date YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or Unix ms");
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month)) {
    return Bad(original, "is not a calendar date");
  }
  int64_t seconds = 0;
  if (text.size() > 10) {
    auto h = Digits(text, 11, 2);
    auto mi = Digits(text, 14, 2);
    auto s = Digits(text, 17, 2);
    bool time_shape = text.size() == 20 && (text[10] == 'T' || text[10] == ' ') &&
                      text[13] == ':' && text[16] == ':' && text[19] == 'Z';
    if (!time_shape || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) {
      return Bad(original, "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ");
    }
    seconds = *h * 3600 + *mi * 60 + *s;
  }
  return (DaysFromCivil(*year, *month, *day) * 86400 + seconds) * 1000;
}

Result<int32_t> ParseMicrodegrees(std::string_view text, int32_t abs_max) {
  LOTCHAIN_ASSERT(abs_max > 0);
  LOTCHAIN_ASSIGN_OR_RETURN(Decimal d, SplitDecimal(text, true));
  if (!d.unit.empty() && d.unit != "deg") return Bad(text, "expected decimal degrees");
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t micro,
                            Scale(text, d, 6, static_cast<uint64_t>(abs_max), "micro-degrees"));
  int32_t value = static_cast<int32_t>(micro);
  return d.negative ? -value : value;
}

std::string FormatMass(uint64_t grams) { return core::FormatMass(grams); }

std::string FormatCo2e(uint64_t grams) { return FormatMass(grams) + " CO2e"; }

std::string FormatEnergy(uint64_t wh) {
  if (wh >= 1'000'000) return FormatScaled(wh, 6, "MWh");
  if (wh >= 1'000) return FormatScaled(wh, 3, "kWh");
  return FormatScaled(wh, 0, "Wh");
}

std::string FormatPpm(uint64_t ppm) { return FormatScaled(ppm, 4, "%"); }

std::string FormatMgPer(uint64_t mg, std::string_view per_unit) {
  std::string per = " CO2e/" + std::string(per_unit);
  if (mg >= 1'000'000) return FormatScaled(mg, 6, "kg") + per;
  return FormatScaled(mg, 3, "g") + per;
}

std::string FormatDate(int64_t unix_ms) {
  int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rest = seconds - days * 86400;
  Civil c = CivilFromDays(days);
  std::array<char, 160> buffer{};
  if (rest == 0 && unix_ms % 1000 == 0) {
    std::snprintf(buffer.data(), buffer.size(), "%04lld-%02lld-%02lld",
                  static_cast<long long>(c.year), static_cast<long long>(c.month),
                  static_cast<long long>(c.day));
  } else {
    std::snprintf(buffer.data(), buffer.size(), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(c.year), static_cast<long long>(c.month),
                  static_cast<long long>(c.day), static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  }
  return std::string(buffer.data());
}

}  // namespace lotchain::wallet
