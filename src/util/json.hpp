#pragma once
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kefir {
namespace json = boost::json;

// Small accessors for items and bodies whose shape the caller already validated.
inline std::string json_string(const json::object& object, std::string_view key, std::string fallback = {}) {
  if (auto* value = object.if_contains(key); value && value->is_string())
    return std::string(value->get_string());
  return fallback;
}
inline std::optional<std::int64_t> json_int(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  if (value->is_double()) return static_cast<std::int64_t>(value->get_double());
  return std::nullopt;
}
inline std::optional<double> json_number(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  if (!value || !value->is_number()) return std::nullopt;
  return value->to_number<double>();
}
inline bool json_bool(const json::object& object, std::string_view key, bool fallback = false) {
  if (auto* value = object.if_contains(key); value && value->is_bool()) return value->get_bool();
  return fallback;
}

}  // namespace kefir
