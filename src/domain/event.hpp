#pragma once
// A timeline event of a batch (SPEC §4): type, validation of request bodies, conversions to the API's JSON
// and to the stored item. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>

#include "domain/body_reader.hpp"
#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {
namespace api_json {
class SplicedObject;
}

inline constexpr std::string_view kEventStageChange = "stage_change";
inline constexpr std::string_view kEventStatusChange = "status_change";
inline constexpr std::string_view kEventNote = "note";
inline constexpr std::string_view kEventPhotoAdded = "photo_added";
inline constexpr std::string_view kEventMeasurement = "measurement";
// A sensor reading outside the culture's safe range (issue 18).
inline constexpr std::string_view kEventAlert = "alert";
inline const std::initializer_list<std::string_view> kEventTypes = {
    kEventStageChange, kEventStatusChange, "observation", kEventNote,
    kEventPhotoAdded,  kEventMeasurement,  kEventAlert};

inline constexpr std::size_t kMaxMetadataBytes = 4096;
inline constexpr int kMaxMetadataDepth = 3;

struct Event {
  std::string event_id;
  std::string batch_id;
  std::string user_id;
  std::string type;
  TimePoint timestamp;
  std::string description;
  json::object metadata;
  std::optional<std::string> photo_key;
  TimePoint created_at;
};

struct EventFields {
  std::string type;
  std::optional<TimePoint> timestamp;
  std::string description;
  json::object metadata;
  std::optional<std::string> photo_key;
};
// Validates a POST body (type, timestamp, description, metadata size/depth and measurement readings, photoKey
// syntax; that the photo belongs to the batch is the service's check). Throws VALIDATION_ERROR.
EventFields read_event_fields(const json::object& body);

Event new_event(EventFields fields, std::string batch_id, std::string user_id, std::string event_id,
                TimePoint now);

// Nesting depth of a JSON value: a scalar is 0, an object or array one more than its deepest member.
int json_depth(const json::value& value);

json::object to_json(const Event& event);
// Appends the JSON text of to_json(event) without building it (list pages).
void append_json(std::string& out, const Event& event);
store::Item to_item(const Event& event);
Event event_from_item(const store::Item& item);
// The same from the item's stored JSON text, without a DOM; nullopt when it is not a JSON object.
std::optional<Event> event_from_stored(std::string_view text);
// A list page's JSON of a stored event: spliced from the stored text when it is in the form to_item writes,
// otherwise decoded and written as append_json does. Throws StoreUnavailable when it is not a JSON object.
void append_stored_event_json(std::string& out, std::string_view text);
// The splice of append_stored_event_json, its held API text first (api_json::put_stored).
const api_json::SplicedObject& event_splice();

}  // namespace kefir::domain
