#pragma once
// A sensor (issue 18): a thermometer, hydrometer or pH probe that posts readings to its own secret ingest
// URL. The token is shown once; only its keyed hash is stored, in the sensor item and in the SENSORTOKEN#
// claim that ingest reads (one get: owner, sensor, attached batch). Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {

inline constexpr std::size_t kMaxSensorsPerUser = 20;
inline constexpr std::size_t kMaxSensorNameChars = 100;
// "kst_" and 43 base64url characters (32 random bytes).
inline constexpr std::string_view kIngestTokenPrefix = "kst_";
inline constexpr std::size_t kIngestTokenLength = 47;

struct Sensor {
  std::string user_id;
  std::string sensor_id;
  std::string name;
  std::optional<std::string> batch_id;  // the active batch its readings go to
  std::string token_hash;               // hex HMAC-SHA256 of the token under the derived "sensor-token" key
  TimePoint created_at;
  TimePoint updated_at;
  std::int64_t version = 1;  // every write conditions on it and bumps it
};

// Whether `token` has the shape of an ingest token (anything else is refused before any store access).
bool is_ingest_token(std::string_view token);
// The keyed hash under which a token is stored and looked up.
std::string ingest_token_hash(std::string_view key, std::string_view token);

json::object to_json(const Sensor& sensor);  // never the token or its hash
store::Item to_item(const Sensor& sensor);
Sensor sensor_from_item(const store::Item& item);

// Who a token belongs to, as its claim item says.
struct SensorClaim {
  std::string user_id;
  std::string sensor_id;
  std::optional<std::string> batch_id;
  bool alerting = false;  // its last fresh reading was outside the batch's safe range (alert sent)
};
inline constexpr std::string_view kAlertingAttribute = "alerting";
store::Item token_claim_item(const Sensor& sensor);
SensorClaim claim_from_item(const store::Item& item);

}  // namespace kefir::domain
