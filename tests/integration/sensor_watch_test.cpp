// The silent-sensor alert (issue 18) through the real server, on SQLite and DynamoDB Local: an attached
// sensor that sends nothing for more than SENSOR_SILENCE sends one push and records one `alert` event, found
// by the sweep through the silence watch (a sparse index on the token claim) rather than a scan; a reading
// re-arms it. Ingest moves the watch at most once a minute. Readings in the change feed (GET /sync).
#include <gtest/gtest.h>

#include <thread>

#include "domain/keys.hpp"
#include "integration/on_each_store.hpp"
#include "support/fake_expo.hpp"

namespace kefir::test {
namespace {

class SensorWatchTest : public OnEachStoreTest {
 protected:
  void SetUp() override {
    OnEachStoreTest::SetUp();
    user_ = sign_in_user("silence");
    batch_id_ = text(create_batch(user_.api, {{"name", "Milk jar"}, {"kind", "milk"}}).at("batchId"));
    auto created = user_.api.post("/me/sensors", json::object{{"name", "Jar probe"}});
    ASSERT_EQ(created.status, 201) << created.body;
    token_ = text(created.json().at("token"));
    sensor_id_ = text(created.json().at("sensor").at("sensorId"));
    store_ = open_store();
  }

  void attach(const json::value& batch_id) {
    auto response = user_.api.patch("/me/sensors/" + sensor_id_, json::object{{"batchId", batch_id}});
    ASSERT_EQ(response.status, 200) << response.body;
  }

  void post_reading(double temperature_c) {
    auto response = ApiClient(server_->base_url())
                        .post("/ingest/" + token_, json::object{{"temperature", temperature_c}});
    ASSERT_TRUE(response.status == 201 || response.status == 202) << response.body;
  }

  store::Item claim() {
    auto sensor = store_->get(keys::sensor(user_.user_id, sensor_id_));
    EXPECT_TRUE(sensor);
    auto item = store_->get(keys::sensor_token_claim(json_string(*sensor, "tokenHash")));
    EXPECT_TRUE(item);
    return item.value_or(store::Item{});
  }

  std::vector<std::string> alert_events() {
    std::vector<std::string> out;
    for (const auto& event : list_all(user_.api, "/batches/" + batch_id_ + "/events", "events", 100))
      if (event.at("type") == "alert") out.push_back(text(event.at("description")));
    return out;
  }

  User user_{"", ApiClient("")};
  std::string batch_id_;
  std::string token_;
  std::string sensor_id_;
  std::unique_ptr<store::ItemStore> store_;
};

// SENSOR_SILENCE at its default of two hours: the watch as the items show it.
class SensorSilenceWatch : public SensorWatchTest {};

TEST_P(SensorSilenceWatch, AttachingStartsTheWatchAndIngestMovesItAtMostOncePerMinute) {
  EXPECT_FALSE(claim().contains("GSI1PK"));  // not attached: nothing to watch
  const auto before_attach = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  attach(json::value(batch_id_));
  auto watched = claim();
  ASSERT_TRUE(watched.contains("GSI1PK")) << json::serialize(watched);
  EXPECT_EQ(json_string(watched, "GSI1PK"), keys::silence_shard(sensor_id_));
  const auto refreshed = parse_rfc3339(json_string(watched, "watchRefreshedAt"));
  ASSERT_TRUE(refreshed);
  EXPECT_GE(*refreshed, before_attach);
  // Two hours of silence, plus the minute a reading may be newer than the watch.
  EXPECT_EQ(json_string(watched, "GSI1SK"),
            keys::silence_gsi1sk(format_rfc3339(*refreshed + std::chrono::hours(2) + std::chrono::minutes(1)),
                                 sensor_id_));

  for (double temperature : {22.0, 22.5, 23.0}) post_reading(temperature);
  EXPECT_EQ(claim().at("GSI1SK"), watched.at("GSI1SK"));  // within the minute: the claim is not rewritten

  attach(nullptr);
  EXPECT_FALSE(claim().contains("GSI1PK"));
  post_reading(22.0);  // a detached sensor's readings go nowhere and start no watch
  EXPECT_FALSE(claim().contains("GSI1PK"));
}

// SENSOR_SILENCE of two seconds, swept every second, with a fake Expo.
class SensorSilence : public SensorWatchTest {
 protected:
  std::map<std::string, std::string> server_env() override {
    return {{"EXPO_PUSH_URL", fake_.push_url()},
            {"EXPO_RATE", "0"},
            {"EXPO_RECEIPT_DELAY", "1"},
            {"SENSOR_SILENCE", "2"},
            {"SENSOR_SWEEP_INTERVAL", "1"}};
  }

