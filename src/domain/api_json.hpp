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
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
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

// A stored item that holds its API text. put_stored writes, into an empty item, the attribute `apiText`, then
// every field under its stored name except the empty optionals, then the keys: serialized by a store that
// keeps the attributes in the order they were put (SQLite), the item's text holds the API object's members
// verbatim right after `{"apiText":"<stamp>",`, less its runs of null members. The stamp says where those
// runs go back, and a hash of the members says they are the bytes append_object wrote, so a list page copies
// them without reading them (SplicedObject::append_held). Any other text (an older writer's, a store that
// returns attributes in its own order, a renamed field, an attribute set or removed in place) fails that
// check and is spliced or decoded instead.
inline constexpr std::string_view kApiTextAttribute = "apiText";

// The null members of a list of fields one after another (`"first":null,"second":null`: each after the first
// with its comma), and where each starts, so that a run of them is one append.
class NullMembers {
 public:
  void add(std::string_view api_name);
  // The members of fields [from, until).
  std::string_view run(std::size_t from, std::size_t until) const;

 private:
  std::string text_;
  std::vector<std::size_t> at_{0};
};

// A hash of a list of fields, one API name after another (start from 0): a stamp holds field numbers, valid
// only for the list that wrote them, so its hash includes this one.
std::uint64_t field_list_hash(std::uint64_t so_far, std::string_view api_name);

// put_stored's stamp, in lowercase hex of fixed width: the hash (16 digits), the length of the stored members
// (8) and of the tail after them (8: the keys and the closing brace), then 8 for each run of null members
// left out: the byte of the members it goes back at (4), its first field and the field after it (2 each). The
// tail's length is checked so that an attribute a store set after the keys (an update in place) is never
// missed. Empty, never matching, when a run would start past 64 KiB of members: such items are spliced.
class ApiTextStamp {
 public:
  // The next field, `value_text` as append_value writes it; false when its member is left out of the item.
  bool add(std::string_view api_name, std::string_view value_text);
  std::string finish(std::size_t tail_size);

 private:
  static constexpr std::size_t kMaxRunAt = 0xFFFF;
  void close_run(std::size_t until);

  std::size_t fields_ = 0;
  std::uint64_t field_list_ = 0;  // field_list_hash of the fields so far
  std::string members_;
  std::string runs_;
  std::size_t run_from_ = 0;  // 0: no run open (the first field is always written)
  std::size_t run_at_ = 0;
  bool fits_ = true;
};

// A key attribute that put_stored writes after the fields.
struct StoredKey {
  std::string_view name;
  std::string_view value;
};
// The length of the keys' text in a stored item, with the closing brace.
std::size_t stored_tail_size(std::initializer_list<StoredKey> keys);

template <typename VisitFields>
void put_stored(json::object& item, VisitFields visit_fields, std::initializer_list<StoredKey> keys) {
  if (!item.empty()) throw std::logic_error("apiText must be a stored item's first attribute");
  item[kApiTextAttribute] = nullptr;  // first in place; its stamp is known once the fields are
  ApiTextStamp stamp;
  std::string value_text;
  visit_fields([&](const FieldName& name, const auto& value) {
    value_text.clear();
    append_value(value_text, value);
    if (stamp.add(name.api, value_text)) item[name.stored] = dom_value(value);
  });
  for (const auto& key : keys) item[key.name] = key.value;
  item[kApiTextAttribute] = stamp.finish(stored_tail_size(keys));
}

// Splicing: a list page's item JSON copied from the item's stored text instead of decoded and re-written. The
// store holds each item as json::serialize wrote it from put_stored's values, and the API writes the same
// values the same way, so a stored member in canonical form is already the API's text for its field.
// `decoded`: a value the API derives from the decoded field (not the stored text), so a document holding one
// is decoded.
enum class Shape { string, time, integer, number, boolean, strings, object, decoded };
struct SplicedField {
  SplicedField(const FieldName& name, Shape shape, bool nullable = false)
      : api(name.api),
        stored(name.stored),
        key_text(",\"" + std::string(name.api) + "\":"),
        same_name(name.api == name.stored),
        shape(shape),
        nullable(nullable) {}

  std::string_view api;
  std::string_view stored;
  std::string key_text;  // ,"apiName":
  bool same_name;        // then the stored member's own text is the API's
  Shape shape;
  bool nullable;  // an absent member reads as null; otherwise its absence needs the decoder's default
};

inline SplicedField spliced(const FieldName& name, const std::string&) {
  return {name, Shape::string};
}
inline SplicedField spliced(const FieldName& name, TimePoint) {
  return {name, Shape::time};
}
inline SplicedField spliced(const FieldName& name, std::int64_t) {
  return {name, Shape::integer};
}
inline SplicedField spliced(const FieldName& name, double) {
  return {name, Shape::number};
}
inline SplicedField spliced(const FieldName& name, bool) {
  return {name, Shape::boolean};
}
inline SplicedField spliced(const FieldName& name, const std::vector<std::string>&) {
  return {name, Shape::strings};
}
inline SplicedField spliced(const FieldName& name, const json::object&) {
  return {name, Shape::object};
}
template <typename T>
SplicedField spliced(const FieldName& name, const std::optional<T>&) {
  auto field = spliced(name, T{});
  field.nullable = true;
  return field;
}

// The API object of a list of fields, spliced from stored documents.
class SplicedObject {
 public:
  explicit SplicedObject(std::vector<SplicedField> fields);

  // Appends the API object from the stored document `stored`; false, with `out` as it was, when a member is
  // missing without being nullable or is not in the form the API writes (a document from an older writer):
  // the caller decodes it then.
  bool append(std::string& out, std::string_view stored) const;
  // Appends the API object a stored text holds (put_stored); false, with `out` as it was, when the text does
  // not start with a stamp that matches it.
  bool append_held(std::string& out, std::string_view stored) const;

 private:
  static constexpr std::size_t kMaxFields = 64;
  static constexpr std::size_t kSlots = 256;
  static std::size_t slot_of(std::string_view name);
  int field_index(std::string_view stored_name) const;
  // Writes the null members of fields [from, until); false when one of them cannot be null.
  bool append_nulls(std::string& out, std::size_t from, std::size_t until) const;

  std::vector<SplicedField> fields_;
  NullMembers null_members_;
  std::uint64_t field_list_ = 0;  // field_list_hash of fields_
  // For each field, the first field from it on that cannot be null (fields_.size() when none).
  std::vector<std::size_t> first_required_from_;
  // A stored name's field by a hash of its length and end characters (-1: none, -2: more than one, search),
  // so that the members no field reads (the keys) cost one look-up, not a comparison with every field.
  std::array<std::int8_t, kSlots> slots_;
};

// The fields `visit_fields` lists, with the shapes their types give (visit a default-constructed value);
// `decoded` names the stored members whose API value is derived from the decoded field.
template <typename VisitFields>
SplicedObject spliced_object(VisitFields visit_fields, std::initializer_list<std::string_view> decoded = {}) {
  std::vector<SplicedField> fields;
  visit_fields(
      [&fields](const FieldName& name, const auto& value) { fields.push_back(spliced(name, value)); });
  for (auto& field : fields)
    if (std::find(decoded.begin(), decoded.end(), field.stored) != decoded.end())
      field.shape = Shape::decoded;
  return SplicedObject(std::move(fields));
}

}  // namespace kefir::domain::api_json
