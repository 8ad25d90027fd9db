#pragma once
// The fermentation model behind reminder suggestions (SPEC §5). Pure: no storage, no clock; the caller passes
// the batch, the user's finished batches and "now".
//
// Fermentation speed doubles every 10 °C (Q10 = 2) around 22 °C, so the expected duration at T is
// reference × 2^((22 − T) / 10), clamped to what the culture tolerates. A batch's explicit target duration
// overrides the model; once the user has finished at least 3 batches of the same kind and stage, the median
// of their durations (normalised to 22 °C) replaces the textbook reference.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace kefir::fermentation {

enum class Kind { water, milk };
enum class Stage { first, second };  // stage1_open (jar), stage2_bottled (sealed bottles)

inline constexpr double kReferenceTemperatureC = 22.0;
inline constexpr double kQ10 = 2.0;
inline constexpr std::size_t kMinCalibrationBatches = 3;
// Second fermentations longer than this get "burp the bottles" checks every kBurpInterval.
inline constexpr hours kBurpThreshold{36};
inline constexpr hours kBurpInterval{24};

struct DurationBounds {
  double reference_hours;  // expected at 22 °C
  double min_hours;
  double max_hours;
};
DurationBounds bounds_for(Kind kind, Stage stage);

// How much longer (> 1) or shorter (< 1) fermentation takes at `temperature_c` than at 22 °C.
double temperature_factor(double temperature_c);

// A batch of the user's that went through the stage: how long it took, at which temperature.
struct FinishedStage {
  Kind kind;
  Stage stage;
  double temperature_c;
  double actual_hours;
};

struct BatchSnapshot {
  Kind kind = Kind::water;
  Stage stage = Stage::first;
  TimePoint stage_started;
  double temperature_c = kReferenceTemperatureC;
  std::optional<double> target_hours;  // targetDuration (stage 1) or stage2TargetDuration (stage 2)
};

struct Expectation {
  enum class Basis { model, calibrated, explicit_target };
  Basis basis = Basis::model;
  double hours = 0;              // expected duration of the current stage at the batch's temperature
  double reference_hours = 0;    // the 22 °C figure used (textbook or the user's median)
  std::size_t history_size = 0;  // finished batches the calibration used
  bool clamped = false;
};
Expectation expected_duration(const BatchSnapshot& batch, const std::vector<FinishedStage>& history);

// Hours the stage takes at a constant `temperature_c` on the expectation's basis (an explicit target does not
// depend on temperature), kept within the stage's bounds as expected_duration() does.
double hours_at(const BatchSnapshot& batch, const Expectation& expected, double temperature_c);

// The measured model (issue 18): progress is the integral of the fermentation rate 1 / hours_at(T(t)) over
// the measured temperature history, each reading held until the next one, the batch's own temperature before
// the first, and the last one held into the future. At a constant temperature it ends when
// expected_duration() says.
struct TemperatureSample {
  TimePoint time;
  double temperature_c = kReferenceTemperatureC;
};
class ProgressCurve {
 public:
  // `samples` in time order; those before the stage started only set the temperature it started at.
  ProgressCurve(const BatchSnapshot& batch, const std::vector<FinishedStage>& history,
                const std::vector<TemperatureSample>& samples);

  double fraction_at(TimePoint t) const;              // 0 at the stage start, 1 at its expected end
  TimePoint time_at_fraction(double fraction) const;  // when the fraction is reached
  // The temperature history used: where each held temperature begins, from the stage start.
  const std::vector<TemperatureSample>& history() const { return history_; }
  bool measured() const { return measured_; }  // a reading set at least part of the history
  const Expectation& expectation() const { return expected_; }

 private:
  double rate_per_hour(std::size_t segment) const;

  BatchSnapshot batch_;
  Expectation expected_;
  std::vector<TemperatureSample> history_;
  bool measured_ = false;
};

// The share of the stage a suggestion of this type marks (0.5 halfway, 1 the end), or nullopt for the ones
// that do not follow the fermentation (burping is every 24 h whatever the temperature).
std::optional<double> model_fraction(std::string_view suggestion_type);

struct Suggestion {
  std::string type;
  TimePoint suggested_time;
  std::string message;
  std::string description;
};
// Suggestions of the current stage, by time; those at or before `now` are left out.
std::vector<Suggestion> suggest(const BatchSnapshot& batch, const std::vector<FinishedStage>& history,
                                TimePoint now);

}  // namespace kefir::fermentation
