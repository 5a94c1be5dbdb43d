#include "wallet-cli/output.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <deque>

#include "consensus/core/crypto.h"

namespace lotchain::wallet {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

json Scalar(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_ENUM: {
      int value = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* named = f->enum_type()->FindValueByNumber(value);
      return named != nullptr ? json(named->name()) : json(value);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) return core::ToHex(s);
      return s;
    }
    default:
      return nullptr;  // float/double/message are handled elsewhere or unused in lotchain.v1
  }
}

}  // namespace

// Iterative walk (no recursion): a stack of (message, json slot) pairs.
json ProtoToJson(const Message& root) {
  json out = json::object();
  std::deque<std::pair<const Message*, json*>> work = {{&root, &out}};
  while (!work.empty()) {
    auto [m, slot] = work.back();
    work.pop_back();
    *slot = json::object();
    const auto* d = m->GetDescriptor();
    const Reflection* r = m->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      bool message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
      if (f->is_repeated()) {
        json& array = (*slot)[f->name()] = json::array();
        int n = r->FieldSize(*m, f);
        for (int k = 0; k < n; ++k) array.push_back(message ? json::object() : Scalar(*m, f, k));
        if (message) {
          for (int k = 0; k < n; ++k) {
            work.emplace_back(&r->GetRepeatedMessage(*m, f, k), &array[static_cast<size_t>(k)]);
          }
        }
        continue;
      }
      if (f->containing_oneof() != nullptr && !r->HasField(*m, f)) continue;
      if (message) {
        if (!r->HasField(*m, f)) continue;
        (*slot)[f->name()] = json::object();
        work.emplace_back(&r->GetMessage(*m, f), &(*slot)[f->name()]);
        continue;
      }
      (*slot)[f->name()] = Scalar(*m, f, 0);
    }
  }
  return out;
}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

namespace {

// Display width: count UTF-8 code points, not bytes.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> widths;
  for (const auto& h : header_) widths.push_back(Width(h));
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(widths[i] - Width(cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(header_);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, Width(key));
  std::string out;
  for (const auto& [key, value] : fields) {
    out += key + ":" + std::string(width - Width(key) + 2, ' ') + value + "\n";
  }
  return out;
}

std::string EnumLabel(const std::string& full_name, const std::string& prefix) {
  std::string s = full_name.rfind(prefix, 0) == 0 ? full_name.substr(prefix.size()) : full_name;
  std::transform(s.begin(), s.end(), s.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return s;
}

std::string ShortHex(const std::string& bytes) {
  std::string hex = core::ToHex(bytes.substr(0, 8));
  return bytes.size() > 8 ? hex + "…" : hex;
}

}  // namespace lotchain::wallet
