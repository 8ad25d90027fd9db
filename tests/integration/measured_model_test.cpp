// The measured model over HTTP (issue 18): GET /batches/{id}/progress integrates the fermentation rate over
// the readings, and the pending reminders that follow the fermentation move with them (a pinned one and a
// custom one stay; a sent one never moves), the moved one delivered exactly once.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "domain/keys.hpp"
#include "integration/batches_support.hpp"
#include "support/fake_expo.hpp"

namespace kefir::test {
namespace {

TimePoint now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

TimePoint after_hours(TimePoint start, double hours) {
  return start + milliseconds(std::llround(hours * 3600 * 1000));
}

TimePoint time_of(const json::value& value) {
  return *parse_rfc3339(value.as_string());
}

class MeasuredModelApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.env = {{"EXPO_PUSH_URL", fake_.push_url()}, {"EXPO_RATE", "0"}, {"EXPO_RECEIPT_DELAY", "1"}};
    server_ = std::make_unique<ServerProcess>(config);
    auto signed_in = sign_in(*server_, unique_email("measured"));
    api_ = ApiClient(server_->base_url(), signed_in.access_token);
  }

  std::string water_kefir_started(TimePoint start) {
    return text(create_batch(api_, {{"name", "Windowsill"},
                                    {"kind", "water"},
                                    {"temperature", 22},
                                    {"startDate", format_rfc3339(start)}})
                    .at("batchId"));
  }

  std::string attached_sensor(const std::string& batch_id) {
    auto created = api_.post("/me/sensors", json::object{{"name", "Windowsill thermometer"}});
    EXPECT_EQ(created.status, 201) << created.body;
    auto sensor_id = text(created.json().at("sensor").at("sensorId"));
    EXPECT_EQ(api_.patch("/me/sensors/" + sensor_id, json::object{{"batchId", batch_id}}).status, 200);
    return text(created.json().at("token"));
  }

  void post_reading(const std::string& token, TimePoint time, double temperature_c) {
    auto response = ApiClient(server_->base_url())
                        .post("/ingest/" + token,
                              json::object{{"time", format_rfc3339(time)}, {"temperature", temperature_c}});
    ASSERT_EQ(response.status, 201) << response.body;
  }

  json::object progress(const std::string& batch_id) {
    auto response = api_.get("/batches/" + batch_id + "/progress");
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json().at("progress").as_object();
  }

  json::object reminder(const std::string& id) { return listed_reminder(api_, id); }

  std::string confirm(const std::string& batch_id, TimePoint when, const std::string& type) {
    auto response =
        api_.post("/batches/" + batch_id + "/reminders/confirm",
                  json::object{{"reminders", json::array{json::object{{"scheduledTime", format_rfc3339(when)},
                                                                      {"message", "Bottle it"},
                                                                      {"type", type}}}}});
    EXPECT_EQ(response.status, 201) << response.body;
    return text(response.json().at("reminders").at(0).at("reminderId"));
  }

  FakeExpo fake_;
  std::unique_ptr<ServerProcess> server_;
  ApiClient api_{""};
};

TEST_F(MeasuredModelApi, AConstantTwentyTwoDegreesEndsWhenTodaysModelSays) {
  const TimePoint start = now() - std::chrono::hours(2);
  auto batch_id = water_kefir_started(start);
  auto suggestions = api_.get("/batches/" + batch_id + "/reminders/suggestions").json().at("suggestions");
  TimePoint ready{};
  for (const auto& s : suggestions.as_array())
    if (s.at("type") == "ready_to_bottle") ready = time_of(s.at("suggestedTime"));
  ASSERT_EQ(ready, start + std::chrono::hours(48));

  auto model = progress(batch_id);
  EXPECT_EQ(time_of(model.at("expectedEnd")), ready);
  EXPECT_EQ(model.at("temperatureSource"), "batch");
  EXPECT_NEAR(model.at("fraction").as_double(), 2.0 / 48, 0.001);

  post_reading(attached_sensor(batch_id), start, 22.0);
  model = progress(batch_id);
  EXPECT_EQ(time_of(model.at("expectedEnd")), ready);
  EXPECT_EQ(model.at("temperatureSource"), "readings");
  EXPECT_EQ(model.at("readingsUsed"), 1);
}

