// Sensor readings (issue 18): each device's payload, as the device sends it, read into one shape.
#include <gtest/gtest.h>

#include "domain/reading.hpp"

namespace kefir::readings {
namespace {

const TimePoint kNow = *parse_rfc3339("2026-03-01T12:34:56.789Z");

json::object body(std::string_view text) {
  return json::parse(text).as_object();
}

std::vector<std::string> bad_fields(const json::object& payload,
                                    std::optional<Format> format = std::nullopt) {
  try {
    parse_reading(payload, format, kNow);
  } catch (const InvalidReading& invalid) {
    std::vector<std::string> fields;
    for (const auto& problem : invalid.problems()) fields.push_back(problem.field);
    return fields;
  }
  ADD_FAILURE() << "accepted " << json::serialize(payload);
  return {};
}

TEST(ReadingRules, BrewfatherCustomStreamInFahrenheitWithPlato) {
  auto reading = parse_reading(body(R"({"name":"Kitchen jar","temp":75.2,"aux_temp":68.0,"ext_temp":41.0,
      "temp_unit":"F","gravity":4.5,"gravity_unit":"P","pressure":0,"pressure_unit":"PSI","ph":3.62,
      "bpm":12,"comment":"","beer":"Ginger lemon","battery":4.02})"),
                               std::nullopt, kNow);
  EXPECT_EQ(reading.format, Format::brewfather);
  ASSERT_TRUE(reading.temperature_c);
  EXPECT_NEAR(*reading.temperature_c, 24.0, 1e-9);
  EXPECT_EQ(reading.gravity, 4.5);
  EXPECT_EQ(reading.gravity_unit, "plato");
  EXPECT_EQ(reading.ph, 3.62);
  EXPECT_EQ(reading.battery_v, 4.02);
  EXPECT_EQ(reading.time, kNow);
}

TEST(ReadingRules, ISpindelHttpPostInCelsius) {
  auto reading = parse_reading(body(R"({"name":"iSpindel007","ID":9371024,"token":"","angle":41.53,
      "temperature":23.4375,"temp_units":"C","battery":3.98,"gravity":1.0123,"interval":900,"RSSI":-71})"),
                               std::nullopt, kNow);
  EXPECT_EQ(reading.format, Format::ispindel);
  EXPECT_EQ(reading.temperature_c, 23.4375);
  EXPECT_EQ(reading.gravity, 1.0123);
  EXPECT_EQ(reading.gravity_unit, "sg");
  EXPECT_FALSE(reading.ph);
}

TEST(ReadingRules, GravityMonPostInFahrenheitWithItsGravityUnit) {
  auto reading = parse_reading(body(R"({"name":"gravmon","ID":"e3a1f0","token":"","interval":300,
      "temperature":71.6,"temp_units":"F","gravity":3.1,"corr-gravity":3.05,"angle":30.2,"battery":4.1,
      "gravity_units":"P","RSSI":-60,"run-time":1.8})"),
                               std::nullopt, kNow);
  EXPECT_EQ(reading.format, Format::ispindel);
  EXPECT_NEAR(*reading.temperature_c, 22.0, 1e-9);
  EXPECT_EQ(reading.gravity_unit, "plato");
}

TEST(ReadingRules, TiltCloudFormPostIsInFahrenheit) {
  // The Tilt app's cloud post, form fields as the API layer decodes them: every value is text.
  json::object form{{"Timepoint", "46082.523"}, {"Temp", "66.2"},    {"SG", "1.008"},
                    {"Beer", "Water kefir"},    {"Color", "PURPLE"}, {"Comment", ""}};
  auto reading = parse_reading(form, std::nullopt, kNow);
  EXPECT_EQ(reading.format, Format::tilt);
  EXPECT_NEAR(*reading.temperature_c, 19.0, 1e-9);
  EXPECT_EQ(reading.gravity, 1.008);
  EXPECT_EQ(reading.time, kNow);  // its Timepoint has no zone
}

TEST(ReadingRules, PlainReadingWithItsOwnTime) {
  auto reading = parse_reading(body(R"({"temperature":21.5,"ph":3.9,"time":"2026-03-01T10:00:00+01:00"})"),
                               std::nullopt, kNow);
  EXPECT_EQ(reading.format, Format::plain);
  EXPECT_EQ(reading.temperature_c, 21.5);
  EXPECT_EQ(reading.ph, 3.9);
  EXPECT_EQ(reading.time, *parse_rfc3339("2026-03-01T09:00:00.000Z"));
}

TEST(ReadingRules, OutOfRangeValuesAreRefusedUnderTheDevicesOwnFieldNames) {
  using Fields = std::vector<std::string>;
  EXPECT_EQ(bad_fields(body(R"({"temp":212,"temp_unit":"F","ph":15})")), (Fields{"temp", "ph"}));
  EXPECT_EQ(bad_fields(body(R"({"temperature":-40,"temp_units":"C","angle":1,"gravity":1.5})")),
            (Fields{"temperature", "gravity"}));
  EXPECT_EQ(bad_fields({{"Temp", "hot"}, {"SG", "1.010"}}), Fields{"Temp"});
  EXPECT_EQ(bad_fields(body(R"({"temperature":"20"})")), Fields{"temperature"});
  EXPECT_EQ(bad_fields(body(R"({"temp":20,"temp_unit":"R"})")), Fields{"temp_unit"});
  EXPECT_EQ(bad_fields(body(R"({"temperature":20,"colour":"red"})")), Fields{"colour"});
  EXPECT_EQ(bad_fields(body(R"({"temperature":20,"time":"2026-03-01T13:00:00Z"})")), Fields{"time"});
  EXPECT_EQ(bad_fields(body(R"({"temperature":20,"time":"yesterday"})")), Fields{"time"});
  EXPECT_EQ(bad_fields(body(R"({"name":"empty"})"), Format::brewfather), Fields{"body"});
}

TEST(ReadingRules, AFormatCanBeNamed) {
  EXPECT_EQ(parse_format("ispindel"), Format::ispindel);
  EXPECT_FALSE(parse_format("xml"));
  // Named iSpindel, a body without its telltale fields is still read as one.
  auto reading = parse_reading(body(R"({"temperature":20.5,"gravity":1.02})"), Format::ispindel, kNow);
  EXPECT_EQ(reading.format, Format::ispindel);
  EXPECT_EQ(reading.gravity, 1.02);
}

TEST(ReadingRules, ReadingsAreStoredByMinuteAndRolledUpByHour) {
  EXPECT_EQ(minute_of(kNow), "2026-03-01T12:34:00.000Z");
  EXPECT_EQ(hour_of(kNow), "2026-03-01T12:00:00.000Z");
  Reading reading;
  reading.time = kNow;
  reading.temperature_c = 21.25;
  auto update = reading_update(reading, "s1");
  EXPECT_EQ(update.set.at("temperatureC"), 21.25);
  EXPECT_EQ(update.set.at("TTL").as_int64(), epoch_seconds(kNow) + 400 * 24 * 3600);
  EXPECT_FALSE(update.set.contains("ph"));
  auto rollup = rollup_update(reading, "s1");
  EXPECT_EQ(rollup.add, (std::vector<std::pair<std::string, std::int64_t>>{{"temperatureCCount", 1},
                                                                           {"temperatureCSumMilli", 21250}}));
}

}  // namespace
}  // namespace kefir::readings
