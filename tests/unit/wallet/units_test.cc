// Units: every accepted spelling converts exactly to integer base units; inexact, unit-less,
// unknown-unit and out-of-range values are refused with a message naming the problem; the
// formatters print exact values that parse back to the same integer.
#include "wallet-cli/units.h"

#include <gtest/gtest.h>

namespace lotchain::wallet {
namespace {

TEST(UnitsTest, MassSpellings) {
  EXPECT_EQ(ParseMassGrams("1.2t").value(), 1'200'000u);
  EXPECT_EQ(ParseMassGrams("350kg").value(), 350'000u);
  EXPECT_EQ(ParseMassGrams("12g").value(), 12u);
  EXPECT_EQ(ParseMassGrams("0.5 t").value(), 500'000u);
  EXPECT_EQ(ParseMassGrams(" 2.000 KG ").value(), 2'000u);
  EXPECT_EQ(ParseMassGrams("0.001kg").value(), 1u);
  EXPECT_EQ(ParseMassGrams("1000000000t").value(), kMassGramsMax);
}

TEST(UnitsTest, MassRefusals) {
  auto inexact = ParseMassGrams("0.0001g");
  ASSERT_FALSE(inexact.ok());
  EXPECT_EQ(inexact.status().code(), "BAD_QUANTITY");
  EXPECT_NE(inexact.status().message().find("whole number"), std::string::npos);
  // In grams there is no smaller unit to suggest; in kg there is.
  EXPECT_EQ(inexact.status().message().find("smaller unit"), std::string::npos);
  auto inexact_kg = ParseMassGrams("0.0001kg");
  ASSERT_FALSE(inexact_kg.ok());
  EXPECT_NE(inexact_kg.status().message().find("smaller unit"), std::string::npos);
  auto bare = ParseMassGrams("1200");
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("needs a unit"), std::string::npos);
  auto unknown = ParseMassGrams("3lb");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown unit"), std::string::npos);
  EXPECT_FALSE(ParseMassGrams("1000000001t").ok());
  EXPECT_FALSE(ParseMassGrams("-1kg").ok());
  EXPECT_FALSE(ParseMassGrams("1.kg").ok());
  EXPECT_FALSE(ParseMassGrams("kg").ok());
  EXPECT_FALSE(ParseMassGrams("1e3kg").ok());
  EXPECT_FALSE(ParseMassGrams("99999999999999999999999999999t").ok());
  auto comma = ParseMassGrams("50,5kg");  // a European decimal comma
  ASSERT_FALSE(comma.ok());
  EXPECT_NE(comma.status().message().find("the decimal separator is a dot: write 50.5kg"),
            std::string::npos)
      << comma.status().message();
}

TEST(UnitsTest, Co2eEnergyShare) {
  EXPECT_EQ(ParseCo2eGrams("350kg").value(), 350'000u);
  EXPECT_EQ(ParseCo2eGrams("1.2tCO2e").value(), 1'200'000u);
  EXPECT_EQ(ParseCo2eGrams("40 g CO2e").value(), 40u);
  EXPECT_EQ(ParseEnergyWh("75kWh").value(), 75'000u);
  EXPECT_EQ(ParseEnergyWh("75000Wh").value(), 75'000u);
  EXPECT_EQ(ParseEnergyWh("101.25MWh").value(), 101'250'000u);
  EXPECT_FALSE(ParseEnergyWh("0.5Wh").ok());
  EXPECT_EQ(ParsePpm("92%").value(), 920'000u);
  EXPECT_EQ(ParsePpm("92.5 %").value(), 925'000u);
  EXPECT_EQ(ParsePpm("1000ppm").value(), 1'000u);
  EXPECT_FALSE(ParsePpm("100.1%").ok());
  EXPECT_FALSE(ParsePpm("0.00001%").ok());
}

TEST(UnitsTest, DatesAndDegrees) {
  EXPECT_EQ(ParseDateUnixMs("1970-01-01").value(), 0);
  EXPECT_EQ(ParseDateUnixMs("2026-01-01").value(), 1'767'225'600'000);
  EXPECT_EQ(ParseDateUnixMs("2024-02-29T12:00:00Z").value(), 1'709'208'000'000);
  EXPECT_EQ(ParseDateUnixMs("1767225600000").value(), 1'767'225'600'000);
  EXPECT_FALSE(ParseDateUnixMs("2025-02-29").ok());
  EXPECT_FALSE(ParseDateUnixMs("2025-13-01").ok());
  EXPECT_FALSE(ParseDateUnixMs("yesterday").ok());
  EXPECT_EQ(ParseMicrodegrees("-10.712345", 90'000'000).value(), -10'712'345);
  EXPECT_EQ(ParseMicrodegrees("25.5", 180'000'000).value(), 25'500'000);
  EXPECT_FALSE(ParseMicrodegrees("91", 90'000'000).ok());
  EXPECT_FALSE(ParseMicrodegrees("1.0000001", 90'000'000).ok());
}

TEST(UnitsTest, FormatsAreExactAndRoundTrip) {
  EXPECT_EQ(FormatMass(1'200'000), "1.2 t");
  EXPECT_EQ(FormatMass(350'000), "350 kg");
  EXPECT_EQ(FormatMass(12), "12 g");
  EXPECT_EQ(FormatMass(1'234'567), "1.234567 t");
  EXPECT_EQ(FormatCo2e(350'000), "350 kg CO2e");
  EXPECT_EQ(FormatEnergy(75'000), "75 kWh");
  EXPECT_EQ(FormatPpm(125'000), "12.5 %");
  EXPECT_EQ(FormatMgPer(61'500'000, "kWh"), "61.5 kg CO2e/kWh");
  EXPECT_EQ(FormatDate(1'767'225'600'000), "2026-01-01");
  EXPECT_EQ(FormatDate(1'709'208'000'000), "2024-02-29T12:00:00Z");
  const uint64_t samples[] = {1, 999, 1'000, 1'001, 999'999, 1'000'000, 123'456'789, kMassGramsMax};
  for (uint64_t grams : samples) {
    std::string text = FormatMass(grams);
    text.erase(text.find(' '), 1);
    EXPECT_EQ(ParseMassGrams(text).value(), grams) << text;
  }
}

}  // namespace
}  // namespace lotchain::wallet
