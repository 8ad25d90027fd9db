// Batch bodies and partial updates (SPEC §3): every field's range, unknown and read-only fields, null
// clearing, the stage and status rules, the stored item's shape and the ETag / If-Match comparison.
#include <gtest/gtest.h>

#include "validation_support.hpp"

#include "domain/api_json.hpp"
#include "domain/batch.hpp"
#include "domain/keys.hpp"
#include "http/errors.hpp"

namespace kefir::domain {
namespace {

const TimePoint kNow = *parse_rfc3339("2026-01-15T10:00:00.000Z");

json::object parse(std::string_view text) {
  return json::parse(text).as_object();
}

// The fields a body is rejected for, in the order reported; empty when accepted.
std::vector<std::string> rejected_fields(const json::object& body, BatchBody mode) {
  return test::rejected_fields_of([&] { read_batch_fields(body, mode); });
}

Batch created(std::string_view body) {
  return new_batch(read_batch_fields(parse(body), BatchBody::create), "0190a1b2-0000-7000-8000-000000000001",
                   "alice", kNow);
}

TEST(BatchFields, CreateNeedsNameAndStage) {
  EXPECT_EQ(rejected_fields({}, BatchBody::create), (std::vector<std::string>{"name", "stage"}));
  EXPECT_EQ(rejected_fields(parse(R"({"name":"a","stage":null})"), BatchBody::create),
            std::vector<std::string>{"stage"});
  EXPECT_TRUE(rejected_fields(parse(R"({"name":"a","stage":"stage1_open"})"), BatchBody::create).empty());
  EXPECT_TRUE(rejected_fields({}, BatchBody::update).empty());
}

TEST(BatchFields, EveryFieldsRangeIsEnforced) {
  auto quoted = [](std::size_t n, char c) { return "\"" + std::string(n, c) + "\""; };
  auto fruit_list = [](std::size_t n) {
    std::string list = "[";
    for (std::size_t i = 0; i < n; ++i) list += (i ? "," : "") + std::string("\"fig\"");
    return list + "]";
  };
  struct Case {
    std::string field;
    std::vector<std::string> good;
    std::vector<std::string> bad;
  };
  const std::vector<Case> all = {
      {"name",
       {R"("a")", quoted(100, 'n'), R"("Kéfir ü")"},
       {R"("")", R"("   ")", quoted(101, 'n'), "5", "null"}},
      {"kind", {R"("water")", R"("milk")"}, {R"("tea")", R"("")", "null", "1"}},
      {"stage", {R"("stage1_open")", R"("stage2_bottled")"}, {R"("stage3")", "null"}},
      {"status", {R"("active")", R"("in_fridge")", R"("ready")", R"("archived")"}, {R"("done")", "null"}},
      {"startDate",
       {R"("2000-01-01T00:00:00Z")", R"("2026-01-15T12:00:00+02:00")"},
       {R"("yesterday")", R"("1999-12-31T23:59:59Z")", "null", "1700000000"}},
      {"targetDuration", {"1", "720", "null"}, {"0", "721", "1.5", R"("24")"}},
      {"temperature", {"10", "40", "22.5", "null"}, {"9.9", "40.01", R"("20")"}},
      {"waterVolumeMl", {"1", "100000"}, {"0", "100001", "2.5"}},
      {"sugarType", {R"("")", quoted(50, 's')}, {quoted(51, 's'), "3", "[]"}},
      {"sugarAmount", {"0", "1000", "12.5"}, {"-1", "1000.5", "true"}},
      {"fruits",
       {"[]", R"(["fig","lemon"])", "null", fruit_list(20), "[" + quoted(50, 'f') + "]"},
       {R"([""])", R"("fig")", "[1]", fruit_list(21), "[" + quoted(51, 'f') + "]"}},
      {"bottleCount", {"0", "200"}, {"-1", "201"}},
      {"bottleVolumeMl", {"1", "5000"}, {"0", "5001"}},
      {"stage2StartDate",
       {R"("2026-01-16T10:00:00.000Z")", "null"},
       {R"("soon")", R"("2100-01-01T00:00:00Z")"}},
      {"stage2TargetDuration", {"1", "720"}, {"0", "721"}},
      {"notes", {R"("")", quoted(1000, 'x'), "null"}, {quoted(1001, 'x')}},
      {"isPublic", {"true", "false"}, {"1", R"("true")", "null"}},
      {"publicNote", {R"("")", quoted(500, 'p')}, {quoted(501, 'p')}},
  };
  for (const auto& c : all) {
    for (const auto& value : c.good)
      EXPECT_TRUE(rejected_fields(parse("{\"" + c.field + "\":" + value + "}"), BatchBody::update).empty())
          << c.field << " = " << value;
    for (const auto& value : c.bad)
      EXPECT_EQ(rejected_fields(parse("{\"" + c.field + "\":" + value + "}"), BatchBody::update),
                std::vector<std::string>{c.field})
          << c.field << " = " << value;
  }
}

TEST(BatchFields, EveryBadFieldIsNamedAtOnce) {
  auto fields =
      rejected_fields(parse(R"({"name":"","temperature":99,"colour":"red","version":3})"), BatchBody::create);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"colour", "name", "stage", "temperature", "version"}));
}

