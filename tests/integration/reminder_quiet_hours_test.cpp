// Quiet hours and time zones end to end on the nights clocks change: the HTTP API on the Beast server, the
// reminder processor and the fake Expo, with the service's clock moved by hand (ManualClock) instead of
// waiting a night. A pass of the processor is run at each moment that matters, as the scheduler would.
#include <gtest/gtest.h>

#include <thread>

#include "app/adapters.hpp"
#include "app/app.hpp"
#include "http/server.hpp"
#include "jobs/reminder_processor.hpp"
#include "support/auth_helpers.hpp"
#include "support/fake_expo.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TimePoint at(std::string_view rfc3339) {
  return *parse_rfc3339(rfc3339);
}

class QuietHoursDelivery : public ::testing::Test {
 protected:
  void start(std::string_view now) {
    http::ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.upload_dir = (data_.path() / "tmp").string();
    server_ = std::make_unique<http::Server>(router_, options);
    base_url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    auto clock = std::make_unique<ManualClock>(at(now));
    clock_ = clock.get();
    app_ = std::make_unique<App>(load_config({{"STAGE", "dev"},
                                              {"DATA_DIR", data_.str()},
                                              {"PUBLIC_BASE_URL", base_url_},
                                              {"EXPO_PUSH_URL", expo_.push_url()},
                                              {"EXPO_RATE", "0"}}),
                                 router_, std::move(clock));
    processor_ = make_reminder_processor(app_->context());
    thread_ = std::thread([this] { server_->run(); });
    sign_in();
    auto device = api_.post(
        "/me/devices", {{"deviceId", "phone"}, {"platform", "ios"}, {"token", "ExponentPushToken[night]"}});
    ASSERT_EQ(device.status, 201) << device.body;
    auto batch = api_.post("/batches", {{"name", "Night batch"}, {"stage", "stage1_open"}});
    ASSERT_EQ(batch.status, 201) << batch.body;
    batch_id_ = std::string(batch.json().at("batch").at("batchId").as_string());
  }

  void TearDown() override {
    processor_.reset();
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }

  // Signs in with the mailed code: again after each move of the clock, which outlives access tokens.
  void sign_in() {
    ApiClient anonymous(base_url_);
    const auto known = count_mails(data_.str(), email_);
    ASSERT_EQ(anonymous.post("/auth/login", {{"email", email_}}).status, 202);
    auto code = wait_for_new_code(data_.str(), email_, known, 10s);
    ASSERT_FALSE(code.empty());
    auto verify = anonymous.post("/auth/verify", {{"email", email_}, {"code", code}});
    ASSERT_EQ(verify.status, 200) << verify.body;
    api_ = ApiClient(base_url_, std::string(verify.json().at("accessToken").as_string()));
  }

  void set_preferences(json::object preferences) {
    auto patched = api_.patch("/me", {{"preferences", std::move(preferences)}});
    ASSERT_EQ(patched.status, 200) << patched.body;
  }

  json::object confirm(std::string_view scheduled) {
    auto response = api_.post(
        "/batches/" + batch_id_ + "/reminders/confirm",
        {{"reminders", json::array{json::object{{"scheduledTime", scheduled}, {"message", "Taste it"}}}}});
    EXPECT_EQ(response.status, 201) << response.body;
    if (response.status != 201) return {};
    return response.json().at("reminders").at(0).as_object();
  }

  json::object reminder(const json::object& created) {
    const auto listed = api_.get("/me/reminders?includeAll=true").json();
    for (const auto& r : listed.at("reminders").as_array())
      if (r.at("reminderId") == created.at("reminderId")) return r.as_object();
    ADD_FAILURE() << "reminder not listed";
    return {};
  }

  // Moves the service's clock to `now` and runs one processor pass there; returns the messages Expo has.
  std::size_t pass_at(std::string_view now) {
    clock_->advance(at(now) - clock_->now());
    processor_->run_once(clock_->now() + 1min);
    return expo_.accepted().size();
  }

