// Logging set-up for lotchaind: human-readable lines or one JSON object per line.
#pragma once

#include <string>

namespace lotchain::node {

// format: "human" | "json"; level: trace|debug|info|warn|error. Logs go to stderr.
void SetUpLogging(const std::string& format, const std::string& level, const std::string& node);

}  // namespace lotchain::node
