#include "adapters/dynamodb/attribute_values.hpp"

#include <charconv>
#include <cmath>

namespace kefir::store::dynamodb {
namespace {

std::string number_text(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  double number = value.get_double();
  if (!std::isfinite(number)) throw std::invalid_argument("DynamoDB numbers must be finite");
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  return std::string(buffer, result.ptr);
}

json::value number_value(std::string_view text) {
  bool integral = !text.empty() && text.find_first_not_of("-0123456789") == std::string_view::npos;
  if (integral) {
    std::int64_t integer = 0;
    auto result = std::from_chars(text.data(), text.data() + text.size(), integer);
    if (result.ec == std::errc() && result.ptr == text.data() + text.size()) return integer;
  }
  double number = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  if (result.ec != std::errc()) throw StoreError("unreadable DynamoDB number: " + std::string(text));
  return number;
}

json::value from_attribute(const json::value& attribute) {
  const auto& typed = attribute.as_object();
  if (typed.empty()) throw StoreError("empty DynamoDB attribute value");
  const auto& [type, value] = *typed.begin();
  if (type == "S") return value.as_string();
  if (type == "N") return number_value(value.as_string());
  if (type == "BOOL") return value.as_bool();
  if (type == "NULL") return nullptr;
  if (type == "M") return from_attributes(value.as_object());
  if (type == "L") {
    json::array list;
    for (const auto& element : value.as_array()) list.push_back(from_attribute(element));
    return list;
  }
  throw StoreError("unsupported DynamoDB attribute type " + std::string(type));
}

}  // namespace

json::value to_attribute(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return json::object{{"S", value.get_string()}};
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return json::object{{"N", number_text(value)}};
    case json::kind::bool_:
      return json::object{{"BOOL", value.get_bool()}};
    case json::kind::null:
      return json::object{{"NULL", true}};
    case json::kind::object:
      return json::object{{"M", to_attributes(value.get_object())}};
    case json::kind::array: {
      json::array list;
      for (const auto& element : value.get_array()) list.push_back(to_attribute(element));
      return json::object{{"L", std::move(list)}};
    }
  }
  throw std::invalid_argument("value cannot be stored in DynamoDB");
}

json::object to_attributes(const json::object& item) {
  json::object out;
  for (const auto& [name, value] : item) out[name] = to_attribute(value);
  return out;
}

Item from_attributes(const json::object& attributes) {
  Item item;
  for (const auto& [name, attribute] : attributes) item[name] = from_attribute(attribute);
  return item;
}

json::object key_attributes(const Key& key) {
  return {{"PK", json::object{{"S", key.pk}}}, {"SK", json::object{{"S", key.sk}}}};
}

}  // namespace kefir::store::dynamodb
