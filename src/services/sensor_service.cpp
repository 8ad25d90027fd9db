#include "services/sensor_service.hpp"

#include "services/change_log.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "domain/errors.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"
#include "services/auth_service.hpp"
#include "services/batch_service.hpp"
#include "services/event_service.hpp"
#include "services/reminder_service.hpp"
#include "util/crypto.hpp"
#include "util/log.hpp"

namespace kefir::services {
namespace {

// Each attempt re-reads; losing this often to concurrent writers of the same sensor ends in 409.
constexpr int kMaxWriteAttempts = 8;
// Claims read per query of the silence watch.
constexpr std::size_t kSilenceSweepPage = 100;

domain::Error sensor_not_found() {
  return domain::not_found("sensor not found");
}

domain::Error unknown_token() {
  return domain::unauthorized("unknown or revoked ingest token");
}

store::Query sensors_query(const std::string& user_id) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kSensorPrefix), {}};
  return query;
}

std::string new_token() {
  return std::string(domain::kIngestTokenPrefix) + crypto::base64url_encode(crypto::random_bytes(32));
}

std::chrono::seconds sensor_silence(const ServiceContext& ctx) {
  return std::chrono::seconds(ctx.config.sensor_silence);
}

store::Item claim_item(ServiceContext& ctx, const domain::Sensor& sensor) {
  return domain::token_claim_item(sensor, ctx.now(), sensor_silence(ctx));
}

store::Condition at_version(const domain::Sensor& sensor) {
  return store::Condition::equals("version", sensor.version);
}

store::Condition claimed_by(const domain::Sensor& sensor) {
  return store::Condition::all_of({store::Condition::equals("userId", json::string(sensor.user_id)),
                                   store::Condition::equals("sensorId", json::string(sensor.sensor_id))});
}

// Read-modify-write of a sensor and its claim: `edit` changes the copy it is given and may add writes
// (checked first, so their failing index is known). A concurrent change is retried.
using SensorEdit = std::function<void(domain::Sensor& sensor, std::vector<store::WriteOp>& checks)>;
using CheckFailed = std::function<void(const domain::Sensor& sensor)>;

domain::Sensor modify_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id,
                             const SensorEdit& edit, const CheckFailed& check_failed = {}) {
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    const auto current = get_sensor(ctx, user_id, sensor_id);
    auto next = current;
    std::vector<store::WriteOp> writes;
    edit(next, writes);
    const auto checks = writes.size();
    next.updated_at = ctx.now();
    next.version = current.version + 1;
    writes.push_back(store::Put{domain::to_item(next), at_version(current)});
    if (next.token_hash == current.token_hash) {
      writes.push_back(store::Put{claim_item(ctx, next), claimed_by(current)});
    } else {
      writes.push_back(store::Delete{keys::sensor_token_claim(current.token_hash), claimed_by(current)});
      writes.push_back(store::Put{claim_item(ctx, next), store::Condition::item_absent()});
    }
    try {
      ctx.store->transact_write(writes);
      return next;
    } catch (const store::ConditionFailed& failed) {
      if (failed.index() >= 0 && static_cast<std::size_t>(failed.index()) < checks && check_failed)
        check_failed(next);
    }
  }
  throw domain::conflict("the sensor is being changed by another request; retry");
}

store::Query readings_query(std::string_view batch_id) {
  store::Query query;
  query.partition = keys::events_pk(batch_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kReadingPrefix), {}};
  return query;
}

std::vector<readings::StoredReading> readings_of(ServiceContext& ctx, std::string_view batch_id) {
  std::vector<readings::StoredReading> out;
  for (const auto& item : ctx.store->query(readings_query(batch_id)).items)
    out.push_back(readings::reading_from_item(item));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  return out;
}

