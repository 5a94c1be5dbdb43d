#include "node/app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace lotchain::node {

namespace {

// Separates a LogEvent's message from its JSON fields inside the spdlog payload.
constexpr char kFieldsMark = '\x1f';

void AppendEscaped(std::string_view text, spdlog::memory_buf_t& dest) {
  for (char c : text) {
    switch (c) {
      case '"': dest.append(std::string_view("\\\"")); break;
      case '\\': dest.append(std::string_view("\\\\")); break;
      case '\n': dest.append(std::string_view("\\n")); break;
      case '\t': dest.append(std::string_view("\\t")); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          dest.append(std::string_view("?"));
        } else {
          dest.push_back(c);
        }
    }
  }
}

std::string_view Payload(const spdlog::details::log_msg& msg) {
  return std::string_view(msg.payload.data(), msg.payload.size());
}

// %J: "message" and, for a LogEvent, its fields: `"message","height":12`.
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view payload = Payload(msg);
    const size_t mark = payload.find(kFieldsMark);
    dest.push_back('"');
    AppendEscaped(payload.substr(0, mark), dest);
    dest.push_back('"');
    if (mark != std::string_view::npos && mark + 1 < payload.size()) {
      dest.push_back(',');
      dest.append(payload.substr(mark + 1));  // built by LogFields: already valid JSON
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessage>();
  }
};

// %H: the message without a LogEvent's fields.
class HumanMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view payload = Payload(msg);
    dest.append(payload.substr(0, payload.find(kFieldsMark)));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<HumanMessage>();
  }
};

}  // namespace

void LogFields::Key(std::string_view key) {
  if (!json_.empty()) json_.push_back(',');
  spdlog::memory_buf_t buf;
  AppendEscaped(key, buf);
  json_ += "\"" + std::string(buf.data(), buf.size()) + "\":";
}

LogFields& LogFields::Add(std::string_view key, uint64_t value) {
  Key(key);
  json_ += std::to_string(value);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, std::string_view value) {
  Key(key);
  spdlog::memory_buf_t buf;
  AppendEscaped(value, buf);
  json_ += "\"" + std::string(buf.data(), buf.size()) + "\"";
  return *this;
}

void LogEvent(spdlog::level::level_enum level, const std::string& message,
              const LogFields& fields) {
  // The message may quote outside text (a rejected block's reason): it must not contain the
  // mark, or it could end the message early and pass its own "fields" as JSON.
  std::string safe = message;
  for (char& c : safe) {
    if (c == kFieldsMark) c = '?';
  }
  spdlog::log(level, "{}", safe + kFieldsMark + fields.json());
}

void SetUpLogging(const std::string& format, const std::string& level, const std::string& node) {
  auto logger = spdlog::stderr_logger_mt("lotchaind");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (format == "json") {
    spdlog::memory_buf_t escaped_node;
    AppendEscaped(node, escaped_node);
    formatter->add_flag<JsonMessage>('J').set_pattern(
        "{\"time\":\"%Y-%m-%dT%H:%M:%S.%e%z\",\"level\":\"%l\",\"node\":\"" +
        std::string(escaped_node.data(), escaped_node.size()) + "\",\"msg\":%J}");
  } else {
    formatter->add_flag<HumanMessage>('H').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [" + node +
                                                       "] %H");
  }
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace lotchain::node
