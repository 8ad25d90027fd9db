#include "domain/sensor_profile.hpp"

#include <cmath>
#include <numbers>

namespace kefir::readings {
namespace {

double hour_of_day(TimePoint t) {
  auto since_midnight = t - std::chrono::floor<std::chrono::days>(t);
  return std::chrono::duration<double, std::ratio<3600>>(since_midnight).count();
}

// Deterministic noise in [-amplitude, amplitude] from the time: a simulated probe's last-digit jitter.
double jitter(TimePoint t, double amplitude) {
  auto minute = static_cast<std::uint64_t>(epoch_seconds(t) / 60);
  std::uint64_t x = minute * 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return amplitude * (static_cast<double>(x % 2001) / 1000.0 - 1.0);
}

double round_to_tenth(double value) {
  return std::round(value * 10) / 10;
}

double temperature(std::string_view profile, TimePoint t) {
  const double hour = hour_of_day(t);
  if (profile == "cellar")
    return 19.5 + 0.4 * std::sin(2 * std::numbers::pi * (hour - 10) / 24) + jitter(t, 0.1);
  if (profile == "heatmat") {
    // The thermostat switches every 40 minutes between heating and resting.
    const double phase = std::fmod(static_cast<double>(epoch_seconds(t)) / 60.0, 80.0) / 80.0;
    return 24.5 + 0.5 * std::sin(2 * std::numbers::pi * phase) + jitter(t, 0.1);
  }
  // The windowsill: coldest at 04:00, warmest at 15:00; a cosine over the 11 h rise and the 13 h fall.
  constexpr double kMin = 18.2, kMax = 26.8, kColdest = 4, kWarmest = 15;
  double shape;
  if (hour >= kColdest && hour < kWarmest) {
    shape = (1 - std::cos(std::numbers::pi * (hour - kColdest) / (kWarmest - kColdest))) / 2;
  } else {
    const double since_warmest = std::fmod(hour - kWarmest + 24, 24);
    shape = (1 + std::cos(std::numbers::pi * since_warmest / (24 - (kWarmest - kColdest)))) / 2;
  }
  return kMin + (kMax - kMin) * shape + jitter(t, 0.15);
}

}  // namespace

bool is_profile(std::string_view name) {
  return name == "windowsill" || name == "cellar" || name == "heatmat";
}

std::vector<SimulatedReading> simulate(std::string_view profile, TimePoint from, TimePoint to, minutes step) {
  std::vector<SimulatedReading> out;
  for (TimePoint t = from; t < to; t += step) out.push_back({t, round_to_tenth(temperature(profile, t))});
  return out;
}

}  // namespace kefir::readings
