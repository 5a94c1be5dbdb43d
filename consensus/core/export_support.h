// What the published export formats (export_<name>.cc) share: exact decimals, UTC times,
// identifiers derived from the chain, the reference period of a trace, the caller's
// declarations. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/export_format.h"
#include "consensus/core/result.h"

namespace lotchain::core::exports {

// value / 10^exponent as exact decimal text, trailing zeros dropped: (1234567, 3) ->
// "1234.567", (0, 6) -> "0", (1500, 3) -> "1.5". Never rounds.
std::string Decimal(uint64_t value, int exponent);
// value * 100 / 10^6 (ppm as a percentage), exact: 123456 -> "12.3456".
inline std::string PercentOfPpm(uint64_t ppm) { return Decimal(ppm, 4); }

// JSON numbers written exactly as decimal text. nlohmann-json holds numbers as doubles, which
// would turn 0.1 kg into 0.1000000000000000055 in some writers and lose digits above 2^53;
// Number() leaves a placeholder in the tree that Dump() replaces with the decimal text.
class ExactNumbers {
 public:
  nlohmann::json Number(std::string decimal);
  nlohmann::json Number(uint64_t value, int exponent) { return Number(Decimal(value, exponent)); }
  // The document, indented by 2, with a final newline. Fails (never guesses) when a string
  // of the document's data imitates a placeholder.
  Result<std::string> Dump(const nlohmann::json& document) const;

 private:
  std::vector<std::string> decimals_;
};

// RFC 3339 UTC time: "2026-01-01T00:00:00Z", with milliseconds when they are not zero.
std::string IsoTime(int64_t unix_ms);
// unix_ms + `years` calendar years, same time of day (29 February -> 28 February).
int64_t AddYears(int64_t unix_ms, int years);
// A name-based UUID (RFC 9562 version 8, from SHA-256 of "lotchain/export-id/v1" 0x00 name):
// the same document of the same block gets the same id.
std::string NameUuid(std::string_view name);

// RFC 6920 name of content by its SHA-256: "ni:///sha-256;<base64url, no padding>".
std::string NiUri(std::string_view sha256);
// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string PercentEncode(std::string_view text);

// The chain id (genesis first, then ExportSource::chain_id); EXPORT_INPUT_MISSING when neither.
Result<std::string> ChainIdOf(const ExportSource& source, std::string_view format);
// "urn:lotchain:<chain>:<kind>:<id>" (ids are [A-Za-z0-9._:-], valid in a URN as they are).
std::string Urn(std::string_view chain_id, std::string_view kind, std::string_view id);
// The member's name from the genesis, or its org id when the caller gave no genesis.
std::string OrgName(const ExportSource& source, const std::string& org_id);

// The times of the activities whose emissions the lot's footprint carries: from the earliest
// creating or accepting event of any lot in the trace to the latest one of the root lot.
struct Period {
  int64_t start_unix_ms = 0;
  int64_t end_unix_ms = 0;
};
Period ReferencePeriod(const v1::Trace& trace);

// The declared values of `key`, or null.
const std::vector<std::string>* Declared(const ExportSource& source, std::string_view key);
// The declared values of `key`; EXPORT_INPUT_MISSING naming `--declare key=example` and why
// when there are none.
Result<std::vector<std::string>> RequireDeclared(const ExportSource& source,
                                                 std::string_view format, std::string_view key,
                                                 std::string_view example, std::string_view why);

// The one lot-id-ed node of the trace, or null.
const v1::TraceNode* FindNode(const v1::Trace& trace, std::string_view lot_id);

}  // namespace lotchain::core::exports
