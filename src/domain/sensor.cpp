#include "domain/sensor.hpp"

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

store::Item token_claim_item(const Sensor& sensor) {
  auto key = keys::sensor_token_claim(sensor.token_hash);
  store::Item item{
      {"PK", key.pk}, {"SK", key.sk}, {"userId", sensor.user_id}, {"sensorId", sensor.sensor_id}};
  if (sensor.batch_id) item["batchId"] = *sensor.batch_id;
  return item;
}

SensorClaim claim_from_item(const store::Item& item) {
  SensorClaim claim{json_string(item, "userId"), json_string(item, "sensorId"), std::nullopt,
                    json_bool(item, kAlertingAttribute)};
  if (item.contains("batchId")) claim.batch_id = json_string(item, "batchId");
  return claim;
}

}  // namespace kefir::domain
