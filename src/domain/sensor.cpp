#include "domain/sensor.hpp"

#include <algorithm>
#include <cctype>

#include "domain/keys.hpp"
#include "util/crypto.hpp"

namespace kefir::domain {

bool is_ingest_token(std::string_view token) {
  if (token.size() != kIngestTokenLength || !token.starts_with(kIngestTokenPrefix)) return false;
  for (unsigned char c : token.substr(kIngestTokenPrefix.size()))
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  return true;
}

std::string ingest_token_hash(std::string_view key, std::string_view token) {
  return crypto::hex_encode(crypto::hmac_sha256(key, token));
}

json::object to_json(const Sensor& sensor) {
  return {{"sensorId", sensor.sensor_id},
          {"name", sensor.name},
          {"batchId", sensor.batch_id ? json::value(*sensor.batch_id) : nullptr},
          {"createdAt", format_rfc3339(sensor.created_at)},
          {"updatedAt", format_rfc3339(sensor.updated_at)}};
}

store::Item to_item(const Sensor& sensor) {
  auto key = keys::sensor(sensor.user_id, sensor.sensor_id);
  store::Item item{{"PK", key.pk},
                   {"SK", key.sk},
                   {"userId", sensor.user_id},
                   {"sensorId", sensor.sensor_id},
                   {"name", sensor.name},
                   {"tokenHash", sensor.token_hash},
                   {"createdAt", format_rfc3339(sensor.created_at)},
                   {"updatedAt", format_rfc3339(sensor.updated_at)},
                   {"version", sensor.version}};
  if (sensor.batch_id) item["batchId"] = *sensor.batch_id;
  return item;
}

Sensor sensor_from_item(const store::Item& item) {
  Sensor sensor;
  sensor.user_id = json_string(item, "userId");
  sensor.sensor_id = json_string(item, "sensorId");
  sensor.name = json_string(item, "name");
  if (item.contains("batchId")) sensor.batch_id = json_string(item, "batchId");
  sensor.token_hash = json_string(item, "tokenHash");
  sensor.created_at = parse_rfc3339(json_string(item, "createdAt")).value_or(TimePoint{});
  sensor.updated_at = parse_rfc3339(json_string(item, "updatedAt")).value_or(sensor.created_at);
  sensor.version = json_int(item, "version").value_or(1);
  return sensor;
}

std::chrono::seconds watch_refresh_period(std::chrono::seconds silence) {
  return std::min<std::chrono::seconds>(std::chrono::minutes(1), silence);
}

TimePoint silent_at(TimePoint refreshed_at, std::chrono::seconds silence) {
  return refreshed_at + silence + watch_refresh_period(silence);
}

bool needs_watch_refresh(const SensorClaim& claim, TimePoint now, std::chrono::seconds silence) {
  if (!claim.batch_id) return false;
  return claim.silent || !claim.watch_refreshed_at ||
         now - *claim.watch_refreshed_at >= watch_refresh_period(silence);
}

store::Update watch_refresh(std::string_view sensor_id, TimePoint now, std::chrono::seconds silence) {
  store::Update update;
  update.set["GSI1PK"] = keys::silence_shard(sensor_id);
  update.set["GSI1SK"] = keys::silence_gsi1sk(format_rfc3339(silent_at(now, silence)), sensor_id);
  update.set[std::string(kWatchRefreshedAttribute)] = format_rfc3339(now);
  update.remove.emplace_back(kSilentAttribute);
  return update;
}

store::Update mark_silent() {
  store::Update update;
  update.set[std::string(kSilentAttribute)] = true;
  update.remove = {"GSI1PK", "GSI1SK"};
  return update;
}

std::string silence_message(std::string_view sensor_name, std::string_view batch_name,
                            std::chrono::seconds silence) {
  const auto count = silence.count();
  const std::string span = count % 3600 == 0 ? std::to_string(count / 3600) + " h"
                           : count % 60 == 0 ? std::to_string(count / 60) + " min"
                                             : std::to_string(count) + " s";
  return std::string(sensor_name) + " on " + std::string(batch_name) + " has sent nothing for " + span;
}

store::Item token_claim_item(const Sensor& sensor, TimePoint now, std::chrono::seconds silence) {
  auto key = keys::sensor_token_claim(sensor.token_hash);
  store::Item item{
      {"PK", key.pk}, {"SK", key.sk}, {"userId", sensor.user_id}, {"sensorId", sensor.sensor_id}};
  if (!sensor.batch_id) return item;
  item["batchId"] = *sensor.batch_id;
  for (const auto& [name, value] : watch_refresh(sensor.sensor_id, now, silence).set) item[name] = value;
  return item;
}

SensorClaim claim_from_item(const store::Item& item) {
  SensorClaim claim{json_string(item, "userId"), json_string(item, "sensorId"), std::nullopt,
                    json_bool(item, kAlertingAttribute)};
  if (item.contains("batchId")) claim.batch_id = json_string(item, "batchId");
  if (item.contains(kWatchRefreshedAttribute))
    claim.watch_refreshed_at = parse_rfc3339(json_string(item, kWatchRefreshedAttribute));
  claim.silent = json_bool(item, kSilentAttribute);
  return claim;
}

}  // namespace kefir::domain
