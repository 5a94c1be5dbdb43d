// Logging set-up for lotchaind: human-readable lines or one JSON object per line.
//
// LogEvent adds structured fields to a line: in JSON they are fields of the object
// ({"time", "level", "node", "msg", "height": 12, "block": "ab12…"}), so log pipelines filter
// on them without parsing the message; in human form the message alone is printed (it already
// says the same in words).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace lotchain::node {

// format: "human" | "json"; level: trace|debug|info|warn|error. Logs go to stderr.
void SetUpLogging(const std::string& format, const std::string& level, const std::string& node);

class LogFields {
 public:
  LogFields& Add(std::string_view key, uint64_t value);
  LogFields& Add(std::string_view key, std::string_view value);
  const std::string& json() const { return json_; }  // "\"k\":1,\"s\":\"v\"" (no braces)

 private:
  void Key(std::string_view key);
  std::string json_;
};

void LogEvent(spdlog::level::level_enum level, const std::string& message, const LogFields& fields);

}  // namespace lotchain::node
