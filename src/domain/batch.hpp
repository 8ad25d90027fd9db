#pragma once
// A batch of kefir (SPEC §3): the type, the validation of request bodies, the partial-update rules and the
// conversions to the API's JSON and to the stored item. Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/body_reader.hpp"
#include "domain/reading.hpp"
#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {
namespace api_json {
class SplicedObject;
}

inline constexpr std::string_view kStageOpen = "stage1_open";
inline constexpr std::string_view kStageBottled = "stage2_bottled";
inline constexpr std::string_view kStatusActive = "active";
inline constexpr std::string_view kStatusArchived = "archived";
inline const std::initializer_list<std::string_view> kBatchKinds = {"water", "milk"};
inline const std::initializer_list<std::string_view> kBatchStages = {kStageOpen, kStageBottled};
inline const std::initializer_list<std::string_view> kBatchStatuses = {kStatusActive, "in_fridge", "ready",
                                                                       kStatusArchived};

struct Batch {
  std::string batch_id;
  std::string user_id;
  std::string name;
  std::string kind = "water";
  std::string stage;
  std::string status = std::string(kStatusActive);
  TimePoint start_date;
  std::optional<std::int64_t> target_duration_hours;
  std::optional<double> temperature_c;
  std::optional<std::int64_t> water_volume_ml;
  std::optional<std::string> sugar_type;
  std::optional<double> sugar_amount_g;
  std::vector<std::string> fruits;
  std::optional<std::int64_t> bottle_count;
  std::optional<std::int64_t> bottle_volume_ml;
  std::optional<TimePoint> stage2_start_date;
  std::optional<std::int64_t> stage2_target_duration_hours;
  std::optional<std::string> notes;
  bool is_public = false;
  std::optional<std::string> public_note;
  std::optional<readings::SafeRange> safe_range;  // nullopt: the kind's
  std::vector<std::string> photo_keys;
  std::int64_t version = 1;
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> archived_at;

  bool archived() const { return status == kStatusArchived; }
};

// The client-writable fields of a request body; absent, null (clears an optional field) or a value.
struct BatchFields {
  domain::Field<std::string> name, kind, stage, status, sugar_type, notes, public_note;
  domain::Field<TimePoint> start_date, stage2_start_date;
  domain::Field<std::int64_t> target_duration_hours, water_volume_ml, bottle_count, bottle_volume_ml,
      stage2_target_duration_hours;
  domain::Field<double> temperature_c, sugar_amount_g;
  domain::Field<std::vector<std::string>> fruits;
  domain::Field<bool> is_public;
  domain::Field<readings::SafeRange> safe_range;
};

enum class BatchBody { create, update };
// Validates every field and range; throws VALIDATION_ERROR naming each bad, unknown or read-only field.
BatchFields read_batch_fields(const json::object& body, BatchBody mode);

Batch new_batch(const BatchFields& fields, std::string batch_id, std::string user_id, TimePoint now);

// What a partial update changed, for the automatic timeline events and the archive hook.
struct BatchChange {
  bool changed = false;
  std::optional<std::string> previous_stage;   // set when the stage changed
  std::optional<std::string> previous_status;  // set when the status changed
};
// Applies a partial update in place (stage2StartDate defaults to now on bottling; archivedAt follows the
// status). Does not touch version/updatedAt: the caller bumps them when something changed.
BatchChange apply_batch_fields(Batch& batch, const BatchFields& fields, TimePoint now);

json::object to_json(const Batch& batch);
// Appends the JSON text of to_json(batch), without building it: list pages are written straight into the
// body.
void append_json(std::string& out, const Batch& batch);
store::Item to_item(const Batch& batch);
Batch batch_from_item(const store::Item& item);
// The same from the item's stored JSON text, without a DOM; nullopt when it is not a JSON object.
std::optional<Batch> batch_from_stored(std::string_view text);
// The same for text the store handed out: one that is not a JSON object is the store's fault
// (StoreUnavailable).
Batch stored_batch(std::string_view text);
// A list page's JSON of a stored batch: spliced from the stored text when it is in the form to_item writes,
// otherwise decoded and written as append_json does (the same bytes either way). Throws StoreUnavailable
// when the text is not a JSON object.
void append_stored_batch_json(std::string& out, std::string_view text);
// The splice of append_stored_batch_json, its held API text first (api_json::put_stored).
const api_json::SplicedObject& batch_splice();

// What the batch list filters on, read from a stored batch's text without decoding the rest.
struct BatchListing {
  std::string status;
  std::string stage;
};
BatchListing listing_from_stored(std::string_view text);

// The temperatures the batch's culture is safe at: its own range, else its kind's.
readings::SafeRange safe_range(const Batch& batch);

// Timestamps the service stores must sort as keys and make sense for a brew: years 2000 to 2099.
bool within_supported_dates(TimePoint t);

// A batch id a client may choose (POST /sync): a lowercase UUIDv7 like the server's own, so the user's batch
// keys keep sorting by creation (SPEC §1).
bool is_batch_id(std::string_view id);

// ETag of a batch version: "\"<version>\"" (a strong validator).
std::string etag(std::int64_t version);
// Whether an If-Match header value (a list of entity tags, or "*") admits this version.
bool if_match_allows(std::string_view header, std::int64_t version);

}  // namespace kefir::domain
