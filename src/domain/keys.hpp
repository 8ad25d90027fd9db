#pragma once
// Every storage key of the single table (SPEC §12), in one place. Nothing else spells "USER#" or "BATCH#".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ports/item_store.hpp"

namespace kefir::keys {

inline constexpr std::string_view kUserPrefix = "USER#";
inline std::string user_pk(std::string_view user_id) {
  return std::string(kUserPrefix) + std::string(user_id);
}
inline constexpr std::string_view kProfileSk = "PROFILE";
inline store::Key user_profile(std::string_view user_id) {
  return {user_pk(user_id), std::string(kProfileSk)};
}

// The user's revocation mark (notBeforeMs): tokens issued before it are refused. Outlives the account on
// purpose, until every token it refuses has expired.
inline store::Key tokens_not_before(std::string_view user_id) {
  return {user_pk(user_id), "TOKENS_NOT_BEFORE"};
}

inline store::Key email_claim(std::string_view lowercased_email) {
  return {"EMAIL#" + std::string(lowercased_email), "CLAIM"};
}
inline store::Key otp_challenge(std::string_view lowercased_email) {
  return {"OTP#" + std::string(lowercased_email), "CHALLENGE"};
}
inline store::Key refresh_token(std::string_view token_sha256_hex) {
  return {"RTOKEN#" + std::string(token_sha256_hex), "TOKEN"};
}
inline store::Key refresh_family(std::string_view family_id) {
  return {"RFAMILY#" + std::string(family_id), "FAMILY"};
}

inline constexpr std::string_view kBatchPrefix = "BATCH#";
inline store::Key batch(std::string_view user_id, std::string_view batch_id) {
  return {user_pk(user_id), "BATCH#" + std::string(batch_id)};
}
// GSI1 of a batch: finds a batch by id alone (public pages).
inline std::string batch_gsi1pk(std::string_view batch_id) {
  return "BATCH#" + std::string(batch_id);
}
inline constexpr std::string_view kBatchGsi1Sk = "BATCH";

inline std::string events_pk(std::string_view batch_id) {
  return "BATCH#" + std::string(batch_id);
}
// A batch's re-timing hint (domain/reminder.hpp), beside its timeline; no query's prefix matches it.
inline store::Key retime_hint(std::string_view batch_id) {
  return {events_pk(batch_id), "RETIMEHINT"};
}
inline constexpr std::string_view kEventPrefix = "EVENT#";
// Sort key "EVENT#<timestamp>#<eventId>": the timeline is a key range ordered by time.
inline std::string event_sk(std::string_view rfc3339_timestamp, std::string_view event_id) {
  return "EVENT#" + std::string(rfc3339_timestamp) + "#" + std::string(event_id);
}

inline constexpr std::string_view kReminderPrefix = "REMINDER#";
inline store::Key reminder(std::string_view user_id, std::string_view reminder_id) {
  return {user_pk(user_id), "REMINDER#" + std::string(reminder_id)};
}
// Sparse GSI1 of due reminders, spread over 16 shards so no partition is hot: "DUE#00".."DUE#15".
inline constexpr int kDueShards = 16;
std::string due_shard(std::string_view reminder_id);  // derived from the id, stable
// Sorted by when the reminder can next be claimed: its delivery time (quiet hours applied), a retry time or
// the end of a lease.
inline std::string due_gsi1sk(std::string_view due_rfc3339, std::string_view reminder_id) {
  return std::string(due_rfc3339) + "#" + std::string(reminder_id);
}

inline constexpr std::string_view kDevicePrefix = "DEVICE#";
inline store::Key device(std::string_view user_id, std::string_view device_id) {
  return {user_pk(user_id), "DEVICE#" + std::string(device_id)};
}
// The claim on a push address, naming the one device that owns it: "PUSHTOKEN#<Expo token>" for phones;
// for a browser "PUSHTOKEN#WEB#<SHA-256 hex of the endpoint>", as endpoints run to 2048 characters and a
// partition key must stay under 2048 bytes.
store::Key push_token_claim(std::string_view push_address);

inline constexpr std::string_view kSensorPrefix = "SENSOR#";
inline store::Key sensor(std::string_view user_id, std::string_view sensor_id) {
  return {user_pk(user_id), "SENSOR#" + std::string(sensor_id)};
}
// The claim of an ingest token, by its keyed hash (hex): names the owner, the sensor and the batch the sensor
// is attached to, so an ingest is one get.
inline store::Key sensor_token_claim(std::string_view token_hash_hex) {
  return {"SENSORTOKEN#" + std::string(token_hash_hex), "CLAIM"};
}

// Sparse GSI1 of the silence watch of attached sensors (domain/sensor.hpp), sharded as the due reminders:
// "SILENT#00".."SILENT#15", sorted by when the sensor counts as silent.
inline constexpr std::string_view kSilenceShardPrefix = "SILENT#";
std::string silence_shard(std::string_view sensor_id);  // derived from the id, stable
std::vector<std::string> silence_shards();
inline std::string silence_gsi1sk(std::string_view silent_at_rfc3339, std::string_view sensor_id) {
  return std::string(silent_at_rfc3339) + "#" + std::string(sensor_id);
}

// Readings live in the batch's partition beside its timeline: "READING#<minute>#<sensorId>", one item per
// sensor per minute ("2026-01-15T10:07Z"), ordered by time; hourly roll-ups "ROLLUP#<hour>#<sensorId>".
inline constexpr std::string_view kReadingPrefix = "READING#";
inline store::Key reading(std::string_view batch_id, std::string_view minute, std::string_view sensor_id) {
  return {events_pk(batch_id), "READING#" + std::string(minute) + "#" + std::string(sensor_id)};
}
inline constexpr std::string_view kRollupPrefix = "ROLLUP#";
inline store::Key reading_rollup(std::string_view batch_id, std::string_view hour,
                                 std::string_view sensor_id) {
  return {events_pk(batch_id), "ROLLUP#" + std::string(hour) + "#" + std::string(sensor_id)};
}

inline store::Key idempotency(std::string_view user_id, std::string_view key) {
  return {"IDEMP#" + std::string(user_id) + "#" + std::string(key), "RESPONSE"};
}

inline constexpr std::string_view kPhotoPrefix = "PHOTO#";
inline store::Key photo(std::string_view user_id, std::string_view photo_key) {
  return {user_pk(user_id), "PHOTO#" + std::string(photo_key)};
}
// Sparse GSI1 of attached photos whose renditions are still to be made (RENDITIONS=deferred), sharded as the
// due reminders: "RENDER#00".."RENDER#15", sorted by when the photo can next be claimed: when it was
// attached, or the end of a rendition worker's lease.
inline constexpr std::string_view kRenditionShardPrefix = "RENDER#";
std::string rendition_shard(std::string_view photo_key);  // derived from the key, stable
std::vector<std::string> rendition_shards();
inline std::string rendition_gsi1sk(std::string_view claimable_rfc3339, std::string_view photo_key) {
  return std::string(claimable_rfc3339) + "#" + std::string(photo_key);
}

// The user's change log (issue 17): the counter of committed changes and one entry per committed transaction,
// "CHANGE#<seq, zero-padded to 20 digits>" so the entries sort in commit order.
inline store::Key change_counter(std::string_view user_id) {
  return {user_pk(user_id), "CHANGESEQ"};
}
inline constexpr std::string_view kChangePrefix = "CHANGE#";
std::string change_sk(std::uint64_t seq);
inline store::Key change_entry(std::string_view user_id, std::uint64_t seq) {
  return {user_pk(user_id), change_sk(seq)};
}

}  // namespace kefir::keys
