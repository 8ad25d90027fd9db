#include "domain/event.hpp"

#include <algorithm>

#include "domain/api_json.hpp"
#include "domain/batch.hpp"
#include "domain/keys.hpp"
#include "util/stored_json.hpp"

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

std::string string_or_empty(const stored_json::Member& member) {
  return std::string(stored_json::as_string(member).value_or(std::string_view{}));
}
std::optional<TimePoint> optional_time(const stored_json::Member& member) {
  if (auto text = stored_json::as_string(member)) return parse_rfc3339(*text);
  return std::nullopt;
}

// A stored event read member by member, from its text or from an item.
struct StoredEvent : stored_json::MemberDecoder<StoredEvent> {
  Event event;
  std::optional<TimePoint> created_at;  // absent: the event's timestamp

  // The stored names, in the order to_item writes them.
  static constexpr Entry kEntries[] = {
      {api_json::kApiTextAttribute, ignore},
      {"eventId",
       [](StoredEvent& s, const stored_json::Member& m) { s.event.event_id = string_or_empty(m); }},
      {"batchId",
       [](StoredEvent& s, const stored_json::Member& m) { s.event.batch_id = string_or_empty(m); }},
      {"type", [](StoredEvent& s, const stored_json::Member& m) { s.event.type = string_or_empty(m); }},
      {"timestamp",
       [](StoredEvent& s, const stored_json::Member& m) {
         s.event.timestamp = optional_time(m).value_or(TimePoint{});
       }},
      {"description",
       [](StoredEvent& s, const stored_json::Member& m) { s.event.description = string_or_empty(m); }},
      {"metadata",
       [](StoredEvent& s, const stored_json::Member& m) {
         const auto* metadata = stored_json::as_object(m);
         s.event.metadata = metadata ? *metadata : json::object{};
       }},
      {"photoKey",
       [](StoredEvent& s, const stored_json::Member& m) {
         auto key = stored_json::as_string(m);
         s.event.photo_key = key ? std::optional<std::string>(*key) : std::nullopt;
       }},
      {"createdAt", [](StoredEvent& s, const stored_json::Member& m) { s.created_at = optional_time(m); }},
      {"PK", ignore},
      {"SK", ignore},
      {"userId", [](StoredEvent& s, const stored_json::Member& m) { s.event.user_id = string_or_empty(m); }},
  };

  Event finish() && {
    event.created_at = created_at.value_or(event.timestamp);
    return std::move(event);
  }
};

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
  store::Item item;
  const auto pk = keys::events_pk(event.batch_id);
  const auto sk = keys::event_sk(format_rfc3339(event.timestamp), event.event_id);
  api_json::put_stored(item, [&event](auto&& field) { visit_fields(event, field); },
                       {{"PK", pk}, {"SK", sk}, {"userId", event.user_id}});
  return item;
}

Event event_from_item(const store::Item& item) {
  return stored_json::read_item<StoredEvent>(item);
}

std::optional<Event> event_from_stored(std::string_view text) {
  return stored_json::read_text<StoredEvent>(text);
}

const api_json::SplicedObject& event_splice() {
  static const auto spliced = api_json::spliced_object([](auto&& field) { visit_fields(Event{}, field); });
  return spliced;
}

void append_stored_event_json(std::string& out, std::string_view text) {
  const auto& spliced = event_splice();
  if (spliced.append_held(out, text) || spliced.append(out, text)) return;
  auto event = event_from_stored(text);
  if (!event) throw store::StoreUnavailable("a stored event is not a JSON object");
  append_json(out, *event);
}

}  // namespace kefir::domain
