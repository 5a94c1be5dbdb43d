#include "consensus/core/export_support.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "consensus/core/crypto.h"
#include "consensus/core/civil_date.h"

namespace lotchain::core::exports {

namespace {

// The placeholder's text inside a dumped document: nlohmann-json escapes the 0x01 byte.
constexpr std::string_view kPlaceholderPrefix = "\x01lotchain-exact:";
constexpr std::string_view kDumpedPrefix = "\"\\u0001lotchain-exact:";




constexpr int64_t kDayMs = 86'400'000;

// Whole days since 1970-01-01 and the milliseconds into the day (floor division).
std::pair<int64_t, int64_t> SplitDays(int64_t unix_ms) {
  int64_t days = unix_ms / kDayMs;
  int64_t rest = unix_ms % kDayMs;
  if (rest < 0) {
    rest += kDayMs;
    days -= 1;
  }
  return {days, rest};
}

std::string Pad(int64_t value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width)
    text.insert(0, static_cast<size_t>(width) - text.size(), '0');
  return text;
}

bool Creates(v1::EventKind kind) {
  return kind == v1::EVENT_KIND_CREATED_ORIGIN || kind == v1::EVENT_KIND_PRODUCED ||
         kind == v1::EVENT_KIND_RECOVERED;
}

// Events that add emissions to a lot: its creation and its accepted transports.
bool Activity(const v1::LotEvent& event) {
  return Creates(event.kind()) || event.kind() == v1::EVENT_KIND_ACCEPTED;
}

}  // namespace

std::string Decimal(uint64_t value, int exponent) {
  LOTCHAIN_ASSERT(exponent >= 0 && exponent <= 18);
  uint64_t divisor = 1;
  for (int i = 0; i < exponent; ++i) divisor *= 10;
  std::string text = std::to_string(value / divisor);
  if (exponent == 0) return text;
  std::string fraction = std::to_string(value % divisor);
  fraction.insert(0, static_cast<size_t>(exponent) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? text : text + "." + fraction;
}

nlohmann::json ExactNumbers::Number(std::string decimal) {
  decimals_.push_back(std::move(decimal));
  return std::string(kPlaceholderPrefix) + std::to_string(decimals_.size() - 1);
}

Result<std::string> ExactNumbers::Dump(const nlohmann::json& document) const {
  std::string text = document.dump(2) + "\n";
  for (size_t i = 0; i < decimals_.size(); ++i) {
    const std::string placeholder = std::string(kDumpedPrefix) + std::to_string(i) + "\"";
    size_t at = text.find(placeholder);
    if (at == std::string::npos || text.find(placeholder, at + 1) != std::string::npos) {
      return Status("EXPORT_INPUT_MISSING", "a text of the chain imitates a number placeholder");
    }
    text.replace(at, placeholder.size(), decimals_[i]);
  }
  if (text.find(kDumpedPrefix.substr(1)) != std::string::npos) {
    return Status("EXPORT_INPUT_MISSING", "a text of the chain imitates a number placeholder");
  }
  return text;
}

std::string IsoTime(int64_t unix_ms) {
  auto [days, ms] = SplitDays(unix_ms);
  Civil date = CivilFromDays(days);
  int64_t seconds = ms / 1000;
  std::string text = Pad(date.year, 4) + "-" + Pad(date.month, 2) + "-" + Pad(date.day, 2) + "T" +
                     Pad(seconds / 3600, 2) + ":" + Pad(seconds / 60 % 60, 2) + ":" +
                     Pad(seconds % 60, 2);
  if (ms % 1000 != 0) text += "." + Pad(ms % 1000, 3);
  return text + "Z";
}

int64_t AddYears(int64_t unix_ms, int years) {
  auto [days, ms] = SplitDays(unix_ms);
  Civil date = CivilFromDays(days);
  date.year += years;
  bool leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
  if (date.month == 2 && date.day == 29 && !leap) date.day = 28;
  return DaysFromCivil(date.year, date.month, date.day) * kDayMs + ms;
}

std::string NameUuid(std::string_view name) {
  std::string hash = Sha256("lotchain/export-id/v1" + std::string(1, '\0') + std::string(name));
  hash[6] = static_cast<char>((hash[6] & 0x0F) | 0x80);  // version 8
  hash[8] = static_cast<char>((hash[8] & 0x3F) | 0x80);  // variant 10
  std::string hex = ToHex(hash.substr(0, 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string NiUri(std::string_view sha256) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "ni:///sha-256;";
  uint32_t bits = 0;
  int count = 0;
  for (char ch : sha256) {
    bits = (bits << 8) | static_cast<unsigned char>(ch);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3F];
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3F];
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

Result<std::string> ChainIdOf(const ExportSource& source, std::string_view format) {
  if (source.genesis != nullptr) return source.genesis->chain_id;
  if (!source.chain_id.empty()) return source.chain_id;
  return Status("EXPORT_INPUT_MISSING", std::string(format) +
                                            " names lots by the chain's id: give the genesis "
                                            "or the chain id");
}

std::string Urn(std::string_view chain_id, std::string_view kind, std::string_view id) {
  return "urn:lotchain:" + std::string(chain_id) + ":" + std::string(kind) + ":" + std::string(id);
}

std::string OrgName(const ExportSource& source, const std::string& org_id) {
  if (source.genesis != nullptr) {
    for (const auto& member : source.genesis->members) {
      if (member.org_id() == org_id && !member.name().empty()) return member.name();
    }
  }
  return org_id;
}

Period ReferencePeriod(const v1::Trace& trace) {
  Period period{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  for (int i = 0; i < trace.nodes_size(); ++i) {
    for (const auto& event : trace.nodes(i).events()) {
      if (!Activity(event)) continue;
      period.start_unix_ms = std::min(period.start_unix_ms, event.time_unix_ms());
      if (i == 0) period.end_unix_ms = std::max(period.end_unix_ms, event.time_unix_ms());
    }
  }
  if (period.end_unix_ms < period.start_unix_ms) {  // no events (not possible for a real lot)
    period.start_unix_ms = period.end_unix_ms = trace.nodes(0).lot().created_time_unix_ms();
  }
  return period;
}

const std::vector<std::string>* Declared(const ExportSource& source, std::string_view key) {
  if (source.declarations == nullptr) return nullptr;
  auto it = source.declarations->find(key);
  return it == source.declarations->end() || it->second.empty() ? nullptr : &it->second;
}

Result<std::vector<std::string>> RequireDeclared(const ExportSource& source,
                                                 std::string_view format, std::string_view key,
                                                 std::string_view example, std::string_view why) {
  if (const auto* values = Declared(source, key)) return *values;
  return Status("EXPORT_INPUT_MISSING", std::string(format) + " needs --declare " +
                                            std::string(key) + "=" + std::string(example) + ": " +
                                            std::string(why));
}

const v1::TraceNode* FindNode(const v1::Trace& trace, std::string_view lot_id) {
  for (const auto& node : trace.nodes()) {
    if (node.lot().lot_id() == lot_id) return &node;
  }
  return nullptr;
}

}  // namespace lotchain::core::exports