// The temperature readings that shaped the batch's current stage: the last one before it started, and every
// one since, in time order.
std::vector<fermentation::TemperatureSample> temperature_samples(ServiceContext& ctx,
                                                                 std::string_view batch_id,
                                                                 TimePoint stage_started) {
  const std::string prefix(keys::kReadingPrefix);
  const std::string start = prefix + readings::minute_of(stage_started);
  store::Query before;
  before.partition = keys::events_pk(batch_id);
  before.sort = {store::SortOp::between, prefix, start};
  before.forward = false;
  before.limit = 1;
  store::Query since;
  since.partition = keys::events_pk(batch_id);
  since.sort = {store::SortOp::between, start, prefix + "~"};
  std::vector<fermentation::TemperatureSample> samples;
  for (auto* query : {&before, &since}) {
    for (const auto& item : ctx.store->query(*query).items) {
      auto reading = readings::reading_from_item(item);
      if (reading.temperature_c) samples.push_back({reading.time, *reading.temperature_c});
    }
  }
  std::stable_sort(samples.begin(), samples.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  return samples;
}

// The measured model of the batch's current stage.
fermentation::ProgressCurve progress_curve(ServiceContext& ctx, const std::string& user_id,
                                           const domain::Batch& batch, std::size_t* samples_used = nullptr) {
  auto inputs = fermentation_inputs(ctx, user_id, batch);
  auto samples = temperature_samples(ctx, batch.batch_id, inputs.snapshot.stage_started);
  if (samples_used) *samples_used = samples.size();
  return fermentation::ProgressCurve(inputs.snapshot, inputs.history, samples);
}

// An alert: the claim's mark `claim_write` committed together with a reminder due now (the processor pushes
// it to every device, exactly once) and an `alert` event, through the change log so that they reach /sync
// and open streams. ConditionFailed when `claim_write`'s condition fails (the alert was raised or re-armed by
// someone else first).
void commit_alert(ServiceContext& ctx, store::UpdateItem claim_write, const domain::Batch& batch,
                  const std::string& message, json::object details) {
  const TimePoint now = ctx.now();
  reminders::Reminder alert;
  alert.reminder_id = uuid_v4();
  alert.batch_id = batch.batch_id;
  alert.batch_name = batch.name;
  alert.user_id = batch.user_id;
  alert.type = std::string(domain::kEventAlert);
  alert.message = message;
  alert.scheduled_time = now;
  alert.created_at = now;
  alert.updated_at = now;
  auto event =
      timeline_event(batch.user_id, batch.batch_id, domain::kEventAlert, message, std::move(details), now);
  commit_changes(
      ctx, batch.user_id,
      {std::move(claim_write), store::Put{reminders::to_item(alert), store::Condition::item_absent()},
       event_write(event)});
  if (ctx.reminder_scheduled) ctx.reminder_scheduled(now);
}

// A fresh reading outside the safe range alerts once, setting the claim's mark; a reading inside clears the
// mark, re-arming the alert.
void raise_or_clear_alert(ServiceContext& ctx, const store::Key& claim_key, const domain::SensorClaim& claim,
                          const domain::Batch& batch, double temperature_c) {
  const auto range = domain::safe_range(batch);
  const bool outside = temperature_c < range.low_c || temperature_c > range.high_c;
  if (outside == claim.alerting) return;
  const std::string mark(domain::kAlertingAttribute);
  const auto ours = store::Condition::equals("sensorId", json::string(claim.sensor_id));
  store::Update update;
  try {
    if (!outside) {
      update.remove.push_back(mark);
      ctx.store->update(claim_key, update, store::Condition::all_of({ours, store::Condition::exists(mark)}));
      return;
    }
    update.set[mark] = true;
    commit_alert(ctx,
                 store::UpdateItem{claim_key, update,
                                   store::Condition::all_of({ours, store::Condition::not_exists(mark)})},
                 batch, readings::alert_message(batch.name, batch.kind, range, temperature_c),
                 {{"sensorId", claim.sensor_id}, {"temperatureC", temperature_c}});
  } catch (const store::ConditionFailed&) {
    // Another post of this sensor raised or cleared it first.
  }
}

void detach_from_batch(ServiceContext& ctx, const std::string& user_id, const std::string& batch_id) {
  for (const auto& item : ctx.store->query(sensors_query(user_id)).items) {
    auto sensor = domain::sensor_from_item(item);
    if (sensor.batch_id != batch_id) continue;
    SensorChanges detach;
    detach.batch_id.emplace();
    try {
      update_sensor(ctx, user_id, sensor.sensor_id, detach);
    } catch (const domain::Error& error) {
      if (error.failure() != domain::Failure::NotFound) throw;  // deleted meanwhile
    }
  }
}

}  // namespace

