// Identifier rules shared by genesis, the custody rules and the CLI.
#pragma once

#include <string_view>

namespace lotchain::core {

inline constexpr std::string_view kIdRule =
    "must be 1..64 characters from A-Z a-z 0-9 . _ : -";

// Organisation, facility, lot, audit, flag and chain ids: [A-Za-z0-9._:-]{1,64}.
inline bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace lotchain::core
