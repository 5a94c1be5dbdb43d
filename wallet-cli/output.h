// Rendering for people (aligned tables, key/value blocks) and for scripts (JSON; ProtoToJson
// lives in the core, consensus/core/proto_json.h, so the export formats share it). Pure
// functions; thread-safe.
#pragma once

#include "consensus/core/proto_json.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lotchain::wallet {

using core::ProtoToJson;

// A text table: a header row and rows of cells, columns padded to their widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row);
  std::string Render() const;
  size_t row_count() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "key:   value" lines with the values aligned.
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

// Short names for people: "active" for LOT_STATUS_ACTIVE, "refinery" for FACILITY_KIND_REFINERY.
using core::EnumLabel;
std::string ShortHex(const std::string& bytes);  // first 8 bytes of hex and "…"

}  // namespace lotchain::wallet
