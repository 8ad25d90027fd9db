#include "domain/fermentation_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kefir::fermentation {
namespace {

const TimePoint kStart = *parse_rfc3339("2026-01-10T08:00:00.000Z");

double hours_after_start(TimePoint t) {
  return std::chrono::duration<double, std::ratio<3600>>(t - kStart).count();
}

BatchSnapshot batch(Kind kind, Stage stage, double temperature_c,
                    std::optional<double> target = std::nullopt) {
  return {kind, stage, kStart, temperature_c, target};
}

std::vector<Suggestion> suggest_from_start(const BatchSnapshot& snapshot,
                                           const std::vector<FinishedStage>& history = {}) {
  return suggest(snapshot, history, kStart);
}

const Suggestion* find(const std::vector<Suggestion>& suggestions, const std::string& type) {
  for (const auto& s : suggestions)
    if (s.type == type) return &s;
  return nullptr;
}

TEST(FermentationModel, TemperatureFactorDoublesEveryTenDegrees) {
  EXPECT_DOUBLE_EQ(temperature_factor(22), 1.0);
  EXPECT_DOUBLE_EQ(temperature_factor(12), 2.0);
  EXPECT_DOUBLE_EQ(temperature_factor(32), 0.5);
  EXPECT_NEAR(temperature_factor(26) * temperature_factor(18), 1.0, 1e-12);
}

TEST(FermentationModel, WaterKefirAt22HasMidpointAt24hAndEndAt48h) {
  auto suggestions = suggest_from_start(batch(Kind::water, Stage::first, 22));
  ASSERT_EQ(suggestions.size(), 2u);
  EXPECT_EQ(suggestions[0].type, "midpoint_check");
  EXPECT_EQ(suggestions[0].suggested_time, kStart + hours(24));
  EXPECT_EQ(suggestions[1].type, "ready_to_bottle");
  EXPECT_EQ(suggestions[1].suggested_time, kStart + hours(48));
  EXPECT_NE(suggestions[1].message.find("ready to bottle"), std::string::npos);
  EXPECT_NE(suggestions[1].description.find("doubles every 10 °C"), std::string::npos);
  // At the reference temperature the description names one figure, not the same one twice.
  EXPECT_EQ(suggestions[1].description,
            "End of the expected 48 h: ready to bottle. A water kefir first fermentation takes about 48 h at "
            "22 °C (fermentation speed doubles every 10 °C).");
}

TEST(FermentationModel, WarmerIsFasterAndCoolerIsSlowerByQ10OfTwo) {
  auto warm = expected_duration(batch(Kind::water, Stage::first, 26), {});
  EXPECT_NEAR(warm.hours, 48 * std::pow(2.0, -0.4), 1e-9);
  EXPECT_NEAR(warm.hours, 36.4, 0.1);  // "≈ 36 h at 26 °C"
  auto cool = expected_duration(batch(Kind::water, Stage::first, 18), {});
  EXPECT_NEAR(cool.hours, 63.3, 0.1);  // "≈ 63 h at 18 °C"
  EXPECT_FALSE(warm.clamped);
  EXPECT_FALSE(cool.clamped);

  auto suggestions = suggest_from_start(batch(Kind::water, Stage::first, 26));
  ASSERT_EQ(suggestions.size(), 2u);
  EXPECT_NEAR(hours_after_start(suggestions[0].suggested_time), warm.hours / 2, 1e-3);
  EXPECT_NEAR(hours_after_start(suggestions[1].suggested_time), warm.hours, 1e-3);
  EXPECT_NE(suggestions[1].description.find("about 36 h at 26 °C"), std::string::npos)
      << suggestions[1].description;
}

TEST(FermentationModel, MilkKefirAndSecondFermentationReferences) {
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::milk, Stage::first, 22), {}).hours, 24);
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::water, Stage::second, 22), {}).hours, 24);
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::milk, Stage::second, 22), {}).hours, 24);
  EXPECT_NEAR(expected_duration(batch(Kind::milk, Stage::first, 26), {}).hours, 18.2, 0.1);
}

