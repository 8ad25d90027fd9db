#include "domain/fermentation_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kefir::fermentation {
namespace {

std::string format_hours(double hours) {
  char buf[32];
  if (hours >= 10 || hours == std::round(hours)) {
    std::snprintf(buf, sizeof buf, "%ld h", std::lround(hours));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", hours);
  }
  return buf;
}

std::string format_temperature(double temperature_c) {
  char buf[32];
  if (temperature_c == std::round(temperature_c)) {
    std::snprintf(buf, sizeof buf, "%ld °C", std::lround(temperature_c));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f °C", temperature_c);
  }
  return buf;
}

std::string stage_name(Kind kind, Stage stage) {
  std::string drink = kind == Kind::water ? "water kefir" : "milk kefir";
  return drink + (stage == Stage::first ? " first fermentation" : " second fermentation");
}

std::optional<double> median_reference_hours(Kind kind, Stage stage,
                                             const std::vector<FinishedStage>& history, std::size_t& used) {
  std::vector<double> normalised;
  for (const auto& finished : history) {
    if (finished.kind != kind || finished.stage != stage) continue;
    if (!(finished.actual_hours > 0) || !std::isfinite(finished.actual_hours)) continue;
    normalised.push_back(finished.actual_hours / temperature_factor(finished.temperature_c));
  }
  used = normalised.size();
  if (normalised.size() < kMinCalibrationBatches) return std::nullopt;
  std::sort(normalised.begin(), normalised.end());
  const std::size_t middle = normalised.size() / 2;
  if (normalised.size() % 2 == 1) return normalised[middle];
  return (normalised[middle - 1] + normalised[middle]) / 2;
}

// Why the suggestions fall where they do, in the user's words.
std::string basis_text(const BatchSnapshot& batch, const Expectation& expected) {
  const auto bounds = bounds_for(batch.kind, batch.stage);
  const std::string at_temperature = " at " + format_temperature(batch.temperature_c);
  // At the reference temperature itself the second figure would only repeat the first.
  const bool at_reference = at_temperature == " at " + format_temperature(kReferenceTemperatureC);
  switch (expected.basis) {
    case Expectation::Basis::explicit_target:
      return "Uses this batch's target duration of " + format_hours(expected.hours) + ".";
    case Expectation::Basis::calibrated: {
      std::string text = "Calibrated from your " + std::to_string(expected.history_size) + " finished " +
                         stage_name(batch.kind, batch.stage) + "s: median " +
                         format_hours(expected.reference_hours) + " at 22 °C";
      if (!at_reference) text += ", so about " + format_hours(expected.hours) + at_temperature;
      if (expected.clamped) {
        text +=
            " (kept within " + format_hours(bounds.min_hours) + "-" + format_hours(bounds.max_hours) + ")";
      }
      return text + ".";
    }
    case Expectation::Basis::model:
      break;
  }
  std::string text = "A " + stage_name(batch.kind, batch.stage) + " takes about " +
                     format_hours(expected.reference_hours) + " at 22 °C";
  if (!at_reference) text += " and about " + format_hours(expected.hours) + at_temperature;
  text += " (fermentation speed doubles every 10 °C)";
  if (expected.clamped) {
    text += "; kept within " + format_hours(bounds.min_hours) + "-" + format_hours(bounds.max_hours);
  }
  return text + ".";
}

double hours_in(milliseconds span) {
  return std::chrono::duration<double, std::ratio<3600>>(span).count();
}

TimePoint after(TimePoint start, double hours) {
  return start + milliseconds(std::llround(hours * 3600.0 * 1000.0));
}

}  // namespace

DurationBounds bounds_for(Kind kind, Stage stage) {
  if (stage == Stage::second) return {24, 6, 72};
  if (kind == Kind::milk) return {24, 8, 48};
  return {48, 12, 72};
}

double temperature_factor(double temperature_c) {
  return std::pow(kQ10, (kReferenceTemperatureC - temperature_c) / 10.0);
}

Expectation expected_duration(const BatchSnapshot& batch, const std::vector<FinishedStage>& history) {
  Expectation expected;
  if (batch.target_hours) {
    expected.basis = Expectation::Basis::explicit_target;
    expected.hours = *batch.target_hours;
    expected.reference_hours = *batch.target_hours;
    return expected;
  }
  const auto bounds = bounds_for(batch.kind, batch.stage);
  expected.reference_hours = bounds.reference_hours;
  std::size_t used = 0;
  if (auto median = median_reference_hours(batch.kind, batch.stage, history, used)) {
    expected.basis = Expectation::Basis::calibrated;
    expected.reference_hours = *median;
    expected.history_size = used;
  }
  expected.hours = hours_at(batch, expected, batch.temperature_c);
  expected.clamped = expected.hours != expected.reference_hours * temperature_factor(batch.temperature_c);
  return expected;
}

