// Push delivery end to end: a real `kefir serve` sends confirmed reminders to a local fake Expo endpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "integration/batches_support.hpp"
#include "reminder_seeding.hpp"
#include "support/auth_helpers.hpp"
#include "support/fake_expo.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}
std::string at(TimePoint t) {
  return format_rfc3339(t);
}

class ReminderDelivery : public ::testing::Test {
 protected:
  void start_server(std::map<std::string, std::string> env = {}) {
    env.try_emplace("EXPO_PUSH_URL", fake_.push_url());
    env.try_emplace("EXPO_RATE", "0");
    env.try_emplace("EXPO_RECEIPT_DELAY", "1");
    ServerConfig config;
    config.env = std::move(env);
    server_ = std::make_unique<ServerProcess>(config);
    auto signed_in = sign_in(*server_, unique_email("delivery"));
    user_id_ = signed_in.user_id;
    api_ = ApiClient(server_->base_url(), signed_in.access_token);
    auto batch = api_.post("/batches", json::object{{"name", "Hibiscus"}, {"stage", "stage1_open"}});
    ASSERT_EQ(batch.status, 201) << batch.body;
    batch_id_ = std::string(batch.json().at("batch").at("batchId").as_string());
  }

  void register_device(const std::string& device_id, const std::string& token) {
    auto response = api_.post("/me/devices",
                              json::object{{"deviceId", device_id}, {"platform", "ios"}, {"token", token}});
    ASSERT_EQ(response.status, 201) << response.body;
  }

  json::object confirm(TimePoint when, std::string message = "Time to taste your kefir") {
    auto response = api_.post(
        "/batches/" + batch_id_ + "/reminders/confirm",
        json::object{{"reminders",
                      json::array{json::object{
                          {"scheduledTime", at(when)}, {"message", message}, {"type", "midpoint_check"}}}}});
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json().at("reminders").at(0).as_object();
  }

  json::object reminder(const std::string& id) { return listed_reminder(api_, id); }

  // Polls the reminder until `done` holds; returns its last state.
  json::object wait_for_reminder(const std::string& id, const std::function<bool(const json::object&)>& done,
                                 milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto current = reminder(id);
    while (!done(current) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(200));
      current = reminder(id);
    }
    return current;
  }

  // The change feed's cursor now: what /sync?since= takes.
  std::string sync_cursor() {
    auto response = api_.get("/sync");
    EXPECT_EQ(response.status, 200) << response.body;
    return std::string(response.json().at("next").as_string());
  }

  // The reminders the change feed reports updated since `since`, by id, as the latest page names them.
  std::map<std::string, json::object> reminders_updated_since(std::string since) {
    std::map<std::string, json::object> updated;
    for (bool more = true; more;) {
      auto page = api_.get("/sync?since=" + since);
      EXPECT_EQ(page.status, 200) << page.body;
      if (page.status != 200) break;
      const auto body = page.json();
      for (const auto& record : body.at("changes").at("reminders").at("updated").as_array())
        updated[std::string(record.at("id").as_string())] = record.as_object();
      more = body.at("more").as_bool();
      since = body.at("next").as_string();
    }
    return updated;
  }

  std::vector<std::string> device_ids() {
    std::vector<std::string> out;
    const auto listed = api_.get("/me/devices").json();
    for (const auto& d : listed.at("devices").as_array()) out.emplace_back(d.at("deviceId").as_string());
    return out;
  }

  static bool settled(const json::object& r) {
    return r.at("status") == "sent" || r.at("status") == "failed";
  }

  FakeExpo fake_;
  std::unique_ptr<ServerProcess> server_;
  ApiClient api_{""};
  std::string user_id_;
  std::string batch_id_;
};