// A windowsill: 27 °C by day, 18 °C by night, 12 h each (tests/unit/measured_model_test.cpp has the same
// arithmetic): at 27 °C the stage would take 48 × 2^−0.5 h, at 18 °C 48 × 2^0.4 h; two days and a night give
// 2 × 12 / 33.941 + 12 / 63.336 = 0.896571 of it, and the rest takes 0.103429 × 63.336 = 6.5508 h more:
// the end is 42.5508 h after the start instead of 48 h.
TEST_F(MeasuredModelApi, AWindowsillMovesThePendingReminderWhichIsSentOnce) {
  const double day_hours = 48 * std::pow(2.0, -0.5);
  const double night_hours = 48 * std::pow(2.0, 0.4);
  const double after_two_days = 24 / day_hours + 12 / night_hours;
  const double end_hours = 36 + (1 - after_two_days) * night_hours;
  ASSERT_NEAR(end_hours, 42.5508, 1e-4);

  // Started so that the measured end falls a few seconds from now.
  const TimePoint start = after_hours(now() + std::chrono::seconds(15), -end_hours);
  const TimePoint measured_end = after_hours(start, end_hours);
  auto batch_id = water_kefir_started(start);
  ASSERT_EQ(api_.post("/me/devices", json::object{{"deviceId", "phone"},
                                                  {"platform", "ios"},
                                                  {"token", "ExponentPushToken[measured-phone]"}})
                .status,
            201);
  const TimePoint model_end = start + std::chrono::hours(48);
  const auto following = confirm(batch_id, model_end, "ready_to_bottle");
  const auto pinned = confirm(batch_id, model_end, "ready_to_bottle");
  const auto custom = confirm(batch_id, model_end, "custom");
  EXPECT_EQ(reminder(following).at("followsFermentation"), true);
  EXPECT_EQ(reminder(custom).at("followsFermentation"), false);
  auto pin = api_.patch("/me/reminders/" + pinned, json::object{{"pinned", true}});
  ASSERT_EQ(pin.status, 200) << pin.body;
  EXPECT_EQ(pin.json().at("reminder").at("pinned"), true);

  // The thermometer catches up newest first (posting in time order, the first readings alone, 27 °C held,
  // would put the end in the past and the reminder would go at once).
  const std::string token = attached_sensor(batch_id);
  const std::vector<std::pair<double, double>> readings = {{36, 18.0}, {24, 27.0}, {12, 18.0}, {0, 27.0}};
  for (const auto& [hours_in, temperature] : readings) {
    post_reading(token, after_hours(start, hours_in), temperature);
    EXPECT_GT(time_of(reminder(following).at("scheduledTime")), now()) << "after the reading at " << hours_in;
  }

  auto model = progress(batch_id);
  EXPECT_EQ(model.at("temperatureSource"), "readings");
  EXPECT_EQ(model.at("temperatureHistory").as_array().size(), 4u);
  EXPECT_LE(std::chrono::abs(time_of(model.at("expectedEnd")) - measured_end), milliseconds(2));
  auto moved = reminder(following);
  EXPECT_LE(std::chrono::abs(time_of(moved.at("scheduledTime")) - measured_end), milliseconds(2));
  EXPECT_EQ(time_of(reminder(pinned).at("scheduledTime")), model_end);
  EXPECT_EQ(time_of(reminder(custom).at("scheduledTime")), model_end);

  ASSERT_TRUE(fake_.wait_for_accepted(1, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto delivered = fake_.accepted_by_reminder();
  EXPECT_EQ(delivered, (std::map<std::string, int>{{following, 1}}));
  const auto sent = reminder(following);
  EXPECT_EQ(sent.at("status"), "sent");

  // A sent reminder never moves again, nor goes again. The reading stays inside water kefir's safe 18-30 °C:
  // one outside it raises an alert, a push of its own that could arrive before the count below.
  post_reading(token, now(), 20.0);
  EXPECT_EQ(reminder(following).at("scheduledTime"), sent.at("scheduledTime"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(fake_.accepted().size(), 1u);
}

// Readings skip the reminders of a batch with none that follows the fermentation (its re-timing hint is
// absent or taken away), and that skip never costs a re-time: a suggestion confirmed after readings that
// found none, or again after the last one was cancelled, or unpinned, still moves with the next reading.
TEST_F(MeasuredModelApi, ASuggestionConfirmedAfterReadingsThatFoundNoneStillMoves) {
  const TimePoint start = now() - std::chrono::hours(2);
  const TimePoint model_end = start + std::chrono::hours(48);
  auto batch_id = water_kefir_started(start);
  const std::string token = attached_sensor(batch_id);
  // 27 °C all along: the stage takes 48 × 2^−0.5 h = 33.94 h instead of 48 h.
  const TimePoint measured_end = after_hours(start, 48 * std::pow(2.0, -0.5));
  auto moved_to_measured_end = [&](const std::string& id) {
    return std::chrono::abs(time_of(reminder(id).at("scheduledTime")) - measured_end) <= milliseconds(2);
  };

  const auto custom = confirm(batch_id, model_end, "custom");
  post_reading(token, start, 27.0);  // none follows: the batch is marked "nothing to re-time"
  const auto first = confirm(batch_id, model_end, "ready_to_bottle");
  post_reading(token, start + std::chrono::minutes(1), 27.0);
  EXPECT_TRUE(moved_to_measured_end(first));
  EXPECT_EQ(time_of(reminder(custom).at("scheduledTime")), model_end);

  // The last one that follows is cancelled: the next reading marks the batch; a new one clears the mark.
  ASSERT_EQ(api_.del("/me/reminders/" + first).status, 200);
  post_reading(token, start + std::chrono::minutes(2), 27.0);
  const auto second = confirm(batch_id, model_end, "ready_to_bottle");
  post_reading(token, start + std::chrono::minutes(3), 27.0);
  EXPECT_TRUE(moved_to_measured_end(second));

  // Pinned, it stays where the user put it, and keeps the batch unmarked: unpinned, it moves with the next
  // reading.
  const auto third = confirm(batch_id, model_end, "ready_to_bottle");
  ASSERT_EQ(api_.patch("/me/reminders/" + third, json::object{{"pinned", true}}).status, 200);
  ASSERT_EQ(api_.del("/me/reminders/" + second).status, 200);
  post_reading(token, start + std::chrono::minutes(4), 27.0);
  EXPECT_EQ(time_of(reminder(third).at("scheduledTime")), model_end);
  ASSERT_EQ(api_.patch("/me/reminders/" + third, json::object{{"pinned", false}}).status, 200);
  post_reading(token, start + std::chrono::minutes(5), 27.0);
  EXPECT_TRUE(moved_to_measured_end(third));
}

// A batch whose reminders were confirmed before the hint existed has none: it is looked at, not skipped.
TEST_F(MeasuredModelApi, ABatchWithoutAHintIsLookedAt) {
  const TimePoint start = now() - std::chrono::hours(2);
  auto batch_id = water_kefir_started(start);
  const std::string token = attached_sensor(batch_id);
  const auto follows = confirm(batch_id, start + std::chrono::hours(48), "ready_to_bottle");
  SystemClock clock;
  store::SqliteItemStore store(server_->data_dir() + "/kefir.db", clock);
  ASSERT_TRUE(store.remove(keys::retime_hint(batch_id)));  // as a reminder of an older release would be
  post_reading(token, start, 27.0);
  EXPECT_LE(std::chrono::abs(time_of(reminder(follows).at("scheduledTime")) -
                             after_hours(start, 48 * std::pow(2.0, -0.5))),
            milliseconds(2));
}

}  // namespace
}  // namespace kefir::test
