#pragma once
// A domain type's API JSON from one list of its fields, either as a DOM (responses about one thing, stored
// items) or as text appended straight into a buffer (list pages, where building a DOM only to serialize it
// cost as much as reading the items). Both give the same bytes: strings escaped and numbers written as
// boost::json writes them, whole doubles as integers (22, not 2.2E1).
//
// `visit_fields(field)` calls `field(name, value)` once per field in order; values are std::string,
// TimePoint (RFC 3339), std::int64_t, double, bool, std::vector<std::string>, json::object, or an optional
// of one of them (null when empty).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain::api_json {

json::value dom_value(const std::string& text);
json::value dom_value(TimePoint time);
json::value dom_value(std::int64_t number);
json::value dom_value(double number);
json::value dom_value(bool flag);
json::value dom_value(const std::vector<std::string>& items);
json::value dom_value(const json::object& object);
template <typename T>
json::value dom_value(const std::optional<T>& value) {
  if (!value) return nullptr;
  return dom_value(*value);
}

void append_value(std::string& out, const std::string& text);
void append_value(std::string& out, TimePoint time);
void append_value(std::string& out, std::int64_t number);
void append_value(std::string& out, double number);
void append_value(std::string& out, bool flag);
void append_value(std::string& out, const std::vector<std::string>& items);
void append_value(std::string& out, const json::object& object);
template <typename T>
void append_value(std::string& out, const std::optional<T>& value) {
  if (value)
    append_value(out, *value);
  else
    out += "null";
}
void append_key(std::string& out, std::string_view name);

template <typename VisitFields>
json::object object(VisitFields visit_fields) {
  json::object out;
  visit_fields([&out](std::string_view name, const auto& value) { out.emplace(name, dom_value(value)); });
  return out;
}

template <typename VisitFields>
void append_object(std::string& out, VisitFields visit_fields) {
  char separator = '{';
  visit_fields([&](std::string_view name, const auto& value) {
    out.push_back(separator);
    separator = ',';
    append_key(out, name);
    append_value(out, value);
  });
  out.push_back('}');
}

}  // namespace kefir::domain::api_json