  TempDir data_;
  FakeExpo expo_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<App> app_;
  std::unique_ptr<jobs::ReminderProcessor> processor_;
  ManualClock* clock_ = nullptr;
  std::thread thread_;
  std::string base_url_;
  std::string email_ = unique_email("night");
  ApiClient api_;
  std::string batch_id_;
};

TEST_F(QuietHoursDelivery, ParisSpringForwardNightDeliversAt8LocalOnce) {
  start("2026-03-28T12:00:00Z");
  set_preferences({{"timezone", "Europe/Paris"}});
  // 23:00 CET on Saturday; that night 02:00 becomes 03:00, and 08:00 is CEST (06:00 UTC).
  auto created = confirm("2026-03-28T22:00:00Z");
  EXPECT_EQ(created.at("scheduledTime"), "2026-03-28T22:00:00.000Z");
  EXPECT_EQ(created.at("deliverAt"), "2026-03-29T06:00:00.000Z");

  EXPECT_EQ(pass_at("2026-03-28T22:00:01Z"), 0u);  // its scheduled time: held
  EXPECT_EQ(pass_at("2026-03-29T01:30:00Z"), 0u);  // 03:30 CEST, just after the jump
  EXPECT_EQ(pass_at("2026-03-29T05:59:59Z"), 0u);  // 07:59:59 CEST
  EXPECT_EQ(pass_at("2026-03-29T06:00:00Z"), 1u);
  EXPECT_EQ(pass_at("2026-03-29T09:00:00Z"), 1u);  // once
  const auto message = expo_.accepted().front();
  EXPECT_EQ(message.data("reminderId"), created.at("reminderId").as_string());
  sign_in();
  auto sent = reminder(created);
  EXPECT_EQ(sent.at("status"), "sent");
  EXPECT_EQ(sent.at("sentAt"), "2026-03-29T06:00:00.000Z");
}

TEST_F(QuietHoursDelivery, NewYorkFallBackNightHoldsBothShowingsOfTheRepeatedHourUntil8Local) {
  start("2026-10-31T16:00:00Z");
  set_preferences({{"timezone", "America/New_York"}});
  // 23:00 EDT on Oct 31, and 01:30 twice (EDT 05:30 UTC, EST 06:30 UTC): all at 08:00 EST, 13:00 UTC.
  auto evening = confirm("2026-11-01T03:00:00Z");
  auto first_half_past_one = confirm("2026-11-01T05:30:00Z");
  auto second_half_past_one = confirm("2026-11-01T06:30:00Z");
  for (const auto* created : {&evening, &first_half_past_one, &second_half_past_one})
    EXPECT_EQ(created->at("deliverAt"), "2026-11-01T13:00:00.000Z");

  EXPECT_EQ(pass_at("2026-11-01T06:30:00Z"), 0u);
  EXPECT_EQ(pass_at("2026-11-01T12:00:00Z"), 0u);  // 07:00 EST: 08:00 by summer time, but no longer summer
  EXPECT_EQ(pass_at("2026-11-01T13:00:00Z"), 3u);
  EXPECT_EQ(pass_at("2026-11-01T15:00:00Z"), 3u);
  EXPECT_EQ(
      expo_.accepted_by_reminder(),
      (std::map<std::string, int>{{std::string(evening.at("reminderId").as_string()), 1},
                                  {std::string(first_half_past_one.at("reminderId").as_string()), 1},
                                  {std::string(second_half_past_one.at("reminderId").as_string()), 1}}));
}

TEST_F(QuietHoursDelivery, WithQuietHoursOffA23HundredReminderGoesAt23Hundred) {
  start("2026-03-28T12:00:00Z");
  set_preferences({{"timezone", "Europe/Paris"}, {"quietHours", {{"enabled", false}}}});
  auto created = confirm("2026-03-28T22:00:00Z");
  EXPECT_EQ(created.at("deliverAt"), "2026-03-28T22:00:00.000Z");
  EXPECT_EQ(pass_at("2026-03-28T21:59:59Z"), 0u);
  EXPECT_EQ(pass_at("2026-03-28T22:00:00Z"), 1u);
  EXPECT_EQ(pass_at("2026-03-29T06:00:00Z"), 1u);
}

