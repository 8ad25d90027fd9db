#pragma once
// Sensors and their readings (issue 18): a user's sensors with their secret ingest tokens (stored only as a
// keyed hash, in the sensor and in the SENSORTOKEN# claim), attaching a sensor to one of the user's active
// batches, ingest (one get of the claim, the reading merged into its minute, the hourly roll-up), and the
// measured progress of a batch, which re-times the reminders that follow the fermentation.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/batch.hpp"
#include "domain/chart.hpp"
#include "domain/fermentation_model.hpp"
#include "domain/reading.hpp"
#include "domain/sensor.hpp"
#include "services/context.hpp"
#include "services/paged_query.hpp"

namespace kefir::services {

// A sensor with its token, which is only ever shown here (create and rotate).
struct SensorWithToken {
  domain::Sensor sensor;
  std::string token;
};

// 409 beyond kMaxSensorsPerUser.
SensorWithToken create_sensor(ServiceContext& ctx, const std::string& user_id, const std::string& name);

struct SensorPage {
  std::vector<domain::Sensor> sensors;
  std::optional<std::string> next_cursor;
};
SensorPage list_sensors(ServiceContext& ctx, const std::string& user_id, const PageRequest& page);

// 404 when the user has no such sensor.
domain::Sensor get_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id);

struct SensorChanges {
  std::optional<std::string> name;
  // Absent: unchanged; nullopt inside: detach; a value: attach to that batch, which must be one of the user's
  // active batches (404 otherwise; 409 when it is not active).
  std::optional<std::optional<std::string>> batch_id;
};
domain::Sensor update_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id,
                             const SensorChanges& changes);
// A new token; the old one stops working at once.
SensorWithToken rotate_sensor_token(ServiceContext& ctx, const std::string& user_id,
                                    std::string_view sensor_id);
// Revokes the token with the sensor. The readings stay with their batch.
void delete_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id);

struct IngestResult {
  std::string sensor_id;
  std::optional<std::string> batch_id;  // where the reading went; nullopt: the sensor is not attached
  bool merged = false;                  // an earlier post of the same minute was there
  readings::Reading reading;
};
// The keyed hash of an ingest token (what the claim is stored under; also the rate limiter's key), computed
// once per post. 401 for what is not an ingest token.
std::string ingest_token_hash(ServiceContext& ctx, std::string_view token);
// The token given by its hash: 401 for an unknown or revoked one. The reading goes to the batch the sensor is
// attached to now.
IngestResult ingest_reading(ServiceContext& ctx, std::string_view token_hash,
                            const readings::Reading& reading);

struct BatchProgress {
  fermentation::ProgressCurve curve;
  double fraction;
  std::size_t readings_used;
};
// The batch's current stage measured against its readings; 404 when the batch is not the user's.
BatchProgress batch_progress(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id);

// The readings of the user's batch in time order; 404 when the batch is not the user's.
std::vector<readings::StoredReading> batch_readings(ServiceContext& ctx, const std::string& user_id,
                                                    std::string_view batch_id);

// Whether the batch has any reading (the public page shows its chart then).
bool has_readings(ServiceContext& ctx, std::string_view batch_id);
// The batch's chart: its readings, stage changes and reminders, from its start (or its first reading) to now
// (or its last reminder).
chart::Chart batch_chart(ServiceContext& ctx, const domain::Batch& batch);

// The silence sweep: every attached sensor whose watch is due (no reading for more than SENSOR_SILENCE)
// alerts once, as an out-of-range reading does, until a reading re-arms it; returns how many alerted. Run
// periodically by `kefir serve` and before each reminder pass of the Lambda scheduler, so the alert's
// reminder goes out in the same pass.
std::size_t alert_silent_sensors(ServiceContext& ctx);

void register_sensor_hooks(ServiceContext& ctx);

}  // namespace kefir::services