TEST_F(ReminderDelivery, AConfirmedReminderArrivesWithinTenSecondsOfItsTimeWithTheRightFields) {
  start_server(
      {{"EXPO_ACCESS_TOKEN", "expo-test-token"}});  // the default 300 s sweep: only the wake-up is fast
  register_device("phone", "ExponentPushToken[phone-token]");
  register_device("tablet", "ExpoPushToken[tablet-token]");
  const auto due = now() + seconds(3);
  auto created = confirm(due, "Halfway check: taste your water kefir");
  const std::string id(created.at("reminderId").as_string());

  ASSERT_TRUE(fake_.wait_for_accepted(2, seconds(15)));
  auto messages = fake_.accepted();
  ASSERT_EQ(messages.size(), 2u);
  std::set<std::string> tokens;
  for (const auto& m : messages) {
    tokens.insert(std::string(m.message.at("to").as_string()));
    EXPECT_EQ(m.message.at("title"), "Kefir reminder");
    EXPECT_EQ(m.message.at("body"), "Halfway check: taste your water kefir");
    EXPECT_EQ(m.message.at("data"),
              (json::object{{"batchId", batch_id_}, {"reminderId", id}, {"type", "midpoint_check"}}));
    EXPECT_EQ(m.message.at("sound"), "default");
    EXPECT_EQ(m.message.at("priority"), "high");
    EXPECT_EQ(m.authorization, "Bearer expo-test-token");
    EXPECT_EQ(m.request_size, 2u);  // both devices in one request
    EXPECT_GE(m.received_at, due - milliseconds(50));
    EXPECT_LT(m.received_at, due + seconds(10));
  }
  EXPECT_EQ(tokens, (std::set<std::string>{"ExponentPushToken[phone-token]", "ExpoPushToken[tablet-token]"}));

  auto sent = wait_for_reminder(id, settled, seconds(10));
  EXPECT_EQ(sent.at("status"), "sent");
  EXPECT_FALSE(sent.at("sentAt").is_null());
  EXPECT_EQ(sent.at("attempts"), 1);
  EXPECT_TRUE(api_.get("/me/reminders").json().at("reminders").as_array().empty());
}

TEST_F(ReminderDelivery, ALowExpoRateSpreadsRemindersDueAtOnce) {
  start_server({{"EXPO_RATE", "40"}});
  register_device("phone", "ExponentPushToken[rate]");
  const auto due = now() + std::chrono::seconds(3);
  for (int call = 0; call < 16; ++call) {
    json::array reminders;
    for (int i = 0; i < 10; ++i)
      reminders.push_back(
          json::object{{"scheduledTime", at(due)}, {"message", "Taste " + std::to_string(i)}});
    auto response =
        api_.post("/batches/" + batch_id_ + "/reminders/confirm", json::object{{"reminders", reminders}});
    ASSERT_EQ(response.status, 201) << response.body;
  }
  ASSERT_TRUE(fake_.wait_for_accepted(160, std::chrono::seconds(30)));
  auto messages = fake_.accepted();
  auto [first, last] =
      std::minmax_element(messages.begin(), messages.end(),
                          [](const auto& a, const auto& b) { return a.received_at < b.received_at; });
  // 40 at once, then 40 a second: the last 40 arrive at least three seconds after the first.
  EXPECT_GE(last->received_at - first->received_at, std::chrono::milliseconds(2900));
  for (const auto& m : messages) EXPECT_LE(m.request_size, 40u);
}

TEST_F(ReminderDelivery, DeviceNotRegisteredDeletesTheDevice) {
  start_server();
  register_device("old-phone", "ExponentPushToken[uninstalled]");
  register_device("new-phone", "ExponentPushToken[installed]");
  fake_.set_ticket_error("ExponentPushToken[uninstalled]", "DeviceNotRegistered");
  auto created = confirm(now() + seconds(2));
  auto sent = wait_for_reminder(std::string(created.at("reminderId").as_string()), settled, seconds(15));
  EXPECT_EQ(sent.at("status"), "sent");  // the other device got it
  EXPECT_EQ(device_ids(), std::vector<std::string>{"new-phone"});
  ASSERT_EQ(fake_.accepted().size(), 1u);
  EXPECT_EQ(fake_.accepted()[0].message.at("to"), "ExponentPushToken[installed]");
}

TEST_F(ReminderDelivery, ServerErrorsAreRetriedWithBackoffThenSentOnce) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  fake_.fail_next_sends(2, 500);
  auto created = confirm(now() + seconds(2));
  const std::string id(created.at("reminderId").as_string());
  auto sent = wait_for_reminder(id, settled, seconds(30));
  EXPECT_EQ(sent.at("status"), "sent");
  EXPECT_EQ(sent.at("attempts"), 3);
  EXPECT_EQ(fake_.send_requests(), 3u);
  EXPECT_EQ(fake_.accepted_by_reminder(), (std::map<std::string, int>{{id, 1}}));
  // The retries waited (about 1 s, then 2 s) instead of hammering the service.
  auto received = fake_.messages();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_GE(received[1].received_at - received[0].received_at, milliseconds(700));
  EXPECT_GE(received[2].received_at - received[1].received_at, milliseconds(1400));
}

TEST_F(ReminderDelivery, ThrottlingIsRetriedToo) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  fake_.fail_next_sends(1, 429);
  auto created = confirm(now() + seconds(2));
  auto sent = wait_for_reminder(std::string(created.at("reminderId").as_string()), settled, seconds(20));
  EXPECT_EQ(sent.at("status"), "sent");
  EXPECT_EQ(sent.at("attempts"), 2);
}

