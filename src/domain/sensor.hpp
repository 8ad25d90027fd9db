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
  std::optional<TimePoint> watch_refreshed_at;  // when ingest last moved its silence watch
  bool silent = false;                          // it went silent and the alert was sent
};
inline constexpr std::string_view kAlertingAttribute = "alerting";
inline constexpr std::string_view kSilentAttribute = "silent";
inline constexpr std::string_view kWatchRefreshedAttribute = "watchRefreshedAt";

// The silence watch: an attached sensor's claim is in the sparse GSI1 under keys::silence_shard, sorted by
// when the sensor counts as silent, so a sweep queries what is due instead of scanning. Ingest moves the
// watch at most once per refresh period (a claim write costs as much as the reading's), so the last reading
// may be up to a period newer than the watch says; the period is added to the deadline so that no alert comes
// before `silence` has really passed.
std::chrono::seconds watch_refresh_period(std::chrono::seconds silence);
TimePoint silent_at(TimePoint refreshed_at, std::chrono::seconds silence);
// Whether a reading arriving `now` must move the claim's watch: attached and never watched, silent (the
// reading re-arms the alert) or last moved a refresh period ago or more.
bool needs_watch_refresh(const SensorClaim& claim, TimePoint now, std::chrono::seconds silence);
// Moves the watch to `now` and re-arms the silence alert.
store::Update watch_refresh(std::string_view sensor_id, TimePoint now, std::chrono::seconds silence);
// Takes the claim off the watch and marks it silent (the alert is sent).
store::Update mark_silent();
// What the silence alert says, e.g. "Jar probe on Milk jar has sent nothing for 2 h".
std::string silence_message(std::string_view sensor_name, std::string_view batch_name,
                            std::chrono::seconds silence);

// A fresh claim: an attached sensor is watched from `now` on, with every alert re-armed.
store::Item token_claim_item(const Sensor& sensor, TimePoint now, std::chrono::seconds silence);
SensorClaim claim_from_item(const store::Item& item);

}  // namespace kefir::domain
