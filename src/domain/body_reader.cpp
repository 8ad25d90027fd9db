#include "domain/body_reader.hpp"

#include <cmath>
#include <sstream>

namespace kefir::domain {

json::object parse_json_object_text(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) throw bad_json("request body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw bad_json("request body must be a JSON object");
  return std::move(value.get_object());
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++count;
  return count;
}

const json::value* BodyReader::lookup(std::string_view name, Rule rule, bool& present) {
  known_.emplace(name);
  const json::value* value = body_.if_contains(name);
  present = value != nullptr;
  if (!value) {
    if (rule.required) problem(std::string(name), "is required");
    return nullptr;
  }
  if (value->is_null()) {
    if (rule.required)
      problem(std::string(name), "is required");
    else if (!rule.nullable)
      problem(std::string(name), "must not be null");
    return nullptr;
  }
  return value;
}

Field<std::string> BodyReader::string(std::string_view name, std::size_t min_chars, std::size_t max_chars,
                                      Rule rule) {
  Field<std::string> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_string()) {
    problem(std::string(name), "must be a string");
    return field;
  }
  auto length = utf8_length(value->get_string());
  if (length < min_chars || length > max_chars) {
    problem(std::string(name),
            "must be " + std::to_string(min_chars) + "-" + std::to_string(max_chars) + " characters");
    return field;
  }
  field.value = std::string(value->get_string());
  return field;
}

Field<std::string> BodyReader::one_of(std::string_view name, std::initializer_list<std::string_view> allowed,
                                      Rule rule) {
  Field<std::string> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  std::string list;
  for (auto option : allowed) {
    if (value->is_string() && value->get_string() == option) {
      field.value = std::string(option);
      return field;
    }
    list += (list.empty() ? "" : ", ") + std::string(option);
  }
  problem(std::string(name), "must be one of: " + list);
  return field;
}

Field<std::int64_t> BodyReader::integer(std::string_view name, std::int64_t min, std::int64_t max,
                                        Rule rule) {
  Field<std::int64_t> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  std::optional<std::int64_t> number;
  if (value->is_int64())
    number = value->get_int64();
  else if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    number = static_cast<std::int64_t>(value->get_uint64());
  else if (value->is_double() && std::trunc(value->get_double()) == value->get_double() &&
           std::abs(value->get_double()) < 9e15)
    number = static_cast<std::int64_t>(value->get_double());
  if (!number) {
    problem(std::string(name), "must be an integer");
    return field;
  }
  if (*number < min || *number > max) {
    problem(std::string(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return field;
  }
  field.value = number;
  return field;
}

Field<double> BodyReader::number(std::string_view name, double min, double max, Rule rule) {
  Field<double> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_number()) {
    problem(std::string(name), "must be a number");
    return field;
  }
  double number = value->to_number<double>();
  if (!(number >= min && number <= max)) {
    // Bounds as a person writes them ("10", "0.5"), not as JSON serialises doubles ("1E1").
    auto format = [](double d) {
      std::ostringstream text;
      text << d;
      return text.str();
    };
    problem(std::string(name), "must be between " + format(min) + " and " + format(max));
    return field;
  }
  field.value = number;
  return field;
}

Field<bool> BodyReader::boolean(std::string_view name, Rule rule) {
  Field<bool> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_bool()) {
    problem(std::string(name), "must be true or false");
    return field;
  }
  field.value = value->get_bool();
  return field;
}

Field<TimePoint> BodyReader::timestamp(std::string_view name, Rule rule) {
  Field<TimePoint> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  std::optional<TimePoint> parsed;
  if (value->is_string()) parsed = parse_rfc3339(value->get_string());
  if (!parsed) {
    problem(std::string(name), "must be an RFC 3339 date-time");
    return field;
  }
  field.value = parsed;
  return field;
}

Field<std::vector<std::string>> BodyReader::string_array(std::string_view name, std::size_t max_items,
                                                         std::size_t min_chars, std::size_t max_chars,
                                                         Rule rule) {
  Field<std::vector<std::string>> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_array() || value->get_array().size() > max_items) {
    problem(std::string(name), "must be an array of at most " + std::to_string(max_items) + " strings");
    return field;
  }
  std::vector<std::string> items;
  for (const auto& item : value->get_array()) {
    if (!item.is_string() || utf8_length(item.get_string()) < min_chars ||
        utf8_length(item.get_string()) > max_chars) {
      problem(std::string(name), "items must be strings of " + std::to_string(min_chars) + "-" +
                                     std::to_string(max_chars) + " characters");
      return field;
    }
    items.emplace_back(item.get_string());
  }
  field.value = std::move(items);
  return field;
}

Field<json::object> BodyReader::object(std::string_view name, Rule rule) {
  Field<json::object> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_object()) {
    problem(std::string(name), "must be an object");
    return field;
  }
  field.value = value->get_object();
  return field;
}

Field<json::array> BodyReader::array(std::string_view name, Rule rule) {
  Field<json::array> field;
  const json::value* value = lookup(name, rule, field.present);
  if (!value) return field;
  if (!value->is_array()) {
    problem(std::string(name), "must be an array");
    return field;
  }
  field.value = value->get_array();
  return field;
}

void BodyReader::add_unknown_field_problems() {
  for (const auto& entry : body_)
    if (!known_.contains(entry.key())) problem(std::string(entry.key()), "unknown field");
}

void BodyReader::finish() {
  add_unknown_field_problems();
  if (!problems_.empty()) throw invalid(problems_);
}

void BodyReader::absorb(std::string_view name, BodyReader& nested) {
  nested.add_unknown_field_problems();
  for (auto& found : nested.problems_)
    problem(std::string(name) + "." + found.field, std::move(found.problem));
  nested.problems_.clear();
}

}  // namespace kefir::domain