TEST_F(ReminderDelivery, FailsAfterFiveAttempts) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  fake_.fail_next_sends(1000, 503);
  auto created = confirm(now() + seconds(1));
  auto failed = wait_for_reminder(std::string(created.at("reminderId").as_string()), settled, seconds(60));
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("attempts"), 5);
  EXPECT_EQ(failed.at("failureReason"), "attempts_exhausted: http_503");
  EXPECT_EQ(fake_.send_requests(), 5u);
  auto received = fake_.messages();
  EXPECT_LT(received.back().received_at - received.front().received_at, seconds(120));
}

TEST_F(ReminderDelivery, AUserWithoutDevicesGetsNoDevices) {
  start_server();
  auto created = confirm(now() + seconds(2));
  auto failed = wait_for_reminder(std::string(created.at("reminderId").as_string()), settled, seconds(15));
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("failureReason"), "no_devices");
  EXPECT_EQ(fake_.send_requests(), 0u);
}

TEST_F(ReminderDelivery, NotificationsTurnedOffGetNotificationsDisabled) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  ASSERT_EQ(
      api_.patch("/me", json::object{{"preferences", json::object{{"notificationsEnabled", false}}}}).status,
      200);
  auto created = confirm(now() + seconds(2));
  auto failed = wait_for_reminder(std::string(created.at("reminderId").as_string()), settled, seconds(15));
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("failureReason"), "notifications_disabled");
  EXPECT_EQ(fake_.send_requests(), 0u);
}

// Clients hear of the processor's outcomes through the change feed: one entry per user per round, appended
// when the round ends (reminder_processor.cpp says why not in each outcome's own transaction).
TEST_F(ReminderDelivery, TheOutcomesOfARoundReachTheChangeFeedInOneEntry) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  const auto due = now() + seconds(2);
  const std::string first(confirm(due, "first").at("reminderId").as_string());
  const std::string second(confirm(due, "second").at("reminderId").as_string());
  const auto since = sync_cursor();

  for (const auto& id : {first, second})
    ASSERT_EQ(wait_for_reminder(id, settled, seconds(15)).at("status"), "sent");
  // Both are sent: the round that sent them ends a moment later, and its entry follows.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  auto page = api_.get("/sync?limit=1&since=" + since);
  while (page.status == 200 && page.json().at("changes").at("reminders").at("updated").as_array().empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    page = api_.get("/sync?limit=1&since=" + since);
  }
  ASSERT_EQ(page.status, 200) << page.body;
  const auto body = page.json();
  std::map<std::string, std::string> updated;
  for (const auto& record : body.at("changes").at("reminders").at("updated").as_array())
    updated[std::string(record.at("id").as_string())] = record.at("status").as_string();
  EXPECT_EQ(updated, (std::map<std::string, std::string>{{first, "sent"}, {second, "sent"}})) << page.body;
  EXPECT_FALSE(body.at("more").as_bool()) << "both in the first entry, and nothing else: " << page.body;
}

TEST_F(ReminderDelivery, ACompletedReminderIsNeverSent) {
  start_server();
  register_device("phone", "ExponentPushToken[phone]");
  auto done = confirm(now() + seconds(2), "done already");
  auto canary = confirm(now() + seconds(3), "canary");
  ASSERT_EQ(api_.post("/me/reminders/" + std::string(done.at("reminderId").as_string()) + "/complete",
                      json::object{})
                .status,
            200);
  // Once the later one has gone out, the processor has been past the earlier one's time.
  auto sent = wait_for_reminder(std::string(canary.at("reminderId").as_string()), settled, seconds(15));
  EXPECT_EQ(sent.at("status"), "sent");
  ASSERT_EQ(fake_.accepted().size(), 1u);
  EXPECT_EQ(fake_.accepted()[0].message.at("body"), "canary");
  auto completed = reminder(std::string(done.at("reminderId").as_string()));
  EXPECT_EQ(completed.at("completed"), true);
  EXPECT_TRUE(completed.at("sentAt").is_null());
}

