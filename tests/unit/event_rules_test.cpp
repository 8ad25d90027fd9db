// Timeline event bodies (SPEC §4): types, metadata size and depth, numeric measurement readings, the stored
// item's sort key.
#include <gtest/gtest.h>

#include "validation_support.hpp"

#include "domain/event.hpp"
#include "http/errors.hpp"

namespace kefir::domain {
namespace {

std::vector<std::string> rejected_fields(std::string_view body) {
  return test::rejected_fields_of([&] { read_event_fields(json::parse(body).as_object()); });
}
using Fields = std::vector<std::string>;

TEST(EventFields, TypeIsRequiredAndFromTheList) {
  EXPECT_EQ(rejected_fields("{}"), Fields{"type"});
  EXPECT_EQ(rejected_fields(R"({"type":"party"})"), Fields{"type"});
  for (auto type : kEventTypes)
    EXPECT_TRUE(rejected_fields(R"({"type":")" + std::string(type) + "\"}").empty()) << type;
}

TEST(EventFields, DescriptionTimestampPhotoKeyAndUnknownFields) {
  EXPECT_TRUE(rejected_fields(R"({"type":"note","description":")" + std::string(1000, 'd') + "\"}").empty());
  EXPECT_EQ(rejected_fields(R"({"type":"note","description":")" + std::string(1001, 'd') + "\"}"),
            Fields{"description"});
  EXPECT_TRUE(rejected_fields(R"({"type":"note","timestamp":"2025-12-01T08:00:00-05:00"})").empty());
  EXPECT_EQ(rejected_fields(R"({"type":"note","timestamp":"last week"})"), Fields{"timestamp"});
  EXPECT_EQ(rejected_fields(R"({"type":"note","timestamp":"1970-01-01T00:00:00Z"})"), Fields{"timestamp"});
  EXPECT_EQ(rejected_fields(R"({"type":"note","photoKey":""})"), Fields{"photoKey"});
  EXPECT_EQ(rejected_fields(R"({"type":"note","mood":"happy"})"), Fields{"mood"});
}

TEST(EventFields, MetadataIsAnObjectOfAtMostFourKibAndThreeLevels) {
  EXPECT_EQ(rejected_fields(R"({"type":"note","metadata":[1]})"), Fields{"metadata"});
  EXPECT_TRUE(rejected_fields(R"({"type":"note","metadata":{"a":{"b":{"c":1}}}})").empty());
  EXPECT_TRUE(rejected_fields(R"({"type":"note","metadata":{"a":{"b":[1,2]}}})").empty());
  EXPECT_EQ(rejected_fields(R"({"type":"note","metadata":{"a":{"b":{"c":{}}}}})"), Fields{"metadata"});
  EXPECT_EQ(rejected_fields(R"({"type":"note","metadata":{"a":[[[1]]]}})"), Fields{"metadata"});
  // {"k":"xxx..."} serialises to 8 bytes plus the string.
  EXPECT_TRUE(
      rejected_fields(R"({"type":"note","metadata":{"k":")" + std::string(4096 - 8, 'x') + "\"}}").empty());
  EXPECT_EQ(rejected_fields(R"({"type":"note","metadata":{"k":")" + std::string(4096 - 7, 'x') + "\"}}"),
            Fields{"metadata"});
}

TEST(EventFields, MeasurementReadingsMustBeNumbers) {
  EXPECT_TRUE(
      rejected_fields(
          R"({"type":"measurement","metadata":{"temperatureC":21.5,"ph":3.4,"brix":6,"specificGravity":1.012,"note":"x"}})")
          .empty());
  EXPECT_EQ(rejected_fields(R"({"type":"measurement","metadata":{"ph":"low"}})"), Fields{"metadata.ph"});
  EXPECT_EQ(rejected_fields(R"({"type":"measurement","metadata":{"temperatureC":null,"brix":"6"}})"),
            (Fields{"metadata.temperatureC", "metadata.brix"}));
  EXPECT_EQ(rejected_fields(R"({"type":"measurement","metadata":{"ph":15}})"), Fields{"metadata.ph"});
  // Other types may keep any metadata.
  EXPECT_TRUE(rejected_fields(R"({"type":"observation","metadata":{"ph":"low"}})").empty());
}

TEST(JsonDepth, CountsNestedContainers) {
  EXPECT_EQ(json_depth(json::parse("1")), 0);
  EXPECT_EQ(json_depth(json::parse("{}")), 1);
  EXPECT_EQ(json_depth(json::parse(R"({"a":[{"b":1}]})")), 3);
}

TEST(EventItem, SortsByTimestampAndRoundTrips) {
  auto now = *parse_rfc3339("2026-01-15T10:00:00Z");
  auto fields = read_event_fields(
      json::parse(R"({"type":"observation","timestamp":"2026-01-14T09:30:00+01:00","metadata":{"fizz":2}})")
          .as_object());
  auto event = new_event(fields, "batch-1", "alice", "0b9e7c1e-6a43-4d5b-9a55-0c4f6e3c9d10", now);
  auto item = to_item(event);
  EXPECT_EQ(json_string(item, "PK"), "BATCH#batch-1");
  EXPECT_EQ(json_string(item, "SK"), "EVENT#2026-01-14T08:30:00.000Z#0b9e7c1e-6a43-4d5b-9a55-0c4f6e3c9d10");
  EXPECT_EQ(to_json(event_from_item(item)), to_json(event));
  EXPECT_EQ(to_json(event).at("createdAt"), "2026-01-15T10:00:00.000Z");
  EXPECT_EQ(new_event(read_event_fields(json::parse(R"({"type":"note"})").as_object()), "b", "u", "e", now)
                .timestamp,
            now);
}

// List pages write an event's text straight into the body; it must be the bytes a single event serializes to.
TEST(EventJson, AppendedTextIsTheSerializedObject) {
  auto now = *parse_rfc3339("2026-01-15T10:00:00Z");
  auto with_metadata =
      new_event(read_event_fields(json::parse(R"({"type":"measurement","description":"pH \"low\"\n",
          "metadata":{"ph":3.5,"temperatureC":21,"note":{"by":"me"}}})")
                                      .as_object()),
                "batch-1", "alice", "0b9e7c1e-6a43-4d5b-9a55-0c4f6e3c9d10", now);
  auto with_photo = with_metadata;
  with_photo.photo_key = "photos/a.jpg";
  for (const auto& event : {with_metadata, with_photo}) {
    std::string text = "[";
    append_json(text, event);
    EXPECT_EQ(text, "[" + json::serialize(to_json(event)));
  }
}

}  // namespace
}  // namespace kefir::domain
