// WatermelonDB raw records (domain/watermelon.hpp): the feed's records as snake_case columns with JSON text
// for arrays and objects, and pushed raw records back in POST /sync's terms.
#include <gtest/gtest.h>

#include <functional>

#include "domain/watermelon.hpp"
#include "http/errors.hpp"

namespace kefir::watermelon {
namespace {

std::vector<std::string> problem_fields(const std::function<void()>& call) {
  try {
    call();
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Invalid);
    std::vector<std::string> fields;
    for (const auto& detail : error.details()) fields.push_back(detail.field);
    return fields;
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(WatermelonRawRecord, ColumnNamesAreSnakeCaseAndBackAgain) {
  for (auto [camel, snake] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"name", "name"},
           {"waterVolumeMl", "water_volume_ml"},
           {"stage2StartDate", "stage2_start_date"},
           {"isPublic", "is_public"},
           {"id", "id"}}) {
    EXPECT_EQ(snake_case(camel), snake);
    EXPECT_EQ(camel_case(snake), camel);
  }
}

TEST(WatermelonRawRecord, AFeedRecordKeepsOnlyIdForItsOwnIdAndArraysAsJsonText) {
  json::object batch{{"id", "b1"},        {"batchId", "b1"},     {"name", "Ginger"},
                     {"isPublic", false}, {"temperature", 22.5}, {"fruits", json::array{"ginger", "lemon"}},
                     {"notes", nullptr},  {"version", 3}};
  EXPECT_EQ(to_raw("batches", batch), (json::object{{"id", "b1"},
                                                    {"name", "Ginger"},
                                                    {"is_public", false},
                                                    {"temperature", 22.5},
                                                    {"fruits", R"(["ginger","lemon"])"},
                                                    {"notes", nullptr},
                                                    {"version", 3}}));

  json::object event{{"id", "e1"}, {"eventId", "e1"}, {"batchId", "b1"}, {"metadata", {{"ph", 3.4}}}};
  auto raw = to_raw("events", event);
  EXPECT_EQ(json::parse(raw.at("metadata").as_string()), (json::object{{"ph", 3.4}}));
  raw.erase("metadata");
  EXPECT_EQ(raw, (json::object{{"id", "e1"}, {"batch_id", "b1"}}))
      << "an event's batchId is a column of its own";
}

TEST(WatermelonRawRecord, AWholePageKeepsTombstonesAsIds) {
  json::object page{
      {"batches",
       {{"created", json::array{{{"id", "b1"}, {"batchId", "b1"}, {"startDate", "2026-01-01"}}}},
        {"updated", json::array()},
        {"deleted", json::array{"b2"}}}}};
  EXPECT_EQ(to_raw_changes(page),
            (json::object{{"batches",
                           {{"created", json::array{{{"id", "b1"}, {"start_date", "2026-01-01"}}}},
                            {"updated", json::array()},
                            {"deleted", json::array{"b2"}}}}}));
}

TEST(WatermelonRawRecord, APushIsInPostSyncTermsWithoutBookkeepingOrEmptyLists) {
  json::object pushed{
      {"batches",
       {{"created", json::array{{{"id", "b1"},
                                 {"name", "Ginger"},
                                 {"water_volume_ml", 900},
                                 {"fruits", R"(["ginger"])"},
                                 {"_status", "created"},
                                 {"_changed", ""}}}},
        {"updated", json::array()},
        {"deleted", json::array{"b2"}}}},
      {"events",
       {{"created", json::array{{{"id", "e1"}, {"batch_id", "b1"}, {"metadata", R"({"ph":3.4})"}}}},
        {"updated", json::array()},
        {"deleted", json::array()}}},
      {"photos", {{"created", json::array()}, {"updated", json::array()}, {"deleted", json::array()}}}};
  EXPECT_EQ(
      from_raw_changes(pushed),
      (json::object{
          {"batches",
           {{"created", json::array{{{"id", "b1"},
                                     {"name", "Ginger"},
                                     {"waterVolumeMl", 900},
                                     {"fruits", json::array{"ginger"}}}}},
            {"deleted", json::array{"b2"}}}},
          {"events",
           {{"created", json::array{{{"id", "e1"}, {"batchId", "b1"}, {"metadata", {{"ph", 3.4}}}}}}}}}));
}

TEST(WatermelonRawRecord, AMalformedPushNamesWhereAsTheClientSentIt) {
  EXPECT_EQ(
      problem_fields([] {
        from_raw_changes({{"batches", {{"created", json::array{{{"id", "b1"}, {"fruits", "[oops"}}}}}}});
      }),
      std::vector<std::string>{"batches.created[0].fruits"});
  EXPECT_EQ(problem_fields([] {
              from_raw_changes({{"events", {{"created", json::array{"e1"}}}}});
            }),
            std::vector<std::string>{"events.created[0]"});
  EXPECT_EQ(problem_fields([] {
              from_raw_changes({{"devices", {{"deleted", "d1"}}}});
            }),
            std::vector<std::string>{"devices.deleted"});
  EXPECT_EQ(problem_fields([] {
              from_raw_changes({{"devices", json::array()}});
            }),
            std::vector<std::string>{"devices"});
}

TEST(WatermelonRawRecord, PostSyncProblemsAreNamedInTheClientsColumns) {
  EXPECT_EQ(pushed_field_name("changes.batches.updated[1].stage2StartDate"),
            "batches.updated[1].stage2_start_date");
  EXPECT_EQ(pushed_field_name("changes.photos"), "photos");
}

}  // namespace
}  // namespace kefir::watermelon