TEST_F(ReminderDelivery, ReceiptsRemoveDeadDevicesAndRecordOtherErrors) {
  start_server({{"EXPO_RECEIPT_DELAY", "4"}});  // time to see the sent reminder in the feed first
  register_device("dead", "ExponentPushToken[dead]");
  register_device("big", "ExponentPushToken[big]");
  fake_.set_receipt_error("ExponentPushToken[dead]", "DeviceNotRegistered");
  fake_.set_receipt_error("ExponentPushToken[big]", "MessageTooBig");
  auto created = confirm(now() + seconds(2));
  const std::string id(created.at("reminderId").as_string());
  ASSERT_EQ(wait_for_reminder(id, settled, seconds(15)).at("status"), "sent");
  // The round's entry follows its outcomes within moments: past it, only the receipt changes the reminder.
  const auto sent_read = sync_cursor();
  const auto round_deadline = std::chrono::steady_clock::now() + seconds(1);
  while (!reminders_updated_since(sent_read).contains(id) &&
         std::chrono::steady_clock::now() < round_deadline)
    std::this_thread::sleep_for(milliseconds(50));
  const auto since = sync_cursor();
  ASSERT_TRUE(reminder(id).at("receiptError").is_null()) << "the receipt came before the cursor";
  ASSERT_TRUE(fake_.wait_for_receipt_requests(1, seconds(20)));
  auto recorded = wait_for_reminder(
      id, [](const json::object& r) { return !r.at("receiptError").is_null(); }, seconds(10));
  EXPECT_EQ(recorded.at("status"), "sent");
  EXPECT_EQ(recorded.at("receiptError"), "MessageTooBig");
  // The receipt's error is committed with its own change-log entry: the feed has it as soon as a read does.
  auto fed = reminders_updated_since(since);
  ASSERT_TRUE(fed.contains(id));
  EXPECT_EQ(fed.at(id).at("receiptError"), "MessageTooBig");
  // The two receipts are handled one after the other, in either order: the removal may come just after.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (device_ids().size() > 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(device_ids(), std::vector<std::string>{"big"});
  EXPECT_EQ(fake_.receipt_ids_requested().size(), 2u);
}

TEST_F(ReminderDelivery, MessageRateExceededInAReceiptResendsOnce) {
  start_server();
  register_device("phone", "ExponentPushToken[busy]");
  register_device("tablet", "ExponentPushToken[calm]");
  fake_.set_receipt_error("ExponentPushToken[busy]", "MessageRateExceeded");
  auto created = confirm(now() + seconds(2));
  const std::string id(created.at("reminderId").as_string());
  ASSERT_TRUE(fake_.wait_for_accepted(3, seconds(20)));
  // Its resend is refused too, but there is only one: give a second one every chance to happen.
  fake_.wait_for_receipt_requests(3, seconds(6));
  std::this_thread::sleep_for(seconds(3));
  auto messages = fake_.accepted();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].message.at("to"), "ExponentPushToken[busy]");  // only the refused device again
  EXPECT_EQ(reminder(id).at("status"), "sent");
}

TEST_F(ReminderDelivery, ThePeriodicSweepFindsRemindersNobodyAnnounced) {
  start_server({{"REMINDER_INTERVAL", "2"}});
  std::this_thread::sleep_for(milliseconds(500));
  SystemClock clock;
  SeededBacklog seeded;
  {
    // Written behind the server's back (as another instance would): no wake-up call, only the sweep.
    store::SqliteItemStore store(server_->data_dir() + "/kefir.db", clock);
    seeded = seed_reminder_backlog(store, {.users = 1, .reminders_per_user = 3, .due = now() - seconds(1)});
  }
  ASSERT_TRUE(fake_.wait_for_accepted(3, seconds(10)));
  std::map<std::string, int> want;
  for (const auto& id : seeded.reminder_ids) want[id] = 1;
  EXPECT_EQ(fake_.accepted_by_reminder(), want);
}

TEST_F(ReminderDelivery, ShutdownReleasesClaimsSoTheNextProcessDeliversWithoutWaitingForLeases) {
  TempDir data;
  std::map<std::string, std::string> env = {{"DATA_DIR", data.str()}};
  start_server(env);
  register_device("phone", "ExponentPushToken[phone]");
  fake_.hold_sends(true);
  auto created = confirm(now() + seconds(1));
  ASSERT_TRUE(fake_.wait_for_received(1, seconds(15)));
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->terminate(), 0);
  server_.reset();
  {
    SystemClock clock;
    store::SqliteItemStore store(data.str() + "/kefir.db", clock);
    EXPECT_EQ(reminder_statuses(store, user_id_), std::vector<std::string>{"pending"});
  }
  fake_.hold_sends(false);
  ServerConfig config;
  config.env = {{"DATA_DIR", data.str()}, {"EXPO_PUSH_URL", fake_.push_url()}, {"EXPO_RATE", "0"}};
  ServerProcess next(config);
  ASSERT_TRUE(fake_.wait_for_accepted(1, seconds(30)));
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, seconds(45));  // well inside the 60 s lease
  EXPECT_EQ(fake_.accepted_by_reminder(),
            (std::map<std::string, int>{{std::string(created.at("reminderId").as_string()), 1}}));
}

}  // namespace
}  // namespace kefir::test
