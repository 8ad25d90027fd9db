#pragma once
// A domain type's API JSON from one list of its fields, either as a DOM (responses about one thing, stored
// items) or as text appended straight into a buffer (list pages, where building a DOM only to serialize it
// cost as much as reading the items). Both give the same bytes: strings escaped and numbers written as
// boost::json writes them, whole doubles as integers (22, not 2.2E1).
//
// The same list also writes stored items (put_stored): each field has a name in the API and an attribute name
// in storage. They are the same words so far, but they are separate so that renaming an API field never
// rewrites stored data: `field({"newName", "oldName"}, value)`.
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

struct FieldName {
  // Implicit, so that a field named alike in both reads `field("name", value)`.
  FieldName(const char* both) : api(both), stored(both) {}
  FieldName(std::string_view api_name, std::string_view stored_name) : api(api_name), stored(stored_name) {}

  std::string_view api;
  std::string_view stored;
};

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
  visit_fields([&out](const FieldName& name, const auto& value) { out.emplace(name.api, dom_value(value)); });
  return out;
}

template <typename VisitFields>
void append_object(std::string& out, VisitFields visit_fields) {
  char separator = '{';
  visit_fields([&](const FieldName& name, const auto& value) {
    out.push_back(separator);
    separator = ',';
    append_key(out, name.api);
    append_value(out, value);
  });
  out.push_back('}');
}

// The fields as the attributes of a stored item, under their stored names; empty optionals are left out.
template <typename VisitFields>
void put_stored(json::object& item, VisitFields visit_fields) {
  visit_fields([&item](const FieldName& name, const auto& value) {
    auto stored = dom_value(value);
    if (!stored.is_null()) item[name.stored] = std::move(stored);
  });
}

}  // namespace kefir::domain::api_json