std::string ingest_token_hash(ServiceContext& ctx, std::string_view token) {
  if (!domain::is_ingest_token(token)) throw unknown_token();
  return domain::ingest_token_hash(ctx.derive_key("sensor-token"), token);
}

SensorWithToken create_sensor(ServiceContext& ctx, const std::string& user_id, const std::string& name) {
  auto query = sensors_query(user_id);
  query.limit = domain::kMaxSensorsPerUser;
  if (ctx.store->query(query).items.size() >= domain::kMaxSensorsPerUser)
    throw domain::conflict("at most " + std::to_string(domain::kMaxSensorsPerUser) + " sensors per user");
  auto token = new_token();
  const auto now = ctx.now();
  domain::Sensor sensor{user_id, uuid_v4(), name, std::nullopt, ingest_token_hash(ctx, token), now, now};
  try {
    ctx.store->transact_write({store::Put{domain::to_item(sensor), store::Condition::item_absent()},
                               store::Put{claim_item(ctx, sensor), store::Condition::item_absent()},
                               user_exists_check(user_id)});
  } catch (const store::ConditionFailed&) {
    throw account_deleted();  // a fresh id and 256 random bits are never taken
  }
  return {std::move(sensor), std::move(token)};
}

SensorPage list_sensors(ServiceContext& ctx, const std::string& user_id, const PageRequest& page) {
  cursor::Codec codec(ctx.derive_key("cursor"));
  auto items =
      read_page(*ctx.store, codec, sensors_query(user_id), cursor::fingerprint({"sensors", user_id}), page);
  SensorPage result;
  result.next_cursor = std::move(items.next_cursor);
  for (const auto& item : items.items) result.sensors.push_back(domain::sensor_from_item(item));
  return result;
}

domain::Sensor get_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id) {
  if (!is_uuid(sensor_id)) throw sensor_not_found();
  auto item = ctx.store->get(keys::sensor(user_id, sensor_id));
  if (!item) throw sensor_not_found();
  return domain::sensor_from_item(*item);
}

domain::Sensor update_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id,
                             const SensorChanges& changes) {
  return modify_sensor(
      ctx, user_id, sensor_id,
      [&](domain::Sensor& sensor, std::vector<store::WriteOp>& checks) {
        if (changes.name) sensor.name = *changes.name;
        if (!changes.batch_id) return;
        sensor.batch_id = *changes.batch_id;
        if (!sensor.batch_id) return;
        // Only one of the user's own active batches: the key is under the user, so no other user's batch can
        // ever be named here.
        auto batch = get_batch(ctx, user_id, *sensor.batch_id);
        if (batch.status != domain::kStatusActive) throw domain::conflict("the batch is not active");
        checks.push_back(
            store::Check{keys::batch(user_id, batch.batch_id),
                         store::Condition::equals("status", json::string(domain::kStatusActive))});
      },
      [&](const domain::Sensor& sensor) {
        require_batch(ctx, user_id, *sensor.batch_id);  // 404 when deleted meanwhile
        throw domain::conflict("the batch is not active");
      });
}

SensorWithToken rotate_sensor_token(ServiceContext& ctx, const std::string& user_id,
                                    std::string_view sensor_id) {
  auto token = new_token();
  auto sensor = modify_sensor(ctx, user_id, sensor_id, [&](domain::Sensor& s, std::vector<store::WriteOp>&) {
    s.token_hash = ingest_token_hash(ctx, token);
  });
  return {std::move(sensor), std::move(token)};
}

void delete_sensor(ServiceContext& ctx, const std::string& user_id, std::string_view sensor_id) {
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto sensor = get_sensor(ctx, user_id, sensor_id);
    try {
      ctx.store->transact_write(
          {store::Delete{keys::sensor(user_id, sensor_id), at_version(sensor)},
           store::Delete{keys::sensor_token_claim(sensor.token_hash), claimed_by(sensor)}});
      return;
    } catch (const store::ConditionFailed&) {
    }
  }
  throw domain::conflict("the sensor is being changed by another request; retry");
}

