#include "consensus/core/proto_json.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <deque>

#include "consensus/core/crypto.h"

namespace lotchain::core {

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
      if (f->type() == FieldDescriptor::TYPE_BYTES) return ToHex(s);
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

std::string EnumLabel(const std::string& full_name, const std::string& prefix) {
  std::string s = full_name.rfind(prefix, 0) == 0 ? full_name.substr(prefix.size()) : full_name;
  std::transform(s.begin(), s.end(), s.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return s;
}

}  // namespace lotchain::core
