#include "domain/api_json.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "util/json_text.hpp"
#include "util/stored_json.hpp"

namespace kefir::domain::api_json {
namespace {

json::value number_value(double number) {
  if (std::trunc(number) == number && std::abs(number) < 9e15) return static_cast<std::int64_t>(number);
  return number;
}

bool digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// What format_rfc3339 writes, quoted: "YYYY-MM-DDTHH:MM:SS.mmmZ".
bool canonical_time(std::string_view raw) {
  constexpr std::string_view kShape = "\"0000-00-00T00:00:00.000Z\"";
  if (raw.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (kShape[i] == '0' ? (raw[i] < '0' || raw[i] > '9') : raw[i] != kShape[i]) return false;
  }
  return true;
}

bool string_list(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '[' || raw.back() != ']') return false;
  std::string_view items = raw.substr(1, raw.size() - 2);
  while (!items.empty()) {
    if (items.front() != '"') return false;
    std::size_t i = 1;
    while (i < items.size() && items[i] != '"') i += items[i] == '\\' ? 2 : 1;
    if (i >= items.size()) return false;
    items.remove_prefix(i + 1);
    if (!items.empty()) {
      if (items.front() != ',') return false;
      items.remove_prefix(1);
      if (items.empty()) return false;
    }
  }
  return true;
}

// A nested value is copied as it is stored: it must at least be JSON, or a damaged stored text would reach
// the client as a broken page instead of the decoder's 503. Nested values are small and rare (an event's
// metadata).
bool well_formed(std::string_view raw) {
  unsigned char scratch[2048];
  json::monotonic_resource resource(scratch, sizeof scratch);
  json::error_code error;
  json::parse(raw, error, &resource);
  return !error;
}

// Whether the stored text of a member is what the API writes for a field of this shape.
bool in_api_form(Shape shape, std::string_view raw) {
  switch (shape) {
    case Shape::string:
      return raw.size() >= 2 && raw.front() == '"';
    case Shape::time:
      return canonical_time(raw);
    case Shape::integer:
      return digits(raw.front() == '-' ? raw.substr(1) : raw) && raw.size() <= 18;
    case Shape::number:
      // Written from the same double by the same serializer (number_value, then json::serialize).
      return !raw.empty() && (raw.front() == '-' || (raw.front() >= '0' && raw.front() <= '9'));
    case Shape::boolean:
      return raw == "true" || raw == "false";
    case Shape::strings:
      return string_list(raw);
    case Shape::object:
      return raw.front() == '{' && well_formed(raw);
    case Shape::decoded:
      return false;
  }
  return false;
}

}  // namespace

SplicedObject::SplicedObject(std::vector<SplicedField> fields) : fields_(std::move(fields)) {
  if (fields_.size() > kMaxFields) throw std::logic_error("a spliced object has too many fields");
  slots_.fill(-1);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    auto& slot = slots_[slot_of(fields_[i].stored)];
    slot = slot == -1 ? static_cast<std::int8_t>(i) : std::int8_t{-2};
  }
}

std::size_t SplicedObject::slot_of(std::string_view name) {
  if (name.empty()) return 0;
  return (name.size() * 31 + static_cast<unsigned char>(name.front()) * 7 +
          static_cast<unsigned char>(name.back())) %
         kSlots;
}

int SplicedObject::field_index(std::string_view stored_name) const {
  const int slot = slots_[slot_of(stored_name)];
  if (slot >= 0) return fields_[static_cast<std::size_t>(slot)].stored == stored_name ? slot : -1;
  if (slot == -1) return -1;
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].stored == stored_name) return static_cast<int>(i);
  return -1;
}

// One pass over the stored members, writing the fields in order as their members come: the members a writer
// of to_item's form left out are the nullable fields between two it wrote, and a member that comes before one
// already written (another writer's order) sends the document to the decoder.
bool SplicedObject::append(std::string& out, std::string_view stored) const {
  const std::size_t start = out.size();
  std::size_t next = 0;  // the field the next member should be
  // A member named alike in both is `"name":value` in the stored text too, so a run of such members that the
  // store wrote one after another in the fields' order is copied in one piece, commas included.
  const char* run_begin = nullptr;
  const char* run_end = nullptr;
  auto flush = [&] {
    if (run_begin) out.append(run_begin, static_cast<std::size_t>(run_end - run_begin));
    run_begin = nullptr;
  };
  // Writes nulls up to field `until`; false when one of them cannot be null.
  auto nulls_until = [&](std::size_t until) {
    for (; next < until; ++next) {
      if (!fields_[next].nullable) return false;
      flush();
      out += next == 0 ? std::string_view(fields_[next].key_text).substr(1) : fields_[next].key_text;
      out += "null";
    }
    return true;
  };
  out.push_back('{');
  bool spliced = true;
  bool object = stored_json::for_each_raw_member(stored, [&](const stored_json::RawMember& member) {
    std::size_t index = next;
    if (index >= fields_.size() || fields_[index].stored != member.key) {
      const int found = field_index(member.key);
      if (found < 0) return true;  // not a field: the keys, attributes the API does not show
      index = static_cast<std::size_t>(found);
    }
    const SplicedField& field = fields_[index];
    const bool absent = member.value == "null";
    spliced = index >= next && nulls_until(index) &&
              (absent ? field.nullable : in_api_form(field.shape, member.value));
    if (!spliced) return false;
    const char* member_begin = member.key.data() - 1;  // at `"name":`
    const char* member_end = member.value.data() + member.value.size();
    if (!absent && field.same_name) {
      if (run_begin && member_begin == run_end + 1 && *run_end == ',') {
        run_end = member_end;
      } else {
        flush();
        if (index > 0) out.push_back(',');
        run_begin = member_begin;
        run_end = member_end;
      }
    } else {
      flush();
      out += index == 0 ? std::string_view(field.key_text).substr(1) : field.key_text;
      out += member.value;
    }
    next = index + 1;
    return true;
  });
  if (!object || !spliced || !nulls_until(fields_.size())) {
    out.resize(start);
    return false;
  }
  flush();
  out.push_back('}');
  return true;
}

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
