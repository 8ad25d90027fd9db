#include "domain/batch.hpp"

#include "domain/api_json.hpp"
#include "domain/keys.hpp"
#include "util/ids.hpp"

namespace kefir::domain {
namespace {

using namespace std::chrono;

constexpr domain::Rule kOptional{.nullable = true};

// Fields the service manages; a client sending them back gets told so instead of "unknown field".
constexpr std::string_view kReadOnlyFields[] = {"batchId",   "userId",    "photoKeys", "version",
                                                "createdAt", "updatedAt", "archivedAt"};

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::optional<json::object> safe_range_json(const std::optional<readings::SafeRange>& range) {
  if (!range) return std::nullopt;
  return json::object{{"minC", api_json::dom_value(range->low_c)},
                      {"maxC", api_json::dom_value(range->high_c)}};
}

// A batch's fields in the order clients see them, for to_json, append_json and to_item alike.
template <typename Field>
void visit_fields(const Batch& batch, Field&& field) {
  field("batchId", batch.batch_id);
  field("userId", batch.user_id);
  field("name", batch.name);
  field("kind", batch.kind);
  field("stage", batch.stage);
  field("status", batch.status);
  field("startDate", batch.start_date);
  field("targetDuration", batch.target_duration_hours);
  field("temperature", batch.temperature_c);
  field("waterVolumeMl", batch.water_volume_ml);
  field("sugarType", batch.sugar_type);
  field("sugarAmount", batch.sugar_amount_g);
  field("fruits", batch.fruits);
  field("bottleCount", batch.bottle_count);
  field("bottleVolumeMl", batch.bottle_volume_ml);
  field("stage2StartDate", batch.stage2_start_date);
  field("stage2TargetDuration", batch.stage2_target_duration_hours);
  field("notes", batch.notes);
  field("isPublic", batch.is_public);
  field("publicNote", batch.public_note);
  field("safeRange", safe_range_json(batch.safe_range));
  field("photoKeys", batch.photo_keys);
  field("version", batch.version);
  field("createdAt", batch.created_at);
  field("updatedAt", batch.updated_at);
  field("archivedAt", batch.archived_at);
}

std::optional<std::string> item_string(const store::Item& item, std::string_view key) {
  if (auto* value = item.if_contains(key); value && value->is_string())
    return std::string(value->get_string());
  return std::nullopt;
}
std::optional<TimePoint> item_time(const store::Item& item, std::string_view key) {
  if (auto text = item_string(item, key)) return parse_rfc3339(*text);
  return std::nullopt;
}
std::vector<std::string> item_strings(const store::Item& item, std::string_view key) {
  std::vector<std::string> out;
  if (auto* value = item.if_contains(key); value && value->is_array())
    for (const auto& entry : value->get_array())
      if (entry.is_string()) out.emplace_back(entry.get_string());
  return out;
}

template <typename T>
void assign(T& target, const domain::Field<T>& field, BatchChange& change) {
  if (!field.has_value() || target == *field) return;
  target = *field;
  change.changed = true;
}
template <typename T>
void assign(std::optional<T>& target, const domain::Field<T>& field, BatchChange& change) {
  if (!field.present || target == field.value) return;
  target = field.value;
  change.changed = true;
}

// {minC, maxC} within the physical limits of a reading, minC below maxC; null clears it.
domain::Field<readings::SafeRange> read_safe_range(domain::BodyReader& reader) {
  const auto object = reader.object("safeRange", kOptional);
  domain::Field<readings::SafeRange> field{object.present, std::nullopt};
  if (!object.has_value()) return field;
  domain::BodyReader range(*object);
  const auto low =
      range.number("minC", readings::kMinTemperatureC, readings::kMaxTemperatureC, {.required = true});
  const auto high =
      range.number("maxC", readings::kMinTemperatureC, readings::kMaxTemperatureC, {.required = true});
  if (low.has_value() && high.has_value() && *low >= *high)
    range.problem("maxC", "must be greater than minC");
  if (range.ok()) field.value = readings::SafeRange{*low, *high};
  reader.absorb("safeRange", range);
  return field;
}

std::optional<readings::SafeRange> item_safe_range(const store::Item& item) {
  const auto* range = item.if_contains("safeRange");
  if (!range || !range->is_object()) return std::nullopt;
  auto low = json_number(range->get_object(), "minC");
  auto high = json_number(range->get_object(), "maxC");
  if (!low || !high) return std::nullopt;
  return readings::SafeRange{*low, *high};
}

}  // namespace

readings::SafeRange safe_range(const Batch& batch) {
  return batch.safe_range.value_or(readings::safe_range(batch.kind));
}

bool within_supported_dates(TimePoint t) {
  return t >= sys_days{year{2000} / January / 1} && t < sys_days{year{2100} / January / 1};
}

BatchFields read_batch_fields(const json::object& body, BatchBody mode) {
  json::object writable = body;
  std::vector<std::string_view> read_only_sent;
  for (auto name : kReadOnlyFields)
    if (writable.erase(name)) read_only_sent.push_back(name);

  const bool creating = mode == BatchBody::create;
  domain::BodyReader reader(writable);
  BatchFields fields;
  fields.name = reader.string("name", 1, 100, {.required = creating});
  fields.kind = reader.one_of("kind", kBatchKinds);
  fields.stage = reader.one_of("stage", kBatchStages, {.required = creating});
  fields.status = reader.one_of("status", kBatchStatuses);
  fields.start_date = reader.timestamp("startDate");
  fields.target_duration_hours = reader.integer("targetDuration", 1, 720, kOptional);
  fields.temperature_c = reader.number("temperature", 10, 40, kOptional);
  fields.water_volume_ml = reader.integer("waterVolumeMl", 1, 100000, kOptional);
  fields.sugar_type = reader.string("sugarType", 0, 50, kOptional);
  fields.sugar_amount_g = reader.number("sugarAmount", 0, 1000, kOptional);
  fields.fruits = reader.string_array("fruits", 20, 1, 50, kOptional);
  fields.bottle_count = reader.integer("bottleCount", 0, 200, kOptional);
  fields.bottle_volume_ml = reader.integer("bottleVolumeMl", 1, 5000, kOptional);
  fields.stage2_start_date = reader.timestamp("stage2StartDate", kOptional);
  fields.stage2_target_duration_hours = reader.integer("stage2TargetDuration", 1, 720, kOptional);
  fields.notes = reader.string("notes", 0, 1000, kOptional);
  fields.is_public = reader.boolean("isPublic");
  fields.public_note = reader.string("publicNote", 0, 500, kOptional);
  fields.safe_range = read_safe_range(reader);

  if (fields.name.has_value() && blank(*fields.name)) reader.problem("name", "must not be blank");
  if (fields.start_date.has_value() && !within_supported_dates(*fields.start_date))
    reader.problem("startDate", "must be in the years 2000-2099");
  if (fields.stage2_start_date.has_value() && !within_supported_dates(*fields.stage2_start_date))
    reader.problem("stage2StartDate", "must be in the years 2000-2099");
  for (auto name : read_only_sent) reader.problem(std::string(name), "is read-only");
  reader.finish();
  return fields;
}

Batch new_batch(const BatchFields& fields, std::string batch_id, std::string user_id, TimePoint now) {
  Batch batch;
  batch.batch_id = std::move(batch_id);
  batch.user_id = std::move(user_id);
  batch.start_date = now;
  batch.created_at = now;
  batch.updated_at = now;
  apply_batch_fields(batch, fields, now);
  return batch;
}

BatchChange apply_batch_fields(Batch& batch, const BatchFields& fields, TimePoint now) {
  BatchChange change;
  assign(batch.name, fields.name, change);
  assign(batch.kind, fields.kind, change);
  assign(batch.start_date, fields.start_date, change);
  assign(batch.target_duration_hours, fields.target_duration_hours, change);
  assign(batch.temperature_c, fields.temperature_c, change);
  assign(batch.water_volume_ml, fields.water_volume_ml, change);
  assign(batch.sugar_type, fields.sugar_type, change);
  assign(batch.sugar_amount_g, fields.sugar_amount_g, change);
  if (fields.fruits.present) {
    auto fruits = fields.fruits.value_or({});
    if (fruits != batch.fruits) {
      batch.fruits = std::move(fruits);
      change.changed = true;
    }
  }
  assign(batch.bottle_count, fields.bottle_count, change);
  assign(batch.bottle_volume_ml, fields.bottle_volume_ml, change);
  assign(batch.stage2_start_date, fields.stage2_start_date, change);
  assign(batch.stage2_target_duration_hours, fields.stage2_target_duration_hours, change);
  assign(batch.notes, fields.notes, change);
  assign(batch.is_public, fields.is_public, change);
  assign(batch.public_note, fields.public_note, change);
  assign(batch.safe_range, fields.safe_range, change);

  if (fields.stage.has_value() && *fields.stage != batch.stage) {
    if (!batch.stage.empty()) change.previous_stage = batch.stage;
    batch.stage = *fields.stage;
    change.changed = true;
  }
  if (batch.stage == kStageBottled && !batch.stage2_start_date) {
    batch.stage2_start_date = now;
    change.changed = true;
  }
  if (fields.status.has_value() && *fields.status != batch.status) {
    change.previous_status = batch.status;
    batch.status = *fields.status;
    change.changed = true;
  }
  batch.archived_at = batch.archived() ? std::optional(batch.archived_at.value_or(now)) : std::nullopt;
  return change;
}

json::object to_json(const Batch& batch) {
  return api_json::object([&batch](auto&& field) { visit_fields(batch, field); });
}

void append_json(std::string& out, const Batch& batch) {
  api_json::append_object(out, [&batch](auto&& field) { visit_fields(batch, field); });
}

store::Item to_item(const Batch& batch) {
  store::Item item;
  auto key = keys::batch(batch.user_id, batch.batch_id);
  item["PK"] = key.pk;
  item["SK"] = key.sk;
  item["GSI1PK"] = keys::batch_gsi1pk(batch.batch_id);
  item["GSI1SK"] = keys::kBatchGsi1Sk;
  api_json::put_stored(item, [&batch](auto&& field) { visit_fields(batch, field); });
  return item;
}

Batch batch_from_item(const store::Item& item) {
  Batch batch;
  batch.batch_id = json_string(item, "batchId");
  batch.user_id = json_string(item, "userId");
  batch.name = json_string(item, "name");
  batch.kind = json_string(item, "kind", "water");
  batch.stage = json_string(item, "stage");
  batch.status = json_string(item, "status", std::string(kStatusActive));
  batch.start_date = item_time(item, "startDate").value_or(TimePoint{});
  batch.target_duration_hours = json_int(item, "targetDuration");
  batch.temperature_c = json_number(item, "temperature");
  batch.water_volume_ml = json_int(item, "waterVolumeMl");
  batch.sugar_type = item_string(item, "sugarType");
  batch.sugar_amount_g = json_number(item, "sugarAmount");
  batch.fruits = item_strings(item, "fruits");
  batch.bottle_count = json_int(item, "bottleCount");
  batch.bottle_volume_ml = json_int(item, "bottleVolumeMl");
  batch.stage2_start_date = item_time(item, "stage2StartDate");
  batch.stage2_target_duration_hours = json_int(item, "stage2TargetDuration");
  batch.notes = item_string(item, "notes");
  batch.is_public = json_bool(item, "isPublic");
  batch.public_note = item_string(item, "publicNote");
  batch.safe_range = item_safe_range(item);
  batch.photo_keys = item_strings(item, "photoKeys");
  batch.version = json_int(item, "version").value_or(1);
  batch.created_at = item_time(item, "createdAt").value_or(TimePoint{});
  batch.updated_at = item_time(item, "updatedAt").value_or(batch.created_at);
  batch.archived_at = item_time(item, "archivedAt");
  return batch;
}

bool is_batch_id(std::string_view id) {
  return is_uuid(id) && id[14] == '7';
}

std::string etag(std::int64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

bool if_match_allows(std::string_view header, std::int64_t version) {
  const auto expected = etag(version);
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || tag == expected) return true;
  }
  return false;
}

}  // namespace kefir::domain
