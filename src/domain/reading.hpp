#pragma once
// A sensor reading (issue 18): what the devices post, read into one normalised shape, and its stored item.
// Pure: no I/O. Formats, as the devices send them:
// - Brewfather Custom Stream JSON: name, temp, temp_unit (C/F/K), gravity, gravity_unit (G/P), ph, battery...
// - iSpindel / GravityMon HTTP post JSON: name, ID, angle, temperature, temp_units (C/F/K), gravity (and
//   GravityMon's gravity_unit/gravity_units G/P), battery, interval, RSSI...
// - Tilt cloud posts (form-encoded or JSON): Timepoint, Temp (°F, the Tilt's own unit), SG, Beer, Color...
// - plain: {temperature (°C), ph, gravity, time}; strict, unknown fields are refused.
// Device formats ignore fields they do not use (firmware adds fields); each value is checked against its
// physical range and a bad one is reported under the name the device gave it.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::readings {

enum class Format { brewfather, ispindel, tilt, plain };
std::string_view to_string(Format format);
std::optional<Format> parse_format(std::string_view text);

// Physical limits: a fermenting liquid between freezing brine and hot water, and what hydrometers measure.
inline constexpr double kMinTemperatureC = -10, kMaxTemperatureC = 60;
inline constexpr double kMinPh = 0, kMaxPh = 14;
inline constexpr double kMinSpecificGravity = 0.9, kMaxSpecificGravity = 1.2;
inline constexpr double kMinPlato = -5, kMaxPlato = 50;
inline constexpr double kMinBatteryV = 0, kMaxBatteryV = 10;
// A reading may be sent late (a device catching up, the simulator), never from the future beyond clock skew.
inline constexpr hours kMaxAge{24 * 30};
inline constexpr minutes kMaxClockSkew{5};
// Readings expire after 400 days; hourly roll-ups stay as long as the batch.
inline constexpr hours kReadingLifetime{24 * 400};

struct Reading {
  Format format = Format::plain;
  TimePoint time;
  std::optional<double> temperature_c;
  std::optional<double> ph;
  std::optional<double> gravity;
  std::string gravity_unit;  // "sg" or "plato" when gravity is set
  std::optional<double> battery_v;
};

struct Problem {
  std::string field;
  std::string problem;
};
class InvalidReading : public std::runtime_error {
 public:
  explicit InvalidReading(std::vector<Problem> problems)
      : std::runtime_error("invalid reading"), problems_(std::move(problems)) {}
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// The format a body is in, from the fields only a given device sends.
Format detect_format(const json::object& body);
// `body`: the JSON object, or a form post's fields as strings (Tilt). Throws InvalidReading naming every bad
// field; a reading needs at least one of temperature, pH or gravity.
Reading parse_reading(const json::object& body, std::optional<Format> format, TimePoint now);

double fahrenheit_to_celsius(double fahrenheit);

// The temperatures a culture is safe at: milk kefir 18-28 °C, water kefir 18-30 °C. Outside them a reading
// raises an alert, once, until a reading inside re-arms it; only fresh readings count (a late one tells of
// the past).
// A batch may set its own (domain::Batch::safe_range).
struct SafeRange {
  double low_c;
  double high_c;
  bool operator==(const SafeRange&) const = default;
};
SafeRange safe_range(std::string_view batch_kind);
inline constexpr minutes kAlertFreshness{10};
std::string alert_message(std::string_view batch_name, std::string_view batch_kind, SafeRange range,
                          double temperature_c);

// "2026-01-15T10:07:00.000Z": the minute a reading is stored under (and "...T10:00:00.000Z" for its hour).
std::string minute_of(TimePoint t);
std::string hour_of(TimePoint t);

// The store update of a reading: the fields it carries (set, so a second post in the same minute merges into
// the first, newest value winning) and a count of posts, which tells the caller whether it was the first.
store::Update reading_update(const Reading& reading, std::string_view sensor_id);
// The hourly roll-up: sums and counts per measure (means are sum / count).
store::Update rollup_update(const Reading& reading, std::string_view sensor_id);

// A stored reading as the API and the model see it.
struct StoredReading {
  std::string sensor_id;
  TimePoint time;
  std::optional<double> temperature_c;
  std::optional<double> ph;
  std::optional<double> gravity;
  std::string gravity_unit;
};
StoredReading reading_from_item(const store::Item& item);
json::object to_json(const StoredReading& reading);

}  // namespace kefir::readings