TEST_F(QuietHoursDelivery, ChangingTheZoneOrTheQuietHoursRetimesPendingReminders) {
  start("2026-03-07T12:00:00Z");
  // No zone chosen yet: a wall-clock window has no meaning, the reminder goes at its time.
  auto created = confirm("2026-03-08T04:00:00Z");
  EXPECT_EQ(created.at("deliverAt"), "2026-03-08T04:00:00.000Z");
  // UTC chosen: 04:00 is inside the default quiet hours.
  set_preferences({{"timezone", "UTC"}});
  EXPECT_EQ(reminder(created).at("deliverAt"), "2026-03-08T08:00:00.000Z");
  // In New York it is 23:00 EST on the eve of spring forward: held until 08:00 EDT, 12:00 UTC.
  set_preferences({{"timezone", "America/New_York"}});
  EXPECT_EQ(reminder(created).at("deliverAt"), "2026-03-08T12:00:00.000Z");
  // A snooze keeps following the preferences.
  auto snoozed = api_.patch("/me/reminders/" + std::string(created.at("reminderId").as_string()),
                            {{"scheduledTime", "2026-03-08T04:30:00Z"}});
  ASSERT_EQ(snoozed.status, 200) << snoozed.body;
  EXPECT_EQ(snoozed.json().at("reminder").at("deliverAt"), "2026-03-08T12:00:00.000Z");
  set_preferences({{"quietHours", {{"enabled", false}}}});
  EXPECT_EQ(reminder(created).at("deliverAt"), "2026-03-08T04:30:00.000Z");
  EXPECT_EQ(pass_at("2026-03-08T04:29:59Z"), 0u);
  EXPECT_EQ(pass_at("2026-03-08T04:30:00Z"), 1u);
}

TEST_F(QuietHoursDelivery, SuggestionsNameTimesInTheUsersZoneAndSayWhenQuietHoursHoldThem) {
  start("2026-03-28T08:00:00Z");  // 09:00 CET in Paris
  set_preferences({{"timezone", "Europe/Paris"}});
  // A 14-hour first fermentation started now.
  auto batch = api_.post("/batches", {{"name", "Quick"},
                                      {"stage", "stage1_open"},
                                      {"startDate", "2026-03-28T08:00:00Z"},
                                      {"targetDuration", 14}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  auto listed = api_.get("/batches/" + std::string(batch.json().at("batch").at("batchId").as_string()) +
                         "/reminders/suggestions");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto body = listed.json();
  const auto& suggestions = body.at("suggestions").as_array();
  ASSERT_EQ(suggestions.size(), 2u);
  // Midpoint: 7 h after 09:00 CET is 16:00, outside quiet hours.
  EXPECT_EQ(suggestions[0].at("suggestedTime"), "2026-03-28T15:00:00.000Z");
  EXPECT_EQ(suggestions[0].at("deliverAt"), "2026-03-28T15:00:00.000Z");
  EXPECT_TRUE(suggestions[0].at("description").as_string().starts_with("Due today 16:00. Halfway"))
      << suggestions[0].at("description");
  // End: 23:00 CET, held until 08:00 CEST after the night clocks spring forward.
  EXPECT_EQ(suggestions[1].at("suggestedTime"), "2026-03-28T22:00:00.000Z");
  EXPECT_EQ(suggestions[1].at("deliverAt"), "2026-03-29T06:00:00.000Z");
  EXPECT_TRUE(
      suggestions[1]
          .at("description")
          .as_string()
          .starts_with(
              "Due today 23:00, in your quiet hours: delivered tomorrow 08:00, when they end. End of"))
      << suggestions[1].at("description");
}

}  // namespace
}  // namespace kefir::test
