#include "wallet-cli/output.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <deque>

#include "consensus/core/crypto.h"

namespace lotchain::wallet {

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

std::string ShortHex(const std::string& bytes) {
  std::string hex = core::ToHex(bytes.substr(0, 8));
  return bytes.size() > 8 ? hex + "…" : hex;
}

}  // namespace lotchain::wallet
