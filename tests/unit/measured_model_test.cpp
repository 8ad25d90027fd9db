// The measured model (issue 18): progress integrates the fermentation rate over the measured temperatures.
#include <gtest/gtest.h>

#include <cmath>

#include "domain/fermentation_model.hpp"

namespace kefir::fermentation {
namespace {

const TimePoint kStart = *parse_rfc3339("2026-01-10T08:00:00.000Z");

double hours_after_start(TimePoint t) {
  return std::chrono::duration<double, std::ratio<3600>>(t - kStart).count();
}

BatchSnapshot water_kefir_at(double temperature_c) {
  return {Kind::water, Stage::first, kStart, temperature_c, std::nullopt};
}

TEST(MeasuredModel, ConstantTwentyTwoDegreesEndsWhenTodaysModelSays) {
  const auto batch = water_kefir_at(22);
  const ProgressCurve curve(batch, {}, {{kStart - hours(2), 22.0}, {kStart + hours(5), 22.0}});
  EXPECT_TRUE(curve.measured());
  EXPECT_EQ(curve.time_at_fraction(1.0), kStart + hours(48));
  EXPECT_EQ(curve.time_at_fraction(1.0), kStart + hours(std::lround(expected_duration(batch, {}).hours)));
  EXPECT_EQ(curve.time_at_fraction(0.5), kStart + hours(24));
  EXPECT_DOUBLE_EQ(curve.fraction_at(kStart + hours(12)), 0.25);
  EXPECT_DOUBLE_EQ(curve.fraction_at(kStart - hours(1)), 0.0);
}

TEST(MeasuredModel, WithoutReadingsTheBatchTemperatureIsUsed) {
  const ProgressCurve curve(water_kefir_at(18), {}, {});
  EXPECT_FALSE(curve.measured());
  ASSERT_EQ(curve.history().size(), 1u);
  EXPECT_EQ(curve.history()[0].temperature_c, 18.0);
  EXPECT_NEAR(hours_after_start(curve.time_at_fraction(1.0)), 48 * std::pow(2.0, 0.4), 1e-6);
}

// A windowsill: 27 °C by day, 18 °C by night, 12 h each, from the start.
//   at 27 °C the stage takes 48 × 2^((22 − 27)/10) = 48 × 2^−0.5 = 33.941 h: 1/33.941 = 0.029463 per hour
//   at 18 °C it takes        48 × 2^((22 − 18)/10) = 48 × 2^0.4  = 63.336 h: 1/63.336 = 0.015789 per hour
//   day 1:   12 × 0.029463 = 0.353553, night 1: 12 × 0.015789 = 0.189465 → 0.543018 at 24 h
//   day 2:   0.543018 + 0.353553 = 0.896571 at 36 h
//   night 2: the remaining 0.103429 at 0.015789 per hour = 6.5508 h → done at 42.5508 h, 5.45 h before the 48
//   h
//            of a constant 22 °C.
TEST(MeasuredModel, AWindowsillDayAt27AndNightsAt18EndsWhereTheIntegralSays) {
  const std::vector<TemperatureSample> samples = {
      {kStart, 27.0}, {kStart + hours(12), 18.0}, {kStart + hours(24), 27.0}, {kStart + hours(36), 18.0}};
  const ProgressCurve curve(water_kefir_at(22), {}, samples);
  const double day_rate = 1 / (48 * std::pow(2.0, -0.5));
  const double night_rate = 1 / (48 * std::pow(2.0, 0.4));
  EXPECT_NEAR(day_rate, 0.029463, 1e-6);
  EXPECT_NEAR(night_rate, 0.015789, 1e-6);
  const double after_two_days = 2 * 12 * day_rate + 12 * night_rate;
  EXPECT_NEAR(after_two_days, 0.896571, 1e-6);
  const double end_hours = 36 + (1 - after_two_days) / night_rate;
  EXPECT_NEAR(end_hours, 42.5508, 1e-4);

  EXPECT_NEAR(hours_after_start(curve.time_at_fraction(1.0)), end_hours, 1e-6);
  EXPECT_NEAR(curve.fraction_at(kStart + hours(24)), 12 * day_rate + 12 * night_rate, 1e-9);
  EXPECT_NEAR(curve.fraction_at(kStart + hours(36)), after_two_days, 1e-9);
  // Halfway falls in the first night: 0.5 − 0.353553 = 0.146447 at the night rate is 9.2753 h after 12 h.
  EXPECT_NEAR(hours_after_start(curve.time_at_fraction(0.5)), 12 + (0.5 - 12 * day_rate) / night_rate, 1e-6);
  EXPECT_EQ(curve.history().size(), 4u);
}

TEST(MeasuredModel, TheLastReadingIsHeldIntoTheFutureAndBeforeTheStageOnlySetsItsStart) {
  // A reading from before the stage: the stage starts at 32 °C (24 h there), and a later reading moves it.
  const ProgressCurve curve(water_kefir_at(22), {}, {{kStart - hours(3), 32.0}, {kStart + hours(6), 12.0}});
  ASSERT_EQ(curve.history().size(), 2u);
  EXPECT_EQ(curve.history()[0].time, kStart);
  EXPECT_EQ(curve.history()[0].temperature_c, 32.0);
  // 6 h at 32 °C is 0.25; the remaining 0.75 at 12 °C (96 h, kept within the 72 h bound) takes 54 h.
  EXPECT_NEAR(hours_after_start(curve.time_at_fraction(1.0)), 6 + 0.75 * 72, 1e-6);
}

TEST(MeasuredModel, AnExplicitTargetDoesNotFollowTheTemperature) {
  auto batch = water_kefir_at(22);
  batch.target_hours = 30;
  const ProgressCurve curve(batch, {}, {{kStart, 28.0}, {kStart + hours(10), 15.0}});
  EXPECT_EQ(curve.time_at_fraction(1.0), kStart + hours(30));
}

TEST(MeasuredModel, SuggestionTypesThatFollowTheFermentation) {
  EXPECT_EQ(model_fraction("midpoint_check"), 0.5);
  EXPECT_EQ(model_fraction("ready_to_bottle"), 1.0);
  EXPECT_EQ(model_fraction("carbonation_check"), 0.5);
  EXPECT_EQ(model_fraction("move_to_fridge"), 1.0);
  EXPECT_FALSE(model_fraction("burp_bottles"));
  EXPECT_FALSE(model_fraction("custom"));
}

}  // namespace
}  // namespace kefir::fermentation
