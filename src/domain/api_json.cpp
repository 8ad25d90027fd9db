#include "domain/api_json.hpp"

#include <cmath>

#include "util/json_text.hpp"

namespace kefir::domain::api_json {
namespace {

json::value number_value(double number) {
  if (std::trunc(number) == number && std::abs(number) < 9e15) return static_cast<std::int64_t>(number);
  return number;
}

}  // namespace

json::value dom_value(const std::string& text) {
  return json::value(text);
}
json::value dom_value(TimePoint time) {
  return json::value(format_rfc3339(time));
}
json::value dom_value(std::int64_t number) {
  return number;
}
json::value dom_value(double number) {
  return number_value(number);
}
json::value dom_value(bool flag) {
  return flag;
}
json::value dom_value(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}
json::value dom_value(const json::object& object) {
  return object;
}

void append_value(std::string& out, const std::string& text) {
  json_text::append_string(out, text);
}
void append_value(std::string& out, TimePoint time) {
  out.push_back('"');
  out += format_rfc3339(time);
  out.push_back('"');
}
void append_value(std::string& out, std::int64_t number) {
  json_text::append_integer(out, number);
}
void append_value(std::string& out, double number) {
  out += json::serialize(number_value(number));
}
void append_value(std::string& out, bool flag) {
  out += flag ? "true" : "false";
}
void append_value(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    json_text::append_string(out, items[i]);
  }
  out.push_back(']');
}
void append_value(std::string& out, const json::object& object) {
  out += json::serialize(object);
}
void append_key(std::string& out, std::string_view name) {
  // Names are the domain's own identifiers, never in need of escapes.
  out.push_back('"');
  out += name;
  out += "\":";
}

}  // namespace kefir::domain::api_json