  void SetUp() override {
    SensorWatchTest::SetUp();
    ASSERT_EQ(user_.api
                  .post("/me/devices", json::object{{"deviceId", "phone"},
                                                    {"platform", "ios"},
                                                    {"token", "ExponentPushToken[silence-phone]"}})
                  .status,
              201);
  }

  FakeExpo fake_;
};

TEST_P(SensorSilence, ASilentSensorAlertsOnceUntilAReadingRearmsIt) {
  attach(json::value(batch_id_));
  post_reading(22.0);
  const auto last_reading = std::chrono::steady_clock::now();
  ASSERT_TRUE(fake_.wait_for_accepted(1, std::chrono::seconds(30)));
  // Never before the silence (and the refresh period a reading may be ahead of the watch) has passed.
  EXPECT_GE(std::chrono::steady_clock::now() - last_reading, std::chrono::seconds(2));
  const auto first = fake_.accepted().at(0);
  const std::string message = "Jar probe on Milk jar has sent nothing for 2 s";
  EXPECT_EQ(text(first.message.at("body")), message);
  EXPECT_EQ(first.data("type"), "alert");
  EXPECT_EQ(first.data("batchId"), batch_id_);
  EXPECT_EQ(alert_events(), std::vector<std::string>{message});
  auto silent = claim();
  EXPECT_TRUE(json_bool(silent, "silent"));
  EXPECT_FALSE(silent.contains("GSI1PK"));  // off the watch: the sweep does not find it again

  std::this_thread::sleep_for(std::chrono::seconds(4));  // still silent: no repeat
  EXPECT_EQ(fake_.accepted().size(), 1u);
  EXPECT_EQ(alert_events().size(), 1u);

  post_reading(22.5);  // re-armed, and silent again afterwards
  auto rearmed = claim();
  EXPECT_FALSE(json_bool(rearmed, "silent"));
  EXPECT_TRUE(rearmed.contains("GSI1PK"));
  ASSERT_TRUE(fake_.wait_for_accepted(2, std::chrono::seconds(30)));
  EXPECT_EQ(text(fake_.accepted().at(1).message.at("body")), message);
  EXPECT_EQ(alert_events().size(), 2u);
}

TEST_P(SensorSilence, ASensorThatKeepsSendingNeverAlertsAndNeitherDoesADetachedOne) {
  attach(json::value(batch_id_));
  for (int second = 0; second < 8; ++second) {
    post_reading(22.0);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  attach(nullptr);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_TRUE(fake_.accepted().empty());
  EXPECT_TRUE(alert_events().empty());
}

class BatchSafeRange : public SensorWatchTest {
 protected:
  HttpResponse patch_range(const json::value& range) {
    return user_.api.patch("/batches/" + batch_id_, json::object{{"safeRange", range}});
  }

  json::value stored_range() {
    return user_.api.get("/batches/" + batch_id_).json().at("batch").at("safeRange");
  }
};

TEST_P(BatchSafeRange, SetShownUsedByTheAlertAndClearedBackToTheKinds) {
  EXPECT_TRUE(stored_range().is_null());
  auto set = patch_range(json::object{{"minC", 20}, {"maxC", 24.5}});
  ASSERT_EQ(set.status, 200) << set.body;
  const json::value range{{"minC", 20}, {"maxC", 24.5}};  // whole degrees as integers
  EXPECT_EQ(set.json().at("batch").at("safeRange"), range);
  EXPECT_EQ(stored_range(), range);

  attach(json::value(batch_id_));
  post_reading(19.0);  // inside milk kefir's 18-28 °C, below this batch's own
  EXPECT_EQ(alert_events(),
            std::vector<std::string>{"Milk jar is at 19.0 °C, outside the safe 20-24.5 °C for milk kefir"});

  auto cleared = patch_range(nullptr);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json().at("batch").at("safeRange").is_null());
  EXPECT_TRUE(stored_range().is_null());
  post_reading(26.0);  // the kind's range again: inside, re-armed
  post_reading(29.0);
  EXPECT_EQ(alert_events().size(), 2u);
}

TEST_P(BatchSafeRange, EveryBadRangeIsA400NamingItsField) {
  const std::vector<std::pair<json::value, std::string>> cases{
      {json::value(5), "safeRange"},
      {json::value("18-28"), "safeRange"},
      {json::object{{"minC", "20"}, {"maxC", 24}}, "safeRange.minC"},
      {json::object{{"minC", 20}}, "safeRange.maxC"},
      {json::object{{"minC", 24}, {"maxC", 20}}, "safeRange.maxC"},
      {json::object{{"minC", 22}, {"maxC", 22}}, "safeRange.maxC"},
      {json::object{{"minC", -40}, {"maxC", 20}}, "safeRange.minC"},
      {json::object{{"minC", 20}, {"maxC", 100}}, "safeRange.maxC"},
      {json::object{{"minC", 20}, {"maxC", 24}, {"unit", "F"}}, "safeRange.unit"},
  };
  for (const auto& [range, field] : cases) {
    auto response = patch_range(range);
    EXPECT_EQ(response.status, 400) << json::serialize(range);
    EXPECT_EQ(problem_fields(response), std::vector<std::string>{field}) << json::serialize(range);
  }
  EXPECT_TRUE(stored_range().is_null());
}

class SyncReadings : public SensorWatchTest {
 protected:
  void post_reading_at(double temperature_c, const std::string& time) {
    auto response =
        ApiClient(server_->base_url())
            .post("/ingest/" + token_, json::object{{"temperature", temperature_c}, {"time", time}});
    ASSERT_TRUE(response.status == 201 || response.status == 202) << response.body;
  }

