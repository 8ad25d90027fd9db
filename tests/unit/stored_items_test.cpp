// Stored items keep their own format: items written by earlier versions read back and are written again with
// every attribute they had, whatever the API's field names become (domain/api_json.hpp, FieldName). What a
// rewrite adds is the apiText stamp.
#include <gtest/gtest.h>

#include "domain/api_json.hpp"
#include "domain/batch.hpp"
#include "domain/event.hpp"

namespace kefir::domain {
namespace {

// Every attribute a batch item has had since the first release, as SPEC §12 lays it out.
constexpr std::string_view kStoredBatch = R"({
  "PK":"USER#alice","SK":"BATCH#0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b",
  "GSI1PK":"BATCH#0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b","GSI1SK":"BATCH",
  "batchId":"0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b","userId":"alice","name":"Fig & lemon","kind":"water",
  "stage":"stage2_bottled","status":"active","startDate":"2026-11-30T08:00:00.000Z","targetDuration":48,
  "temperature":22.5,"waterVolumeMl":900,"sugarType":"cane","sugarAmount":60,"fruits":["fig","lemon"],
  "bottleCount":3,"bottleVolumeMl":500,"stage2StartDate":"2026-12-02T08:00:00.000Z","stage2TargetDuration":24,
  "notes":"n","isPublic":true,"publicNote":"p","safeRange":{"minC":19,"maxC":26.5},
  "photoKeys":["users/alice/batches/0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b/photos/1.jpg"],"version":7,
  "createdAt":"2026-11-30T08:00:00.000Z","updatedAt":"2026-12-02T08:00:00.000Z"})";

constexpr std::string_view kStoredEvent = R"({
  "PK":"BATCH#0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b",
  "SK":"EVENT#2026-12-01T09:30:00.000Z#0190f0a5-0000-7000-8000-000000000001","userId":"alice",
  "eventId":"0190f0a5-0000-7000-8000-000000000001","batchId":"0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b",
  "type":"measurement","timestamp":"2026-12-01T09:30:00.000Z","description":"pH check",
  "metadata":{"ph":3.4},"createdAt":"2026-12-01T09:31:00.000Z"})";

void expect_rewritten_with_every_attribute(const json::object& stored, const json::object& rewritten) {
  for (const auto& member : stored) EXPECT_EQ(rewritten.at(member.key()), member.value()) << member.key();
  for (const auto& member : rewritten) {
    if (stored.contains(member.key())) continue;
    EXPECT_EQ(member.key(), api_json::kApiTextAttribute);
  }
}

TEST(StoredItems, ABatchItemReadsBackAndIsWrittenAgainWithEveryAttribute) {
  auto stored = json::parse(kStoredBatch).as_object();
  expect_rewritten_with_every_attribute(stored, to_item(batch_from_item(stored)));
}

TEST(StoredItems, AnEventItemReadsBackAndIsWrittenAgainWithEveryAttribute) {
  auto stored = json::parse(kStoredEvent).as_object();
  expect_rewritten_with_every_attribute(stored, to_item(event_from_item(stored)));
}

TEST(StoredItems, AFieldRenamedInTheApiKeepsItsStoredName) {
  auto visit = [](auto&& field) {
    field("kept", std::string("a"));
    field({"renamed", "original"}, std::int64_t{2});
    field("empty", std::optional<std::string>());
  };
  EXPECT_EQ(api_json::object(visit), (json::object{{"kept", "a"}, {"renamed", 2}, {"empty", nullptr}}));
  std::string text;
  api_json::append_object(text, visit);
  EXPECT_EQ(text, R"({"kept":"a","renamed":2,"empty":null})");
  json::object item;
  api_json::put_stored(item, visit, {{"PK", "k"}});
  item.erase(api_json::kApiTextAttribute);
  EXPECT_EQ(item, (json::object{{"kept", "a"}, {"original", 2}, {"PK", "k"}}));
}

// A stored name that differs from the API's means the stored text is not the API's: never copied as it.
TEST(StoredItems, ARenamedFieldIsNeverCopiedAsHeldApiText) {
  auto visit = [](auto&& field) {
    field("kept", std::string("a"));
    field({"renamed", "original"}, std::int64_t{2});
  };
  json::object item;
  api_json::put_stored(item, visit, {});
  std::string out;
  EXPECT_FALSE(api_json::spliced_object(visit).append_held(out, json::serialize(item)));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace kefir::domain