IngestResult ingest_reading(ServiceContext& ctx, std::string_view token_hash,
                            const readings::Reading& reading) {
  const auto claim_key = keys::sensor_token_claim(token_hash);
  auto claim_item = ctx.store->get(claim_key);
  if (!claim_item) throw unknown_token();
  const auto claim = domain::claim_from_item(*claim_item);
  IngestResult result{claim.sensor_id, claim.batch_id, false, reading};
  if (!claim.batch_id) return result;

  const auto& batch_id = *claim.batch_id;
  const auto reading_key = keys::reading(batch_id, readings::minute_of(reading.time), claim.sensor_id);
  const auto rollup_key = keys::reading_rollup(batch_id, readings::hour_of(reading.time), claim.sensor_id);
  // The batch is checked under the claim's owner: a reading only ever lands in that user's open batch. The
  // silence watch moves with the reading, on condition that the sensor is still attached there.
  const auto now = ctx.now();
  const bool refresh_watch = domain::needs_watch_refresh(claim, now, sensor_silence(ctx));
  auto write = [&](std::optional<store::Condition> reading_condition) {
    // Emplaced: a braced list would copy each operation, updates and conditions included.
    std::vector<store::WriteOp> writes;
    writes.reserve(4);
    writes.emplace_back(store::UpdateItem{reading_key, readings::reading_update(reading, claim.sensor_id),
                                          std::move(reading_condition)});
    writes.emplace_back(
        store::UpdateItem{rollup_key, readings::rollup_update(reading, claim.sensor_id), std::nullopt});
    writes.emplace_back(store::Check{keys::batch(claim.user_id, batch_id), batch_not_archived()});
    if (refresh_watch)
      writes.emplace_back(store::UpdateItem{
          claim_key, domain::watch_refresh(claim.sensor_id, now, sensor_silence(ctx)),
          store::Condition::all_of({store::Condition::equals("sensorId", json::string(claim.sensor_id)),
                                    store::Condition::equals("batchId", json::string(batch_id))})});
    // In the change feed a sensor-minute's first post creates the reading, a later one updates it.
    commit_changes(ctx, claim.user_id, writes);
  };
  try {
    try {
      write(store::Condition::item_absent());
    } catch (const store::ConditionFailed& failed) {
      if (failed.index() != 0) throw;
      result.merged = true;  // another post of this minute came first: newest values win
      write(std::nullopt);
    }
  } catch (const store::ConditionFailed&) {
    // The batch was archived or deleted meanwhile (its hook detaches the sensor), or the sensor was changed.
    result.batch_id.reset();
    return result;
  }
  if (!reading.temperature_c) return result;
  // The batch is read only when a fresh reading may alert or a reminder follows the curve: most readings of
  // a sensor catching up do neither. Archived or deleted since the commit: no alert, nothing re-timed.
  std::optional<std::optional<domain::Batch>> batch;  // outside: whether it was read
  auto open_batch = [&]() -> const domain::Batch* {
    if (!batch) batch = find_batch(ctx, claim.user_id, batch_id);
    return *batch && !(*batch)->archived() ? &**batch : nullptr;
  };
  if (reading.time >= ctx.now() - readings::kAlertFreshness) {
    if (const auto* open = open_batch())
      raise_or_clear_alert(ctx, claim_key, claim, *open, *reading.temperature_c);
  }
  retime_model_reminders(ctx, claim.user_id, batch_id, [&]() -> std::optional<fermentation::ProgressCurve> {
    const auto* open = open_batch();
    if (!open) return std::nullopt;
    return progress_curve(ctx, claim.user_id, *open);
  });
  return result;
}

BatchProgress batch_progress(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id) {
  auto batch = get_batch(ctx, user_id, batch_id);
  std::size_t used = 0;
  auto curve = progress_curve(ctx, user_id, batch, &used);
  const double fraction = curve.fraction_at(ctx.now());
  return {std::move(curve), fraction, used};
}

std::vector<readings::StoredReading> batch_readings(ServiceContext& ctx, const std::string& user_id,
                                                    std::string_view batch_id) {
  return readings_of(ctx, get_batch(ctx, user_id, batch_id).batch_id);
}

bool has_readings(ServiceContext& ctx, std::string_view batch_id) {
  auto query = readings_query(batch_id);
  query.limit = 1;
  return !ctx.store->query(query).items.empty();
}

