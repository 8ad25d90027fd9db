#include "domain/watermelon.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "domain/errors.hpp"

namespace kefir::watermelon {
namespace {

// The field a table's records are identified by in the REST API; in a raw record it is `id`.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kOwnIdFields = {
    {{"batches", "batchId"},
     {"events", "eventId"},
     {"reminders", "reminderId"},
     {"devices", "deviceId"},
     {"photos", "photoKey"}}};

// Pushable columns whose value is JSON text in a raw record.
constexpr std::array<std::string_view, 2> kJsonColumns = {"fruits", "metadata"};

std::string_view own_id_field(std::string_view table) {
  for (const auto& [name, field] : kOwnIdFields)
    if (name == table) return field;
  return "id";
}

bool is_json_column(std::string_view column) {
  for (auto name : kJsonColumns)
    if (name == column) return true;
  return false;
}

bool is_bookkeeping_column(std::string_view column) {
  return column == "_status" || column == "_changed";
}

json::value pushed_value(std::string_view column, const json::value& value, const std::string& where) {
  if (!is_json_column(column) || !value.is_string()) return value;
  boost::system::error_code ec;
  auto parsed = json::parse(value.get_string(), ec);
  if (ec || !(parsed.is_array() || parsed.is_object()))
    throw domain::invalid(where, "must be JSON text of an array or an object");
  return parsed;
}

json::object from_raw(const json::value& raw, const std::string& where) {
  if (!raw.is_object()) throw domain::invalid(where, "must be an object");
  json::object record;
  for (const auto& [column, value] : raw.get_object()) {
    if (is_bookkeeping_column(column)) continue;
    record[camel_case(column)] = pushed_value(column, value, where + "." + std::string(column));
  }
  return record;
}

}  // namespace

std::string snake_case(std::string_view camel) {
  std::string snake;
  snake.reserve(camel.size() + 4);
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      snake += '_';
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      snake += c;
    }
  }
  return snake;
}

std::string camel_case(std::string_view snake) {
  std::string camel;
  camel.reserve(snake.size());
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_' && !camel.empty()) {
      upper_next = true;
      continue;
    }
    camel += upper_next ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper_next = false;
  }
  return camel;
}

json::object to_raw(std::string_view table, const json::object& record) {
  const auto own_id = own_id_field(table);
  json::object raw;
  for (const auto& [field, value] : record) {
    if (field == own_id) continue;
    auto& column = raw[snake_case(field)];
    column = value.is_array() || value.is_object() ? json::value(json::serialize(value)) : value;
  }
  return raw;
}

json::object to_raw_changes(const json::object& changes) {
  json::object raw_changes;
  for (const auto& [table, lists] : changes) {
    json::object raw_lists;
    for (const auto& [which, records] : lists.as_object()) {
      if (which == "deleted") {
        raw_lists[which] = records;
        continue;
      }
      json::array raws;
      for (const auto& record : records.as_array()) raws.push_back(to_raw(table, record.as_object()));
      raw_lists[which] = std::move(raws);
    }
    raw_changes[table] = std::move(raw_lists);
  }
  return raw_changes;
}

json::object from_raw_changes(const json::object& changes) {
  json::object pushed;
  for (const auto& [table, lists] : changes) {
    const std::string table_where(table);
    if (!lists.is_object()) throw domain::invalid(table_where, "must be an object");
    json::object pushed_lists;
    for (const auto& [which, records] : lists.get_object()) {
      const std::string where = table_where + "." + std::string(which);
      if (!records.is_array()) throw domain::invalid(where, "must be an array");
      const auto& list = records.get_array();
      if (list.empty()) continue;
      if (which == "deleted") {
        pushed_lists[which] = list;
        continue;
      }
      json::array records_pushed;
      for (std::size_t i = 0; i < list.size(); ++i)
        records_pushed.push_back(from_raw(list[i], where + "[" + std::to_string(i) + "]"));
      pushed_lists[which] = std::move(records_pushed);
    }
    if (!pushed_lists.empty()) pushed[table] = std::move(pushed_lists);
  }
  return pushed;
}

std::string pushed_field_name(std::string_view sync_field) {
  constexpr std::string_view kChangesPrefix = "changes.";
  if (sync_field.starts_with(kChangesPrefix)) sync_field.remove_prefix(kChangesPrefix.size());
  return snake_case(sync_field);
}

}  // namespace kefir::watermelon
