// What watches an attached sensor (issue 18): when its silence watch falls due, when ingest must move it,
// what the silence alert says, and which safe range a batch's readings are held to.
#include <gtest/gtest.h>

#include "domain/batch.hpp"
#include "domain/keys.hpp"
#include "domain/sensor.hpp"

namespace kefir::domain {
namespace {

using std::chrono::seconds;

const TimePoint kNow = *parse_rfc3339("2026-03-01T12:00:00.000Z");

SensorClaim attached_claim(std::optional<TimePoint> refreshed_at) {
  SensorClaim claim{"user-1", "sensor-1", std::string("batch-1")};
  claim.watch_refreshed_at = refreshed_at;
  return claim;
}

TEST(SensorWatchRules, TheWatchFallsDueOnlyAfterTheSilenceAndTheMinuteAReadingMayBeAhead) {
  EXPECT_EQ(silent_at(kNow, seconds(7200)), kNow + seconds(7200 + 60));
  // A silence shorter than the refresh period (tests) shortens the period with it.
  EXPECT_EQ(watch_refresh_period(seconds(2)), seconds(2));
  EXPECT_EQ(silent_at(kNow, seconds(2)), kNow + seconds(4));
}

TEST(SensorWatchRules, IngestMovesTheWatchAtMostOncePerMinuteUnlessTheSensorWentSilent) {
  const seconds silence(7200);
  EXPECT_FALSE(needs_watch_refresh(attached_claim(kNow), kNow + seconds(59), silence));
  EXPECT_TRUE(needs_watch_refresh(attached_claim(kNow), kNow + seconds(60), silence));
  EXPECT_TRUE(needs_watch_refresh(attached_claim(std::nullopt), kNow, silence));
  auto silent = attached_claim(kNow);
  silent.silent = true;
  EXPECT_TRUE(needs_watch_refresh(silent, kNow + seconds(1), silence));  // the reading re-arms the alert
  auto detached = attached_claim(std::nullopt);
  detached.batch_id.reset();
  EXPECT_FALSE(needs_watch_refresh(detached, kNow, silence));
}

TEST(SensorWatchRules, TheClaimOfAnAttachedSensorIsOnTheWatchAndADetachedOneIsNot) {
  Sensor sensor{"user-1", "sensor-1", "Probe", std::string("batch-1"), "abc", kNow, kNow};
  auto item = token_claim_item(sensor, kNow, seconds(7200));
  EXPECT_EQ(json_string(item, "GSI1PK"), keys::silence_shard("sensor-1"));
  EXPECT_EQ(json_string(item, "GSI1SK"), "2026-03-01T14:01:00.000Z#sensor-1");
  auto claim = claim_from_item(item);
  EXPECT_EQ(claim.watch_refreshed_at, kNow);
  EXPECT_FALSE(claim.silent);
  sensor.batch_id.reset();
  EXPECT_FALSE(token_claim_item(sensor, kNow, seconds(7200)).contains("GSI1PK"));
  EXPECT_EQ(keys::silence_shards().size(), static_cast<std::size_t>(keys::kDueShards));
}

TEST(SensorWatchRules, TheSilenceAlertNamesTheSensorTheBatchAndTheSilence) {
  EXPECT_EQ(silence_message("Jar probe", "Milk jar", seconds(7200)),
            "Jar probe on Milk jar has sent nothing for 2 h");
  EXPECT_EQ(silence_message("Jar probe", "Milk jar", seconds(5400)),
            "Jar probe on Milk jar has sent nothing for 90 min");
  EXPECT_EQ(silence_message("Jar probe", "Milk jar", seconds(2)),
            "Jar probe on Milk jar has sent nothing for 2 s");
}

TEST(SensorWatchRules, ABatchsOwnSafeRangeReplacesItsKinds) {
  Batch batch;
  batch.kind = "milk";
  EXPECT_EQ(safe_range(batch), (readings::SafeRange{18, 28}));
  batch.safe_range = readings::SafeRange{20, 24.5};
  EXPECT_EQ(safe_range(batch), (readings::SafeRange{20, 24.5}));
  // Whole degrees are written as integers, like every number of a batch.
  EXPECT_EQ(to_json(batch).at("safeRange"), (json::value{{"minC", 20}, {"maxC", 24.5}}));
  EXPECT_EQ(batch_from_item(to_item(batch)).safe_range, batch.safe_range);
}

}  // namespace
}  // namespace kefir::domain
