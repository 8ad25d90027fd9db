// `kefir simulate-sensor`: a day of readings from a simulated thermometer, posted in the plain format.
#include <thread>

#include "adapters/aws/http_client.hpp"
#include "domain/sensor_profile.hpp"
#include "ops/commands.hpp"
#include "util/json.hpp"

namespace kefir::ops {
namespace {

constexpr minutes kStep{15};
constexpr int kMaxThrottledWaits = 20;

std::chrono::seconds retry_after(const net::HttpResponse& response) {
  try {
    return std::chrono::seconds(std::max(1, std::stoi(std::string(response.header("retry-after")))));
  } catch (const std::exception&) {
    return std::chrono::seconds(1);
  }
}

}  // namespace

void simulate_sensor_command(const std::string& url, const std::string& profile, int hours,
                             std::ostream& out) {
  if (!readings::is_profile(profile))
    throw CommandError("simulate-sensor: unknown profile " + profile + " (" +
                       std::string(readings::kProfiles) + ")");
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw CommandError("simulate-sensor: the URL must be an ingest URL, http(s)://.../ingest/<token>");
  const TimePoint now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  const TimePoint from = std::chrono::ceil<minutes>(now - std::chrono::hours(hours));
  net::HttpClient client;
  const http::Headers headers = {{"content-type", "application/json"}};
  std::size_t stored = 0, merged = 0;
  double low = 1e9, high = -1e9;
  for (const auto& reading : readings::simulate(profile, from, now, kStep)) {
    const auto body = json::serialize(
        json::object{{"temperature", reading.temperature_c}, {"time", format_rfc3339(reading.time)}});
    net::HttpResponse response;
    for (int waits = 0;; ++waits) {
      response = client.send("POST", url, headers, body);
      if (response.status != 429 || waits == kMaxThrottledWaits) break;
      std::this_thread::sleep_for(retry_after(response));
    }
    if (response.status != 201 && response.status != 202)
      throw CommandError("simulate-sensor: HTTP " + std::to_string(response.status) + " for the reading at " +
                         format_rfc3339(reading.time) + ": " + response.body);
    (response.status == 201 ? stored : merged) += 1;
    low = std::min(low, reading.temperature_c);
    high = std::max(high, reading.temperature_c);
  }
  out << "simulate-sensor: " << profile << ", " << stored + merged << " readings from "
      << format_rfc3339(from) << " (" << stored << " stored, " << merged
      << " accepted without a new reading), " << low << "-" << high << " °C\n";
}

}  // namespace kefir::ops
