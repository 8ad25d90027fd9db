#include "domain/reading.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kefir::readings {
namespace {

constexpr std::array<std::pair<Format, std::string_view>, 4> kFormats = {{
    {Format::brewfather, "brewfather"},
    {Format::ispindel, "ispindel"},
    {Format::tilt, "tilt"},
    {Format::plain, "plain"},
}};

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string format_limit(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// Reads the fields of one body, collecting every problem under the device's own field names.
class FieldReader {
 public:
  FieldReader(const json::object& body, bool numbers_as_text)
      : body_(body), numbers_as_text_(numbers_as_text) {}

  std::optional<double> number(std::string_view name) {
    const auto* value = body_.if_contains(name);
    if (!value || value->is_null()) return std::nullopt;
    if (value->is_number()) {
      double number = value->to_number<double>();
      if (std::isfinite(number)) return number;
    } else if (numbers_as_text_ && value->is_string() && !value->get_string().empty()) {
      std::string text(value->get_string());
      char* end = nullptr;
      double number = std::strtod(text.c_str(), &end);
      if (end == text.c_str() + text.size() && std::isfinite(number)) return number;
    }
    problem(name, "must be a number");
    return std::nullopt;
  }

  std::optional<std::string> text(std::string_view name) {
    const auto* value = body_.if_contains(name);
    if (!value || value->is_null()) return std::nullopt;
    if (value->is_string()) return std::string(value->get_string());
    problem(name, "must be a string");
    return std::nullopt;
  }

  // A temperature in the unit `unit_field` names (C, F or K; C when absent), in °C.
  std::optional<double> temperature(std::string_view name, std::string_view unit_field,
                                    std::string_view default_unit = "C") {
    auto value = number(name);
    auto unit = unit_field.empty() ? std::nullopt : text(unit_field);
    auto unit_name = upper(unit.value_or(std::string(default_unit)));
    if (unit_name != "C" && unit_name != "F" && unit_name != "K") {
      problem(unit_field, "must be C, F or K");
      return std::nullopt;
    }
    if (!value) return std::nullopt;
    double celsius = unit_name == "F"   ? fahrenheit_to_celsius(*value)
                     : unit_name == "K" ? *value - 273.15
                                        : *value;
    return in_range(name, celsius, kMinTemperatureC, kMaxTemperatureC, " °C");
  }

  // Specific gravity or degrees Plato, as `unit_field` says (G or SG, P; SG when absent).
  void gravity(std::string_view name, std::initializer_list<std::string_view> unit_fields, Reading& reading) {
    auto value = number(name);
    std::string_view unit_field;
    std::optional<std::string> unit;
    for (auto field : unit_fields) {
      if ((unit = text(field))) {
        unit_field = field;
        break;
      }
    }
    auto unit_name = upper(unit.value_or("G"));
    const bool plato = unit_name == "P" || unit_name == "PLATO";
    if (!plato && unit_name != "G" && unit_name != "SG") {
      problem(unit_field, "must be G (specific gravity) or P (degrees Plato)");
      return;
    }
    if (!value) return;
    reading.gravity = plato ? in_range(name, *value, kMinPlato, kMaxPlato, " °P")
                            : in_range(name, *value, kMinSpecificGravity, kMaxSpecificGravity, "");
    if (reading.gravity) reading.gravity_unit = plato ? "plato" : "sg";
  }

  std::optional<double> ranged(std::string_view name, double min, double max, std::string_view unit) {
    auto value = number(name);
    if (!value) return std::nullopt;
    return in_range(name, *value, min, max, unit);
  }

  void problem(std::string_view field, std::string text) {
    problems_.push_back({std::string(field), std::move(text)});
  }
  std::vector<Problem>& problems() { return problems_; }

 private:
  std::optional<double> in_range(std::string_view name, double value, double min, double max,
                                 std::string_view unit) {
    if (value >= min && value <= max) return value;
    problem(name, "must be between " + format_limit(min) + " and " + format_limit(max) + std::string(unit));
    return std::nullopt;
  }

  const json::object& body_;
  bool numbers_as_text_;
  std::vector<Problem> problems_;
};

void read_plain(const json::object& body, FieldReader& fields, Reading& reading, TimePoint now) {
  for (const auto& [name, value] : body) {
    if (name != "temperature" && name != "ph" && name != "gravity" && name != "time")
      fields.problem(name, "unknown field");
  }
  reading.temperature_c = fields.temperature("temperature", "");
  reading.ph = fields.ranged("ph", kMinPh, kMaxPh, "");
  fields.gravity("gravity", {}, reading);
  if (auto time = fields.text("time")) {
    auto parsed = parse_rfc3339(*time);
    if (!parsed) {
      fields.problem("time", "must be an RFC 3339 timestamp");
    } else if (*parsed > now + kMaxClockSkew) {
      fields.problem("time", "must not be in the future");
    } else if (*parsed < now - kMaxAge) {
      fields.problem("time", "must be at most 30 days old");
    } else {
      reading.time = *parsed;
    }
  }
}

}  // namespace

std::string_view to_string(Format format) {
  for (const auto& [value, name] : kFormats)
    if (value == format) return name;
  return "plain";
}

std::optional<Format> parse_format(std::string_view text) {
  for (const auto& [value, name] : kFormats)
    if (name == text) return value;
  return std::nullopt;
}

double fahrenheit_to_celsius(double fahrenheit) {
  return (fahrenheit - 32) * 5 / 9;
}

SafeRange safe_range(std::string_view batch_kind) {
  return batch_kind == "milk" ? SafeRange{18, 28} : SafeRange{18, 30};
}

std::string alert_message(std::string_view batch_name, std::string_view batch_kind, SafeRange range,
                          double temperature_c) {
  char text[128];
  std::snprintf(text, sizeof text, " is at %.1f °C, outside the safe %g-%g °C for %s kefir", temperature_c,
                range.low_c, range.high_c, batch_kind == "milk" ? "milk" : "water");
  return std::string(batch_name) + text;
}

Format detect_format(const json::object& body) {
  if (body.contains("Timepoint") || body.contains("SG") || body.contains("Temp")) return Format::tilt;
  if (body.contains("temp") || body.contains("temp_unit")) return Format::brewfather;
  if (body.contains("angle") || body.contains("ID") || body.contains("temp_units")) return Format::ispindel;
  return Format::plain;
}

Reading parse_reading(const json::object& body, std::optional<Format> format, TimePoint now) {
  Reading reading;
  reading.format = format.value_or(detect_format(body));
  reading.time = now;
  FieldReader fields(body, reading.format == Format::tilt);
  switch (reading.format) {
    case Format::brewfather:
      reading.temperature_c = fields.temperature("temp", "temp_unit");
      fields.gravity("gravity", {"gravity_unit"}, reading);
      reading.ph = fields.ranged("ph", kMinPh, kMaxPh, "");
      reading.battery_v = fields.ranged("battery", kMinBatteryV, kMaxBatteryV, " V");
      break;
    case Format::ispindel:
      reading.temperature_c = fields.temperature("temperature", "temp_units");
      fields.gravity("gravity", {"gravity_unit", "gravity_units"}, reading);
      reading.battery_v = fields.ranged("battery", kMinBatteryV, kMaxBatteryV, " V");
      break;
    case Format::tilt:
      // The Tilt app posts its Timepoint in the phone's local time without a zone: the arrival time is used.
      reading.temperature_c = fields.temperature("Temp", "", "F");
      fields.gravity("SG", {}, reading);
      break;
    case Format::plain:
      read_plain(body, fields, reading, now);
      break;
  }
  auto& problems = fields.problems();
  if (problems.empty() && !reading.temperature_c && !reading.ph && !reading.gravity)
    problems.push_back({"body", "a reading needs a temperature, a pH or a gravity"});
  if (!problems.empty()) throw InvalidReading(std::move(problems));
  return reading;
}

std::string minute_of(TimePoint t) {
  return format_rfc3339(std::chrono::floor<minutes>(t));
}

std::string hour_of(TimePoint t) {
  return format_rfc3339(std::chrono::floor<hours>(t));
}

store::Update reading_update(const Reading& reading, std::string_view sensor_id) {
  store::Update update;
  update.set = {{"sensorId", std::string(sensor_id)},
                {"time", format_rfc3339(reading.time)},
                {"format", to_string(reading.format)},
                {"TTL", epoch_seconds(reading.time + kReadingLifetime)}};
  if (reading.temperature_c) update.set["temperatureC"] = *reading.temperature_c;
  if (reading.ph) update.set["ph"] = *reading.ph;
  if (reading.gravity) {
    update.set["gravity"] = *reading.gravity;
    update.set["gravityUnit"] = reading.gravity_unit;
  }
  if (reading.battery_v) update.set["batteryV"] = *reading.battery_v;
  update.add.emplace_back("posts", 1);
  return update;
}

store::Update rollup_update(const Reading& reading, std::string_view sensor_id) {
  store::Update update;
  update.set = {{"sensorId", std::string(sensor_id)}, {"hour", hour_of(reading.time)}};
  // Sums in thousandths: the store's atomic ADD is on integers.
  auto add = [&](std::string_view name, const std::optional<double>& value) {
    if (!value) return;
    update.add.emplace_back(std::string(name) + "Count", 1);
    update.add.emplace_back(std::string(name) + "SumMilli", std::llround(*value * 1000));
  };
  add("temperatureC", reading.temperature_c);
  add("ph", reading.ph);
  if (reading.gravity) {
    add("gravity", reading.gravity);
    update.set["gravityUnit"] = reading.gravity_unit;
  }
  return update;
}

StoredReading reading_from_item(const store::Item& item) {
  return {json_string(item, "sensorId"),     parse_rfc3339(json_string(item, "time")).value_or(TimePoint{}),
          json_number(item, "temperatureC"), json_number(item, "ph"),
          json_number(item, "gravity"),      json_string(item, "gravityUnit")};
}

json::object to_json(const StoredReading& reading) {
  auto optional = [](const std::optional<double>& value) { return value ? json::value(*value) : nullptr; };
  return {{"sensorId", reading.sensor_id},
          {"time", format_rfc3339(reading.time)},
          {"temperatureC", optional(reading.temperature_c)},
          {"ph", optional(reading.ph)},
          {"gravity", optional(reading.gravity)},
          {"gravityUnit", reading.gravity ? json::value(reading.gravity_unit) : nullptr}};
}

}  // namespace kefir::readings
