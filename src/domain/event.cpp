#include "domain/event.hpp"

#include <algorithm>

#include "domain/api_json.hpp"
#include "domain/batch.hpp"
#include "domain/keys.hpp"

namespace kefir::domain {
namespace {

struct Reading {
  std::string_view name;
  double min;
  double max;
};
// Measurement readings and their physically possible ranges.
constexpr Reading kReadings[] = {
    {"temperatureC", -50, 150}, {"ph", 0, 14}, {"brix", 0, 100}, {"specificGravity", 0.5, 2}};

void check_readings(const json::object& metadata, domain::BodyReader& reader) {
  for (const auto& reading : kReadings) {
    auto* value = metadata.if_contains(reading.name);
    if (!value) continue;
    auto field = "metadata." + std::string(reading.name);
    if (!value->is_number()) {
      reader.problem(field, "must be a number");
      continue;
    }
    auto number = value->to_number<double>();
    if (number < reading.min || number > reading.max)
      reader.problem(field, "must be between " + json::serialize(json::value(reading.min)) + " and " +
                                json::serialize(json::value(reading.max)));
  }
}

// An event's fields in the order clients see them, for to_json, append_json and to_item alike.
template <typename Field>
void visit_fields(const Event& event, Field&& field) {
  field("eventId", event.event_id);
  field("batchId", event.batch_id);
  field("type", event.type);
  field("timestamp", event.timestamp);
  field("description", event.description);
  field("metadata", event.metadata);
  field("photoKey", event.photo_key);
  field("createdAt", event.created_at);
}

}  // namespace

int json_depth(const json::value& value) {
  int deepest = 0;
  if (value.is_object()) {
    for (const auto& member : value.get_object()) deepest = std::max(deepest, json_depth(member.value()));
    return deepest + 1;
  }
  if (value.is_array()) {
    for (const auto& member : value.get_array()) deepest = std::max(deepest, json_depth(member));
    return deepest + 1;
  }
  return 0;
}

EventFields read_event_fields(const json::object& body) {
  domain::BodyReader reader(body);
  EventFields fields;
  auto type = reader.one_of("type", kEventTypes, {.required = true});
  auto timestamp = reader.timestamp("timestamp", {.nullable = true});
  auto description = reader.string("description", 0, 1000, {.nullable = true});
  auto metadata = reader.object("metadata", {.nullable = true});
  auto photo_key = reader.string("photoKey", 1, 1024, {.nullable = true});

  if (timestamp.has_value() && !within_supported_dates(*timestamp))
    reader.problem("timestamp", "must be in the years 2000-2099");
  if (metadata.has_value()) {
    if (json::serialize(*metadata).size() > kMaxMetadataBytes)
      reader.problem("metadata", "must be at most 4 KiB when serialised");
    else if (json_depth(*metadata) > kMaxMetadataDepth)
      reader.problem("metadata", "must be at most 3 levels deep");
    else if (type.has_value() && *type == kEventMeasurement)
      check_readings(*metadata, reader);
  }
  reader.finish();

  fields.type = *type;
  fields.timestamp = timestamp.value;
  fields.description = description.value_or("");
  fields.metadata = metadata.value_or({});
  fields.photo_key = photo_key.value;
  return fields;
}

Event new_event(EventFields fields, std::string batch_id, std::string user_id, std::string event_id,
                TimePoint now) {
  Event event;
  event.event_id = std::move(event_id);
  event.batch_id = std::move(batch_id);
  event.user_id = std::move(user_id);
  event.type = std::move(fields.type);
  event.timestamp = fields.timestamp.value_or(now);
  event.description = std::move(fields.description);
  event.metadata = std::move(fields.metadata);
  event.photo_key = std::move(fields.photo_key);
  event.created_at = now;
  return event;
}

json::object to_json(const Event& event) {
  return api_json::object([&event](auto&& field) { visit_fields(event, field); });
}

void append_json(std::string& out, const Event& event) {
  api_json::append_object(out, [&event](auto&& field) { visit_fields(event, field); });
}

store::Item to_item(const Event& event) {
  auto timestamp = format_rfc3339(event.timestamp);
  store::Item item{
      {"PK", keys::events_pk(event.batch_id)},
      {"SK", keys::event_sk(timestamp, event.event_id)},
      {"userId", event.user_id},
  };
  api_json::put_stored(item, [&event](auto&& field) { visit_fields(event, field); });
  return item;
}

Event event_from_item(const store::Item& item) {
  Event event;
  event.event_id = json_string(item, "eventId");
  event.batch_id = json_string(item, "batchId");
  event.user_id = json_string(item, "userId");
  event.type = json_string(item, "type");
  event.timestamp = parse_rfc3339(json_string(item, "timestamp")).value_or(TimePoint{});
  event.description = json_string(item, "description");
  if (auto* metadata = item.if_contains("metadata"); metadata && metadata->is_object())
    event.metadata = metadata->get_object();
  if (auto* photo_key = item.if_contains("photoKey"); photo_key && photo_key->is_string())
    event.photo_key = std::string(photo_key->get_string());
  event.created_at = parse_rfc3339(json_string(item, "createdAt")).value_or(event.timestamp);
  return event;
}

}  // namespace kefir::domain
