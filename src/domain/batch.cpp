#include "domain/batch.hpp"

#include "domain/api_json.hpp"
#include "domain/keys.hpp"
#include "util/ids.hpp"
#include "util/stored_json.hpp"

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

std::string string_or(const stored_json::Member& member, std::string_view fallback = {}) {
  return std::string(stored_json::as_string(member).value_or(fallback));
}
std::optional<std::string> optional_string(const stored_json::Member& member) {
  if (auto text = stored_json::as_string(member)) return std::string(*text);
  return std::nullopt;
}
std::optional<TimePoint> optional_time(const stored_json::Member& member) {
  if (auto text = stored_json::as_string(member)) return parse_rfc3339(*text);
  return std::nullopt;
}
std::vector<std::string> strings(const stored_json::Member& member) {
  std::vector<std::string> out;
  if (const auto* items = stored_json::as_array(member))
    for (const auto& entry : *items)
      if (entry.is_string()) out.emplace_back(entry.get_string());
  return out;
}
std::optional<readings::SafeRange> optional_safe_range(const stored_json::Member& member) {
  const auto* range = stored_json::as_object(member);
  if (!range) return std::nullopt;
  auto low = json_number(*range, "minC");
  auto high = json_number(*range, "maxC");
  if (!low || !high) return std::nullopt;
  return readings::SafeRange{*low, *high};
}

// A stored batch read member by member, from its text or from an item: what a member the writer left out
// (or wrote with a type it no longer has) reads as.
struct StoredBatch : stored_json::MemberDecoder<StoredBatch> {
  Batch batch;
  std::optional<TimePoint> updated_at;  // absent: the creation time

  // The stored names, in the order to_item writes them.
  static constexpr Entry kEntries[] = {
      {api_json::kApiTextAttribute, ignore},
      {"batchId", [](StoredBatch& s, const stored_json::Member& m) { s.batch.batch_id = string_or(m); }},
      {"userId", [](StoredBatch& s, const stored_json::Member& m) { s.batch.user_id = string_or(m); }},
      {"name", [](StoredBatch& s, const stored_json::Member& m) { s.batch.name = string_or(m); }},
      {"kind", [](StoredBatch& s, const stored_json::Member& m) { s.batch.kind = string_or(m, "water"); }},
      {"stage", [](StoredBatch& s, const stored_json::Member& m) { s.batch.stage = string_or(m); }},
      {"status",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.status = string_or(m, kStatusActive); }},
      {"startDate",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.start_date = optional_time(m).value_or(TimePoint{});
       }},
      {"targetDuration",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.target_duration_hours = stored_json::as_int(m);
       }},
      {"temperature",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.temperature_c = stored_json::as_number(m);
       }},
      {"waterVolumeMl",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.water_volume_ml = stored_json::as_int(m);
       }},
      {"sugarType",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.sugar_type = optional_string(m); }},
      {"sugarAmount",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.sugar_amount_g = stored_json::as_number(m);
       }},
      {"fruits", [](StoredBatch& s, const stored_json::Member& m) { s.batch.fruits = strings(m); }},
      {"bottleCount",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.bottle_count = stored_json::as_int(m); }},
      {"bottleVolumeMl",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.bottle_volume_ml = stored_json::as_int(m);
       }},
      {"stage2StartDate",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.stage2_start_date = optional_time(m); }},
      {"stage2TargetDuration",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.stage2_target_duration_hours = stored_json::as_int(m);
       }},
      {"notes", [](StoredBatch& s, const stored_json::Member& m) { s.batch.notes = optional_string(m); }},
      {"isPublic",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.is_public = stored_json::as_bool(m).value_or(false);
       }},
      {"publicNote",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.public_note = optional_string(m); }},
      {"safeRange",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.safe_range = optional_safe_range(m); }},
      {"photoKeys", [](StoredBatch& s, const stored_json::Member& m) { s.batch.photo_keys = strings(m); }},
      {"version", [](StoredBatch& s,
                     const stored_json::Member& m) { s.batch.version = stored_json::as_int(m).value_or(1); }},
      {"createdAt",
       [](StoredBatch& s, const stored_json::Member& m) {
         s.batch.created_at = optional_time(m).value_or(TimePoint{});
       }},
      {"updatedAt", [](StoredBatch& s, const stored_json::Member& m) { s.updated_at = optional_time(m); }},
      {"archivedAt",
       [](StoredBatch& s, const stored_json::Member& m) { s.batch.archived_at = optional_time(m); }},
      {"PK", ignore},
      {"SK", ignore},
      {"GSI1PK", ignore},
      {"GSI1SK", ignore},
  };

  Batch finish() && {
    batch.updated_at = updated_at.value_or(batch.created_at);
    return std::move(batch);
  }
};

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
  const auto key = keys::batch(batch.user_id, batch.batch_id);
  const auto gsi1pk = keys::batch_gsi1pk(batch.batch_id);
  api_json::put_stored(item, [&batch](auto&& field) { visit_fields(batch, field); },
                       {{"PK", key.pk}, {"SK", key.sk}, {"GSI1PK", gsi1pk}, {"GSI1SK", keys::kBatchGsi1Sk}});
  return item;
}

Batch batch_from_item(const store::Item& item) {
  return stored_json::read_item<StoredBatch>(item);
}

std::optional<Batch> batch_from_stored(std::string_view text) {
  return stored_json::read_text<StoredBatch>(text);
}

Batch stored_batch(std::string_view text) {
  auto batch = batch_from_stored(text);
  if (!batch) throw store::StoreUnavailable("a stored batch is not a JSON object");
  return std::move(*batch);
}

const api_json::SplicedObject& batch_splice() {
  // The API writes a safe range from its decoded numbers: a stored one is decoded (custom ranges are rare).
  static const auto spliced =
      api_json::spliced_object([](auto&& field) { visit_fields(Batch{}, field); }, {"safeRange"});
  return spliced;
}

void append_stored_batch_json(std::string& out, std::string_view text) {
  const auto& spliced = batch_splice();
  if (spliced.append_held(out, text) || spliced.append(out, text)) return;
  append_json(out, stored_batch(text));
}

BatchListing listing_from_stored(std::string_view text) {
  std::string_view found[2];
  if (stored_json::find_plain_strings(text, {"stage", "status"}, found))
    return {std::string(found[1]), std::string(found[0])};
  BatchListing listing{std::string(kStatusActive), {}};
  bool plain = true;  // both members, if present, are strings without escapes
  int seen = 0;
  bool object = stored_json::for_each_raw_member(text, [&](const stored_json::RawMember& member) {
    std::string* target = member.key == "status"  ? &listing.status
                          : member.key == "stage" ? &listing.stage
                                                  : nullptr;
    if (!target) return true;
    const auto raw = member.value;
    plain = raw.size() >= 2 && raw.front() == '"' && raw.find('\\') == std::string_view::npos;
    if (plain) target->assign(raw.substr(1, raw.size() - 2));
    return plain && ++seen < 2;  // to_item writes both near the start: the rest need not be read
  });
  if (object && plain) return listing;
  auto batch = stored_batch(text);
  return {std::move(batch.status), std::move(batch.stage)};
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
