#include "domain/csv.hpp"

namespace kefir::csv {
namespace {

bool starts_formula(std::string_view value) {
  if (value.empty()) return false;
  switch (value.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string cell(std::string_view value) {
  std::string text;
  text.reserve(value.size() + 3);
  if (starts_formula(value)) text.push_back('\'');
  text.append(value);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted;
  quoted.reserve(text.size() + 8);
  quoted.push_back('"');
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void append_row(std::string& out, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += cell(values[i]);
  }
  out += "\r\n";
}

}  // namespace kefir::csv
