#pragma once
// Simulated sensors (issue 18, `kefir simulate-sensor`): a day of realistic temperatures for a jar in a given
// spot, for the README, demos and tests. Pure: the same profile and times always give the same readings.
#include <optional>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace kefir::readings {

struct SimulatedReading {
  TimePoint time;
  double temperature_c;
};

// "windowsill": 18 °C before dawn to 27 °C mid-afternoon (UTC hours), the swing of a jar by a sunny window;
// "cellar": a steady 19-20 °C; "heatmat": 24-25 °C with the mat's thermostat cycling.
inline constexpr std::string_view kProfiles = "windowsill, cellar, heatmat";
bool is_profile(std::string_view name);

// One reading every `step` from `from` (included) to `to` (excluded), with a little sensor noise.
std::vector<SimulatedReading> simulate(std::string_view profile, TimePoint from, TimePoint to, minutes step);

}  // namespace kefir::readings