TEST(FermentationModel, DurationsAreClampedToWhatTheCultureTolerates) {
  auto cold_water = expected_duration(batch(Kind::water, Stage::first, 10), {});  // 110 h unclamped
  EXPECT_DOUBLE_EQ(cold_water.hours, 72);
  EXPECT_TRUE(cold_water.clamped);
  EXPECT_NEAR(expected_duration(batch(Kind::water, Stage::first, 40), {}).hours, 13.8, 0.1);  // above 12

  auto hot_milk = expected_duration(batch(Kind::milk, Stage::first, 40), {});  // 6.9 h unclamped
  EXPECT_DOUBLE_EQ(hot_milk.hours, 8);
  EXPECT_TRUE(hot_milk.clamped);
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::milk, Stage::first, 10), {}).hours, 48);  // 55 h unclamped

  // Second fermentation: [6, 72]. Only a calibration can push it that far out at allowed temperatures.
  std::vector<FinishedStage> slow(3, FinishedStage{Kind::water, Stage::second, 22, 100});
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::water, Stage::second, 22), slow).hours, 72);
  std::vector<FinishedStage> fast(3, FinishedStage{Kind::water, Stage::second, 22, 4});
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::water, Stage::second, 22), fast).hours, 6);

  auto suggestions = suggest_from_start(batch(Kind::water, Stage::first, 10));
  EXPECT_EQ(find(suggestions, "ready_to_bottle")->suggested_time, kStart + hours(72));
  EXPECT_NE(find(suggestions, "ready_to_bottle")->description.find("kept within 12 h-72 h"),
            std::string::npos);
}

TEST(FermentationModel, ExplicitTargetDurationOverridesTheModelUnclamped) {
  auto expected = expected_duration(batch(Kind::water, Stage::first, 30, 30.0), {});
  EXPECT_EQ(expected.basis, Expectation::Basis::explicit_target);
  EXPECT_DOUBLE_EQ(expected.hours, 30);

  auto suggestions = suggest_from_start(batch(Kind::water, Stage::first, 30, 100.0));
  EXPECT_EQ(find(suggestions, "midpoint_check")->suggested_time, kStart + hours(50));
  EXPECT_EQ(find(suggestions, "ready_to_bottle")->suggested_time, kStart + hours(100));
  EXPECT_NE(find(suggestions, "ready_to_bottle")->description.find("target duration of 100 h"),
            std::string::npos);

  // The override also beats a calibration.
  std::vector<FinishedStage> history(5, FinishedStage{Kind::water, Stage::first, 22, 40});
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::water, Stage::first, 22, 30.0), history).hours, 30);
}

TEST(FermentationModel, SecondFermentationHasCarbonationCheckAndFridgeAtTheEnd) {
  auto suggestions = suggest_from_start(batch(Kind::water, Stage::second, 22));
  ASSERT_EQ(suggestions.size(), 2u);  // 24 h: no burps
  EXPECT_EQ(suggestions[0].type, "carbonation_check");
  EXPECT_EQ(suggestions[0].suggested_time, kStart + hours(12));
  EXPECT_EQ(suggestions[1].type, "move_to_fridge");
  EXPECT_EQ(suggestions[1].suggested_time, kStart + hours(24));
  EXPECT_EQ(suggestions[1].message, "Ready — move the bottles to the fridge");
}

TEST(FermentationModel, LongSecondFermentationsGetBurpChecksEvery24Hours) {
  auto suggestions = suggest_from_start(batch(Kind::water, Stage::second, 22, 72.0));
  std::vector<std::pair<std::string, double>> got;
  for (const auto& s : suggestions) got.emplace_back(s.type, hours_after_start(s.suggested_time));
  std::vector<std::pair<std::string, double>> want = {
      {"burp_bottles", 24}, {"carbonation_check", 36}, {"burp_bottles", 48}, {"move_to_fridge", 72}};
  EXPECT_EQ(got, want);

  // 36 h is not "longer than 36 h".
  EXPECT_EQ(find(suggest_from_start(batch(Kind::water, Stage::second, 22, 36.0)), "burp_bottles"), nullptr);
  auto just_over = suggest_from_start(batch(Kind::water, Stage::second, 22, 37.0));
  ASSERT_NE(find(just_over, "burp_bottles"), nullptr);
  EXPECT_EQ(find(just_over, "burp_bottles")->suggested_time, kStart + hours(24));

  // A burp that falls on the carbonation check is folded into it.
  auto forty_eight = suggest_from_start(batch(Kind::milk, Stage::second, 22, 48.0));
  EXPECT_EQ(find(forty_eight, "burp_bottles"), nullptr);
  EXPECT_EQ(find(forty_eight, "carbonation_check")->suggested_time, kStart + hours(24));

  // The model itself: a cold cellar (10 °C) makes about 55 h of bottle time.
  auto cold = suggest_from_start(batch(Kind::water, Stage::second, 10));
  std::vector<std::string> types;
  for (const auto& s : cold) types.push_back(s.type);
  EXPECT_EQ(types, (std::vector<std::string>{"burp_bottles", "carbonation_check", "burp_bottles",
                                             "move_to_fridge"}));
  EXPECT_EQ(cold[0].suggested_time, kStart + hours(24));
  EXPECT_EQ(cold[2].suggested_time, kStart + hours(48));
  EXPECT_NEAR(hours_after_start(cold[3].suggested_time), 24 * std::pow(2.0, 1.2), 1e-3);
}