TEST(BatchFields, ANumberOutOfRangeNamesTheBoundsAsWritten) {
  try {
    read_batch_fields(parse(R"({"temperature":99})"), BatchBody::update);
    ADD_FAILURE() << "accepted";
  } catch (const domain::Error& error) {
    ASSERT_EQ(error.details().size(), 1u);
    EXPECT_EQ(error.details().front().problem, "must be between 10 and 40");
  }
}

TEST(BatchFields, ReadOnlyFieldsAreRejectedAsSuch) {
  for (const char* field :
       {"batchId", "userId", "photoKeys", "version", "createdAt", "updatedAt", "archivedAt"}) {
    try {
      read_batch_fields(json::object{{field, "x"}}, BatchBody::update);
      ADD_FAILURE() << field;
    } catch (const domain::Error& error) {
      ASSERT_EQ(error.details().size(), 1u);
      EXPECT_EQ(error.details()[0].field, field);
      EXPECT_EQ(error.details()[0].problem, "is read-only");
    }
  }
}

TEST(NewBatch, AppliesDefaults) {
  auto batch = created(R"({"name":"First","stage":"stage1_open"})");
  EXPECT_EQ(batch.kind, "water");
  EXPECT_EQ(batch.status, "active");
  EXPECT_EQ(batch.start_date, kNow);
  EXPECT_FALSE(batch.is_public);
  EXPECT_EQ(batch.version, 1);
  EXPECT_FALSE(batch.stage2_start_date);
  EXPECT_FALSE(batch.archived_at);
  // Created directly in stage 2: the second fermentation starts now.
  EXPECT_EQ(created(R"({"name":"B","stage":"stage2_bottled"})").stage2_start_date, kNow);
}

TEST(ApplyBatchFields, NullClearsOptionalFieldsAndAbsentKeepsThem) {
  auto batch = created(R"({"name":"A","stage":"stage1_open","temperature":22,"fruits":["fig"],"notes":"n"})");
  auto change = apply_batch_fields(
      batch, read_batch_fields(parse(R"({"temperature":null,"fruits":null})"), BatchBody::update), kNow);
  EXPECT_TRUE(change.changed);
  EXPECT_FALSE(batch.temperature_c);
  EXPECT_TRUE(batch.fruits.empty());
  EXPECT_EQ(batch.notes, "n");
  EXPECT_EQ(batch.name, "A");
}

TEST(ApplyBatchFields, SameValuesChangeNothing) {
  auto batch = created(R"({"name":"A","stage":"stage1_open","temperature":22})");
  auto change = apply_batch_fields(
      batch,
      read_batch_fields(parse(R"({"name":"A","temperature":22.0,"stage":"stage1_open"})"), BatchBody::update),
      kNow);
  EXPECT_FALSE(change.changed);
  EXPECT_FALSE(change.previous_stage);
}

TEST(ApplyBatchFields, BottlingRecordsTheStageChangeAndStartsStageTwo) {
  auto batch = created(R"({"name":"A","stage":"stage1_open"})");
  auto later = kNow + hours(48);
  auto change = apply_batch_fields(
      batch, read_batch_fields(parse(R"({"stage":"stage2_bottled"})"), BatchBody::update), later);
  EXPECT_EQ(change.previous_stage, "stage1_open");
  EXPECT_EQ(batch.stage, "stage2_bottled");
  EXPECT_EQ(batch.stage2_start_date, later);

  // An explicit stage2StartDate wins over "now".
  auto other = created(R"({"name":"B","stage":"stage1_open"})");
  apply_batch_fields(
      other,
      read_batch_fields(parse(R"({"stage":"stage2_bottled","stage2StartDate":"2026-01-16T08:00:00Z"})"),
                        BatchBody::update),
      later);
  EXPECT_EQ(other.stage2_start_date, parse_rfc3339("2026-01-16T08:00:00Z"));
}