  json::object pull_since(const std::string& token) {
    auto response = user_.api.get("/sync?since=" + token);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status == 200 ? response.json().as_object() : json::object{};
  }
};

TEST_P(SyncReadings, ANewReadingIsCreatedInTheFeedALaterPostOfItsMinuteUpdatesItAndNoneCanBePushed) {
  attach(json::value(batch_id_));
  auto full = user_.api.get("/sync");
  ASSERT_EQ(full.status, 200) << full.body;
  const auto token = text(full.json().at("next"));
  // A whole minute of the recent past, so both posts fall in it whenever the test runs.
  const auto minute =
      std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now()) - std::chrono::minutes(5);
  post_reading_at(21.5, format_rfc3339(minute + std::chrono::seconds(10)));

  auto page = pull_since(token);
  const auto& created = page.at("changes").at("readings").at("created").as_array();
  ASSERT_EQ(created.size(), 1u) << json::serialize(page);
  const auto& reading = created[0].as_object();
  EXPECT_EQ(text(reading.at("batchId")), batch_id_);
  EXPECT_EQ(text(reading.at("sensorId")), sensor_id_);
  EXPECT_EQ(reading.at("temperatureC").to_number<double>(), 21.5);
  const auto reading_id = text(reading.at("id"));
  EXPECT_NE(reading_id.find(sensor_id_), std::string::npos) << reading_id;

  post_reading_at(22.0, format_rfc3339(minute + std::chrono::seconds(40)));
  auto next = pull_since(text(page.at("next")));
  const auto& updated = next.at("changes").at("readings").at("updated").as_array();
  ASSERT_EQ(updated.size(), 1u) << json::serialize(next);
  EXPECT_EQ(text(updated[0].at("id")), reading_id);
  EXPECT_EQ(updated[0].at("temperatureC").to_number<double>(), 22.0) << "the minute's newest post wins";
  EXPECT_TRUE(next.at("changes").at("readings").at("created").as_array().empty());

  auto pushed = user_.api.post(
      "/sync",
      json::object{
          {"lastPulledAt", next.at("next")},
          {"changes", {{"readings", {{"created", json::array{{{"id", "x"}, {"temperatureC", 20}}}}}}}}});
  EXPECT_EQ(pushed.status, 400) << pushed.body;
  EXPECT_EQ(problem_fields(pushed), std::vector<std::string>{"changes.readings"})
      << "sensors record readings";
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, SyncReadings, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(OnEachStore, BatchSafeRange, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(OnEachStore, SensorSilenceWatch, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(OnEachStore, SensorSilence, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kefir::test