TEST(FermentationModel, CalibratesFromThreeFinishedBatchesOfTheSameKindAndStage) {
  std::vector<FinishedStage> history = {
      {Kind::water, Stage::first, 22, 40},
      {Kind::water, Stage::first, 22, 44},
  };
  // Two are not enough.
  EXPECT_EQ(expected_duration(batch(Kind::water, Stage::first, 22), history).basis,
            Expectation::Basis::model);
  // Other kinds and stages do not count.
  history.push_back({Kind::milk, Stage::first, 22, 20});
  history.push_back({Kind::water, Stage::second, 22, 30});
  EXPECT_EQ(expected_duration(batch(Kind::water, Stage::first, 22), history).basis,
            Expectation::Basis::model);

  // A third one at 26 °C: 30 h there is 30 / 2^-0.4 ≈ 39.6 h at 22 °C. Median of {39.6, 40, 44} = 40.
  history.push_back({Kind::water, Stage::first, 26, 30});
  auto expected = expected_duration(batch(Kind::water, Stage::first, 22), history);
  EXPECT_EQ(expected.basis, Expectation::Basis::calibrated);
  EXPECT_EQ(expected.history_size, 3u);
  EXPECT_DOUBLE_EQ(expected.reference_hours, 40);
  EXPECT_DOUBLE_EQ(expected.hours, 40);

  // Applied at the batch's own temperature: 40 h at 22 °C is 20 h at 32 °C.
  EXPECT_DOUBLE_EQ(expected_duration(batch(Kind::water, Stage::first, 32), history).hours, 20);

  auto suggestions = suggest_from_start(batch(Kind::water, Stage::first, 22), history);
  EXPECT_EQ(find(suggestions, "ready_to_bottle")->suggested_time, kStart + hours(40));
  EXPECT_NE(find(suggestions, "ready_to_bottle")->description.find("Calibrated from your 3 finished"),
            std::string::npos);
  EXPECT_NE(find(suggestions, "midpoint_check")->description.find("median 40 h at 22 °C"), std::string::npos);
}

TEST(FermentationModel, CalibrationMedianOfAnEvenCountAveragesTheMiddlePair) {
  std::vector<FinishedStage> history = {
      {Kind::milk, Stage::first, 22, 20},
      {Kind::milk, Stage::first, 22, 22},
      {Kind::milk, Stage::first, 22, 30},
      {Kind::milk, Stage::first, 22, 200},  // one forgotten jar does not drag the median
  };
  auto expected = expected_duration(batch(Kind::milk, Stage::first, 22), history);
  EXPECT_EQ(expected.history_size, 4u);
  EXPECT_DOUBLE_EQ(expected.hours, 26);
}

TEST(FermentationModel, SuggestionsInThePastAreLeftOut) {
  auto snapshot = batch(Kind::water, Stage::first, 22);
  auto later = suggest(snapshot, {}, kStart + hours(30));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].type, "ready_to_bottle");
  EXPECT_TRUE(suggest(snapshot, {}, kStart + hours(48)).empty());  // due exactly now is not a future reminder
  EXPECT_TRUE(suggest(snapshot, {}, kStart + hours(100)).empty());
}

}  // namespace
}  // namespace kefir::fermentation