TEST(ApplyBatchFields, ArchivingStampsArchivedAtAndRestoringClearsIt) {
  auto batch = created(R"({"name":"A","stage":"stage1_open"})");
  auto change = apply_batch_fields(
      batch, read_batch_fields(parse(R"({"status":"archived"})"), BatchBody::update), kNow + hours(1));
  EXPECT_EQ(change.previous_status, "active");
  EXPECT_EQ(batch.archived_at, kNow + hours(1));
  apply_batch_fields(batch, read_batch_fields(parse(R"({"status":"ready"})"), BatchBody::update),
                     kNow + hours(2));
  EXPECT_FALSE(batch.archived_at);
}

TEST(BatchItem, HasTheSpecKeysAndRoundTrips) {
  auto batch = created(
      R"({"name":"A","stage":"stage2_bottled","kind":"milk","temperature":22.5,"waterVolumeMl":900,"sugarType":"cane",
          "sugarAmount":60,"fruits":["fig","lemon"],"bottleCount":3,"bottleVolumeMl":500,"targetDuration":48,
          "stage2TargetDuration":24,"notes":"n","isPublic":true,"publicNote":"p"})");
  batch.photo_keys = {"users/alice/batches/x/1.jpg"};
  auto item = to_item(batch);
  EXPECT_EQ(json_string(item, "PK"), "USER#alice");
  EXPECT_EQ(json_string(item, "SK"), "BATCH#" + batch.batch_id);
  EXPECT_EQ(json_string(item, "GSI1PK"), "BATCH#" + batch.batch_id);
  EXPECT_EQ(json_string(item, "GSI1SK"), "BATCH");
  // Left out: the item holds the API text less its nulls, after a stamp that says where they go back
  // (api_json::put_stored).
  EXPECT_FALSE(item.contains("archivedAt"));
  EXPECT_EQ(item.begin()->key(), api_json::kApiTextAttribute);
  EXPECT_EQ(to_json(batch_from_item(item)), to_json(batch));
}

TEST(BatchJson, UnsetOptionalFieldsAreNullAndTimesAreUtcMillis) {
  auto json =
      to_json(created(R"({"name":"A","stage":"stage1_open","startDate":"2026-01-15T12:00:00+02:00"})"));
  EXPECT_EQ(json.at("startDate"), "2026-01-15T10:00:00.000Z");
  EXPECT_TRUE(json.at("temperature").is_null());
  EXPECT_TRUE(json.at("archivedAt").is_null());
  EXPECT_EQ(json.at("fruits"), json::array{});
  EXPECT_EQ(json.at("version"), 1);
}

// List pages write a batch's text straight into the body; it must be the bytes a single batch serializes to.
TEST(BatchJson, AppendedTextIsTheSerializedObject) {
  auto full = created(R"({"name":"Tab\t \"quoted\" \\ \u0001 caf\u00e9","stage":"stage2_bottled",
      "kind":"milk","targetDuration":48,"temperature":22.5,"waterVolumeMl":1000,"sugarType":"cane",
      "sugarAmount":60,"fruits":["fig","lemon"],"bottleCount":3,"bottleVolumeMl":500,
      "stage2TargetDuration":24,"notes":"line\nbreak","isPublic":true,"publicNote":"hi","status":"archived"})");
  for (const auto& batch : {full, created(R"({"name":"A","stage":"stage1_open"})")}) {
    std::string text = "prefix";
    append_json(text, batch);
    EXPECT_EQ(text, "prefix" + json::serialize(to_json(batch)));
  }
  std::string text;
  append_json(text, full);
  EXPECT_NE(text.find(R"("temperature":2.25E1,"waterVolumeMl":1000)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("sugarAmount":60,)"), std::string::npos) << text;
}

TEST(ETag, IsTheQuotedVersionAndIfMatchComparesStrongly) {
  EXPECT_EQ(etag(3), "\"3\"");
  EXPECT_TRUE(if_match_allows("\"3\"", 3));
  EXPECT_TRUE(if_match_allows("\"1\", \"3\"", 3));
  EXPECT_TRUE(if_match_allows("*", 3));
  EXPECT_FALSE(if_match_allows("\"2\"", 3));
  EXPECT_FALSE(if_match_allows("W/\"3\"", 3));
  EXPECT_FALSE(if_match_allows("3", 3));
  EXPECT_FALSE(if_match_allows("\"33\"", 3));
}

}  // namespace
}  // namespace kefir::domain