chart::Chart batch_chart(ServiceContext& ctx, const domain::Batch& batch) {
  chart::Chart chart;
  chart.title = batch.name;
  chart.from = batch.start_date;
  chart.to = std::max(ctx.now(), batch.start_date + hours(1));
  std::map<std::string, std::string> sensor_names;
  for (const auto& item : ctx.store->query(sensors_query(batch.user_id)).items)
    sensor_names[json_string(item, "sensorId")] = json_string(item, "name");
  std::set<std::string> shown_sensors;
  const auto readings = readings_of(ctx, batch.batch_id);
  if (!readings.empty()) chart.from = std::min(chart.from, readings.front().time);
  for (const auto& reading : readings) {
    if (reading.temperature_c) chart.temperature_c.push_back({reading.time, *reading.temperature_c});
    if (reading.ph) chart.ph.push_back({reading.time, *reading.ph});
    if (reading.gravity) {
      chart.gravity.push_back({reading.time, *reading.gravity});
      chart.gravity_unit = reading.gravity_unit;
    }
    auto name = sensor_names.find(reading.sensor_id);
    if (name != sensor_names.end() && shown_sensors.insert(reading.sensor_id).second)
      chart.sensor_names.push_back(name->second);
  }
  store::Query events;
  events.partition = keys::events_pk(batch.batch_id);
  events.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
  for (const auto& item : ctx.store->query(events).items) {
    auto event = domain::event_from_item(item);
    if (event.type == domain::kEventStageChange)
      chart.markers.push_back({chart::Marker::Kind::stage, event.timestamp, event.description});
  }
  for (const auto& reminder : batch_reminders(ctx, batch.user_id, batch.batch_id)) {
    if (reminder.status == reminders::Status::cancelled) continue;
    chart.markers.push_back({chart::Marker::Kind::reminder, reminder.scheduled_time, reminder.message});
    chart.to = std::max(chart.to, reminder.scheduled_time);
  }
  return chart;
}

std::size_t alert_silent_sensors(ServiceContext& ctx) {
  const auto silence = sensor_silence(ctx);
  std::size_t alerted = 0;
  auto sweep = [&](const store::Item& item) {
    const auto claim = domain::claim_from_item(item);
    // Off the watch only if nothing moved it since this query: a reading meanwhile wins.
    store::UpdateItem silent{store::key_of(item), domain::mark_silent(),
                             store::Condition::equals("GSI1SK", item.at("GSI1SK"))};
    auto batch = claim.batch_id ? find_batch(ctx, claim.user_id, *claim.batch_id) : std::nullopt;
    auto sensor = ctx.store->get(keys::sensor(claim.user_id, claim.sensor_id));
    try {
      if (!batch || batch->archived() || !sensor) {
        ctx.store->update(silent.key, silent.update, silent.condition);
        return;
      }
      commit_alert(ctx, std::move(silent), *batch,
                   domain::silence_message(json_string(*sensor, "name"), batch->name, silence),
                   {{"sensorId", claim.sensor_id}, {"silentForSeconds", silence.count()}});
      ++alerted;
    } catch (const store::ConditionFailed&) {
    }
  };
  for_each_due(*ctx.store, keys::silence_shards(), keys::silence_gsi1sk(format_rfc3339(ctx.now()), "~"),
               kSilenceSweepPage, sweep);
  if (alerted > 0) log::info("silent sensors", {{"alerted", alerted}});
  return alerted;
}

void register_sensor_hooks(ServiceContext& ctx) {
  ctx.hooks.account_deleted.push_back([&ctx](const std::string& user_id) {
    for (const auto& item : ctx.store->query(sensors_query(user_id)).items) {
      try {
        delete_sensor(ctx, user_id, json_string(item, "sensorId"));
      } catch (const domain::Error& error) {
        if (error.failure() != domain::Failure::NotFound) throw;
      }
    }
  });
  ctx.hooks.batch_archived.push_back([&ctx](const std::string& user_id, const std::string& batch_id) {
    detach_from_batch(ctx, user_id, batch_id);
  });
  ctx.hooks.batch_deleted.push_back([&ctx](const std::string& user_id, const std::string& batch_id) {
    detach_from_batch(ctx, user_id, batch_id);
  });
}

}  // namespace kefir::services
