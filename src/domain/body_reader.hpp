#pragma once
// Strict JSON input: parse (BAD_JSON), then read each field through BodyReader, which collects every problem
// as a VALIDATION_ERROR detail and rejects fields nobody asked for (client typos). Transport-neutral: request
// bodies, pushed sync records and device posts all go through it.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {

json::object parse_json_object_text(std::string_view text);  // throws bad_json

// A field of a body: absent, explicitly null, or a value. PATCH uses the distinction (null clears).
template <typename T>
struct Field {
  bool present = false;
  std::optional<T> value;

  bool is_null() const { return present && !value; }
  bool has_value() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
  T value_or(T fallback) const { return value ? *value : std::move(fallback); }
};

struct Rule {
  bool required = false;  // absent or null is a problem
  bool nullable = false;  // null is accepted (clears the field); otherwise null is a problem
};

std::size_t utf8_length(std::string_view text);  // code points

class BodyReader {
 public:
  explicit BodyReader(const json::object& body) : body_(body) {}

  Field<std::string> string(std::string_view name, std::size_t min_chars, std::size_t max_chars,
                            Rule rule = {});
  Field<std::string> one_of(std::string_view name, std::initializer_list<std::string_view> allowed,
                            Rule rule = {});
  Field<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max, Rule rule = {});
  Field<double> number(std::string_view name, double min, double max, Rule rule = {});
  Field<bool> boolean(std::string_view name, Rule rule = {});
  Field<TimePoint> timestamp(std::string_view name, Rule rule = {});
  Field<std::vector<std::string>> string_array(std::string_view name, std::size_t max_items,
                                               std::size_t min_chars, std::size_t max_chars, Rule rule = {});
  Field<json::object> object(std::string_view name, Rule rule = {});
  Field<json::array> array(std::string_view name, Rule rule = {});

  void problem(std::string field, std::string text) {
    problems_.push_back({std::move(field), std::move(text)});
  }
  bool ok() const { return problems_.empty(); }
  const std::vector<FieldProblem>& problems() const { return problems_; }
  // Adds "unknown field" problems, then throws VALIDATION_ERROR when anything was wrong.
  void finish();
  // A nested object read with its own reader: its problems (unknown fields too) become this body's, named
  // "<name>.<field>".
  void absorb(std::string_view name, BodyReader& nested);

 private:
  // Marks the field known; returns the value when present and not null (recording null/required problems).
  const json::value* lookup(std::string_view name, Rule rule, bool& present);
  void add_unknown_field_problems();

  const json::object& body_;
  std::set<std::string, std::less<>> known_;
  std::vector<FieldProblem> problems_;
};

}  // namespace kefir::domain
