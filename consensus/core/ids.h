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

// A p2p address as the transport dials it: "host:port" or "[v6]:port", a non-empty host of at
// most 253 bytes without spaces, and a decimal port 1..65535.
inline bool IsHostPort(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || address.size() > 260) return false;
  std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host.size() > 253 || port.empty() || port.size() > 5) return false;
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '/' || c == '\0') return false;
  }
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

}  // namespace lotchain::core