double hours_at(const BatchSnapshot& batch, const Expectation& expected, double temperature_c) {
  if (expected.basis == Expectation::Basis::explicit_target) return expected.hours;
  const auto bounds = bounds_for(batch.kind, batch.stage);
  return std::clamp(expected.reference_hours * temperature_factor(temperature_c), bounds.min_hours,
                    bounds.max_hours);
}

ProgressCurve::ProgressCurve(const BatchSnapshot& batch, const std::vector<FinishedStage>& history,
                             const std::vector<TemperatureSample>& samples)
    : batch_(batch), expected_(expected_duration(batch, history)) {
  history_.push_back({batch.stage_started, batch.temperature_c});
  for (const auto& sample : samples) {
    measured_ = true;
    if (sample.time <= batch.stage_started) {
      history_.front().temperature_c = sample.temperature_c;
    } else if (sample.temperature_c != history_.back().temperature_c) {
      history_.push_back(sample);
    }
  }
}

double ProgressCurve::rate_per_hour(std::size_t segment) const {
  return 1.0 / hours_at(batch_, expected_, history_[segment].temperature_c);
}

double ProgressCurve::fraction_at(TimePoint t) const {
  double done = 0;
  for (std::size_t i = 0; i < history_.size() && history_[i].time < t; ++i) {
    const TimePoint end = i + 1 < history_.size() ? std::min(history_[i + 1].time, t) : t;
    done += hours_in(end - history_[i].time) * rate_per_hour(i);
  }
  return done;
}

TimePoint ProgressCurve::time_at_fraction(double fraction) const {
  double done = 0;
  for (std::size_t i = 0;; ++i) {
    const double rate = rate_per_hour(i);
    if (i + 1 == history_.size()) return after(history_[i].time, (fraction - done) / rate);
    const double step = hours_in(history_[i + 1].time - history_[i].time) * rate;
    if (done + step >= fraction) return after(history_[i].time, (fraction - done) / rate);
    done += step;
  }
}

std::optional<double> model_fraction(std::string_view suggestion_type) {
  if (suggestion_type == "midpoint_check" || suggestion_type == "carbonation_check") return 0.5;
  if (suggestion_type == "ready_to_bottle" || suggestion_type == "move_to_fridge") return 1.0;
  return std::nullopt;
}

std::vector<Suggestion> suggest(const BatchSnapshot& batch, const std::vector<FinishedStage>& history,
                                TimePoint now) {
  const Expectation expected = expected_duration(batch, history);
  const std::string basis = basis_text(batch, expected);
  const std::string total = format_hours(expected.hours);
  const TimePoint start = batch.stage_started;
  const TimePoint midpoint = after(start, expected.hours / 2);
  const TimePoint end = after(start, expected.hours);

  std::vector<Suggestion> all;
  if (batch.stage == Stage::first) {
    const bool water = batch.kind == Kind::water;
    all.push_back({"midpoint_check", midpoint,
                   water ? "Halfway check: taste your water kefir" : "Halfway check: look at your milk kefir",
                   "Halfway through the expected " + total + ". " + basis});
    all.push_back({"ready_to_bottle", end,
                   water ? "Your water kefir should be ready to bottle"
                         : "Your milk kefir should be ready: strain the grains and bottle it",
                   "End of the expected " + total + ": ready to bottle. " + basis});
  } else {
    all.push_back({"carbonation_check", midpoint, "Check the carbonation of your bottles",
                   "Halfway through the expected " + total + " in the bottle. " + basis});
    if (expected.hours > static_cast<double>(kBurpThreshold.count())) {
      // A burp that would coincide with the carbonation check or the end adds nothing: both open the bottles.
      const auto coincides = [&](TimePoint t) {
        return std::chrono::abs(t - midpoint) < hours(1) || end - t < hours(1);
      };
      for (TimePoint t = start + kBurpInterval; t < end; t += kBurpInterval) {
        if (coincides(t)) continue;
        all.push_back(
            {"burp_bottles", t, "Burp the bottles to release pressure",
             "Sealed bottles build pressure over a long second fermentation: open them briefly every " +
                 format_hours(static_cast<double>(kBurpInterval.count())) + ". " + basis});
      }
    }
    all.push_back({"move_to_fridge", end, "Ready — move the bottles to the fridge",
                   "End of the expected " + total + " in the bottle: cold stops the fermentation. " + basis});
  }

  std::stable_sort(all.begin(), all.end(), [](const Suggestion& a, const Suggestion& b) {
    return a.suggested_time < b.suggested_time;
  });
  std::erase_if(all, [now](const Suggestion& s) { return s.suggested_time <= now; });
  return all;
}

}  // namespace kefir::fermentation
