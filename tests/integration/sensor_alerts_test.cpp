// Sensor alerts (issue 18): a fresh reading outside the culture's safe range sends one push through the
// reminder processor and records one `alert` event; further readings outside do not repeat it until one
// inside re-arms it.
#include <gtest/gtest.h>

#include <thread>

#include "integration/batches_support.hpp"
#include "support/fake_expo.hpp"

namespace kefir::test {
namespace {

class SensorAlerts : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.env = {{"EXPO_PUSH_URL", fake_.push_url()}, {"EXPO_RATE", "0"}, {"EXPO_RECEIPT_DELAY", "1"}};
    server_ = std::make_unique<ServerProcess>(config);
    auto signed_in = sign_in(*server_, unique_email("alerts"));
    api_ = ApiClient(server_->base_url(), signed_in.access_token);
    ASSERT_EQ(api_.post("/me/devices", json::object{{"deviceId", "phone"},
                                                    {"platform", "ios"},
                                                    {"token", "ExponentPushToken[alerts-phone]"}})
                  .status,
              201);
    batch_id_ = text(create_batch(api_, {{"name", "Milk jar"}, {"kind", "milk"}}).at("batchId"));
    auto created = api_.post("/me/sensors", json::object{{"name", "Jar probe"}});
    ASSERT_EQ(created.status, 201) << created.body;
    token_ = text(created.json().at("token"));
    auto sensor_id = text(created.json().at("sensor").at("sensorId"));
    ASSERT_EQ(api_.patch("/me/sensors/" + sensor_id, json::object{{"batchId", batch_id_}}).status, 200);
  }

  void post(double temperature_c) {
    auto response = ApiClient(server_->base_url())
                        .post("/ingest/" + token_, json::object{{"temperature", temperature_c}});
    ASSERT_TRUE(response.status == 201 || response.status == 202) << response.body;
  }

  std::vector<std::string> alert_events() {
    std::vector<std::string> out;
    for (const auto& event : list_all(api_, "/batches/" + batch_id_ + "/events", "events", 100))
      if (event.at("type") == "alert") out.push_back(text(event.at("description")));
    return out;
  }

  FakeExpo fake_;
  std::unique_ptr<ServerProcess> server_;
  ApiClient api_{""};
  std::string batch_id_;
  std::string token_;
};

TEST_F(SensorAlerts, OutOfRangeSendsOnePushAndOneEventUntilItRecovers) {
  post(24.0);  // milk kefir is safe at 18-28 °C
  post(31.0);
  ASSERT_TRUE(fake_.wait_for_accepted(1, std::chrono::seconds(20)));
  const auto first = fake_.accepted().at(0);
  EXPECT_EQ(first.message.at("body"), "Milk jar is at 31.0 °C, outside the safe 18-28 °C for milk kefir");
  EXPECT_EQ(first.data("type"), "alert");
  EXPECT_EQ(first.data("batchId"), batch_id_);
  EXPECT_EQ(alert_events(),
            std::vector<std::string>{"Milk jar is at 31.0 °C, outside the safe 18-28 °C for milk kefir"});

  post(32.5);  // still out: no repeat
  post(12.0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(fake_.accepted().size(), 1u);
  EXPECT_EQ(alert_events().size(), 1u);

  post(22.0);  // recovered: re-armed
  post(29.0);
  ASSERT_TRUE(fake_.wait_for_accepted(2, std::chrono::seconds(20)));
  EXPECT_EQ(fake_.accepted().at(1).message.at("body"),
            "Milk jar is at 29.0 °C, outside the safe 18-28 °C for milk kefir");
  EXPECT_EQ(alert_events().size(), 2u);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(fake_.accepted().size(), 2u);
}

TEST_F(SensorAlerts, ALateReadingTellsOfThePastAndRaisesNoAlert) {
  auto late = format_rfc3339(std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) -
                             std::chrono::hours(2));
  auto response = ApiClient(server_->base_url())
                      .post("/ingest/" + token_, json::object{{"temperature", 35.0}, {"time", late}});
  ASSERT_EQ(response.status, 201) << response.body;
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(fake_.accepted().empty());
  EXPECT_TRUE(alert_events().empty());
}

}  // namespace
}  // namespace kefir::test
