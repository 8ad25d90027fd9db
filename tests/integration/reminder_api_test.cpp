// Every reminder endpoint of SPEC §5 against a real `kefir serve`: suggestions from the fermentation model,
// confirm with its limits, listings and aliases, snooze, complete, cancel, and what archiving or deleting a
// batch or an account does to reminders.
#include <gtest/gtest.h>

#include <cmath>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "domain/keys.hpp"
#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "util/time.hpp"

namespace kefir::test {
namespace {

namespace json = boost::json;

TimePoint now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}
std::string at(TimePoint t) {
  return format_rfc3339(t);
}
TimePoint time_of(const json::value& v) {
  return *parse_rfc3339(std::string(v.as_string()));
}
double hours_between(TimePoint a, TimePoint b) {
  return std::chrono::duration<double, std::ratio<3600>>(b - a).count();
}

class ReminderApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    auto signed_in = sign_in(*server_, unique_email("reminders"));
    user_id_ = signed_in.user_id;
    api_ = ApiClient(server_->base_url(), signed_in.access_token);
  }

  std::string create_batch(json::object body) {
    if (!body.contains("name")) body["name"] = "Test batch";
    if (!body.contains("stage")) body["stage"] = "stage1_open";
    auto response = api_.post("/batches", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(response.json().at("batch").at("batchId").as_string());
  }

  HttpResponse confirm(const std::string& batch_id, json::array reminders) {
    return api_.post("/batches/" + batch_id + "/reminders/confirm", json::object{{"reminders", reminders}});
  }

  json::object confirm_one(const std::string& batch_id, TimePoint when, std::string message = "Check it") {
    auto response = confirm(batch_id, {json::object{{"scheduledTime", at(when)}, {"message", message}}});
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json().at("reminders").at(0).as_object();
  }

  json::array suggestions(const std::string& batch_id) {
    auto response = api_.get("/batches/" + batch_id + "/reminders/suggestions");
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json().at("suggestions").as_array();
  }

  json::array list(const std::string& path) {
    auto response = api_.get(path);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json().at("reminders").as_array();
  }

  static std::vector<std::string> ids(const json::array& reminders) {
    std::vector<std::string> out;
    for (const auto& r : reminders) out.emplace_back(r.at("reminderId").as_string());
    return out;
  }

  static std::vector<std::string> problem_fields(const HttpResponse& response) {
    std::vector<std::string> out;
    const auto body = response.json();
    for (const auto& d : body.at("details").as_array()) out.emplace_back(d.at("field").as_string());
    return out;
  }

  static ServerProcess* server_;
  ApiClient api_{""};
  std::string user_id_;
};

ServerProcess* ReminderApi::server_ = nullptr;

TEST_F(ReminderApi, SuggestsMidpointAndEndOfAWaterKefirAt22Degrees) {
  const auto start = now() - hours(1);
  auto id = create_batch({{"kind", "water"}, {"temperature", 22}, {"startDate", at(start)}});
  auto response = api_.get("/batches/" + id + "/reminders/suggestions");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto listed = response.json().at("suggestions").as_array();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].at("type"), "midpoint_check");
  EXPECT_EQ(time_of(listed[0].at("suggestedTime")), start + hours(24));
  EXPECT_EQ(listed[1].at("type"), "ready_to_bottle");
  EXPECT_EQ(time_of(listed[1].at("suggestedTime")), start + hours(48));
  for (const auto& s : listed) {
    EXPECT_FALSE(s.at("message").as_string().empty());
    EXPECT_NE(std::string(s.at("description").as_string()).find("22 °C"), std::string::npos);
  }
}

TEST_F(ReminderApi, SuggestionsFollowTemperatureTargetsAndLeaveOutThePast) {
  const auto start = now() - hours(1);
  auto warm = create_batch({{"temperature", 26}, {"startDate", at(start)}});
  auto end = suggestions(warm).at(1);
  EXPECT_NEAR(hours_between(start, time_of(end.at("suggestedTime"))), 48 * std::pow(2.0, -0.4), 0.01);

  auto explicit_target = create_batch({{"targetDuration", 30}, {"startDate", at(start)}});
  end = suggestions(explicit_target).at(1);
  EXPECT_EQ(time_of(end.at("suggestedTime")), start + hours(30));

  auto half_way = create_batch({{"temperature", 22}, {"startDate", at(now() - hours(30))}});
  const auto left = suggestions(half_way);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.at(0).at("type"), "ready_to_bottle");

  auto bottled = create_batch({{"stage", "stage2_bottled"},
                               {"startDate", at(start - hours(48))},
                               {"stage2StartDate", at(start)},
                               {"stage2TargetDuration", 72}});
  std::vector<std::string> types;
  for (const auto& s : suggestions(bottled)) types.emplace_back(s.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"burp_bottles", "carbonation_check", "burp_bottles",
                                             "move_to_fridge"}));
}

TEST_F(ReminderApi, SuggestionsAreCalibratedByTheUsersOwnFinishedBatches) {
  // Three water kefirs that were bottled 40 h after they started, at 22 °C.
  for (int i = 0; i < 3; ++i) {
    const auto started = now() - hours(24 * (10 + i));
    create_batch({{"stage", "stage2_bottled"},
                  {"temperature", 22},
                  {"startDate", at(started)},
                  {"stage2StartDate", at(started + hours(40))}});
  }
  const auto start = now() - hours(1);
  auto id = create_batch({{"temperature", 22}, {"startDate", at(start)}});
  const auto listed = suggestions(id);
  EXPECT_EQ(time_of(listed.at(1).at("suggestedTime")), start + hours(40));
  EXPECT_NE(std::string(listed.at(1).at("description").as_string()).find("Calibrated from your 3 finished"),
            std::string::npos)
      << listed.at(1).at("description");

  // Milk kefir has no history yet: the textbook 24 h.
  auto milk = create_batch({{"kind", "milk"}, {"temperature", 22}, {"startDate", at(start)}});
  const auto milk_suggestions = suggestions(milk);
  EXPECT_EQ(time_of(milk_suggestions.at(1).at("suggestedTime")), start + hours(24));
}

TEST_F(ReminderApi, SecondFermentationCalibrationReadsWhenBatchesWentToTheFridge) {
  for (int i = 0; i < 3; ++i) {
    auto id = create_batch({{"stage", "stage2_bottled"},
                            {"temperature", 22},
                            {"startDate", at(now() - hours(80))},
                            {"stage2StartDate", at(now() - hours(30))}});
    ASSERT_EQ(api_.patch("/batches/" + id, json::object{{"status", "in_fridge"}}).status, 200);
  }
  const auto start = now() - hours(1);
  auto id = create_batch({{"stage", "stage2_bottled"},
                          {"temperature", 22},
                          {"startDate", at(start - hours(48))},
                          {"stage2StartDate", at(start)}});
  const auto listed = suggestions(id);
  const auto& end = listed.at(listed.size() - 1);
  EXPECT_EQ(end.at("type"), "move_to_fridge");
  EXPECT_NEAR(hours_between(start, time_of(end.at("suggestedTime"))), 30, 0.05);
  EXPECT_NE(std::string(end.at("description").as_string()).find("Calibrated from your 3"), std::string::npos);
}

TEST_F(ReminderApi, SuggestionsOfAnotherUsersBatchAreNotFound) {
  auto id = create_batch({});
  ApiClient stranger(server_->base_url(), sign_in(*server_, unique_email("stranger")).access_token);
  EXPECT_EQ(stranger.get("/batches/" + id + "/reminders/suggestions").status, 404);
  EXPECT_EQ(stranger.get("/batches/" + id + "/reminders").status, 404);
  EXPECT_EQ(
      stranger
          .post("/batches/" + id + "/reminders/confirm",
                json::object{{"reminders", json::array{json::object{{"scheduledTime", at(now() + hours(1))},
                                                                    {"message", "x"}}}}})
          .status,
      404);
  EXPECT_EQ(api_.get("/batches/00000000-0000-7000-8000-000000000000/reminders/suggestions").status, 404);
}

TEST_F(ReminderApi, ConfirmCreatesPendingRemindersSortedByTime) {
  auto id = create_batch({{"name", "Ginger lemon"}});
  const auto later = now() + hours(10);
  const auto sooner = now() + hours(2);
  auto response = confirm(
      id, {json::object{{"scheduledTime", at(later)}, {"message", "Bottle"}, {"type", "ready_to_bottle"}},
           json::object{{"scheduledTime", at(sooner)}, {"message", "Taste"}}});
  ASSERT_EQ(response.status, 201) << response.body;
  const auto created = response.json().at("reminders").as_array();
  ASSERT_EQ(created.size(), 2u);
  const auto& first = created[0].as_object();
  EXPECT_EQ(time_of(first.at("scheduledTime")), sooner);
  EXPECT_EQ(first.at("type"), "custom");
  EXPECT_EQ(first.at("message"), "Taste");
  EXPECT_EQ(first.at("status"), "pending");
  EXPECT_EQ(first.at("completed"), false);
  EXPECT_EQ(first.at("batchId").as_string(), id);
  EXPECT_EQ(first.at("batchName"), "Ginger lemon");
  EXPECT_EQ(first.at("userId").as_string(), user_id_);
  EXPECT_EQ(first.at("attempts"), 0);
  EXPECT_TRUE(first.at("sentAt").is_null());
  EXPECT_EQ(created[1].at("type"), "ready_to_bottle");

  auto listed = list("/batches/" + id + "/reminders");
  EXPECT_EQ(ids(listed), ids(created));
}

TEST_F(ReminderApi, ConfirmValidatesCountTimesAndMessages) {
  auto id = create_batch({});
  auto empty = confirm(id, {});
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json().at("code"), "VALIDATION_ERROR");

  json::array eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back(json::object{{"scheduledTime", at(now() + hours(i + 1))}, {"message", "m"}});
  EXPECT_EQ(confirm(id, eleven).status, 400);

  auto bad = confirm(
      id, {json::object{{"scheduledTime", at(now() - minutes(1))}, {"message", "m"}},
           json::object{{"scheduledTime", at(now() + hours(24 * 61))}, {"message", "m"}},
           json::object{{"scheduledTime", at(now() + hours(1))}, {"message", std::string(201, 'x')}},
           json::object{{"scheduledTime", at(now() + hours(1))}, {"message", "m"}, {"colour", "red"}}});
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(problem_fields(bad),
            (std::vector<std::string>{"reminders[0].scheduledTime", "reminders[1].scheduledTime",
                                      "reminders[2].message", "reminders[3].colour"}));
  EXPECT_TRUE(list("/batches/" + id + "/reminders").empty());  // nothing of a rejected request is kept
}

TEST_F(ReminderApi, ConfirmOnAnArchivedBatchIsAConflict) {
  auto id = create_batch({});
  ASSERT_EQ(api_.del("/batches/" + id).status, 200);
  auto response = confirm(id, {json::object{{"scheduledTime", at(now() + hours(1))}, {"message", "m"}}});
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json().at("code"), "CONFLICT");
}

TEST_F(ReminderApi, AtMostFiveHundredPendingRemindersPerUser) {
  auto id = create_batch({});
  for (int round = 0; round < 50; ++round) {
    json::array ten;
    for (int i = 0; i < 10; ++i)
      ten.push_back(
          json::object{{"scheduledTime", at(now() + hours(1) + minutes(round * 10 + i))}, {"message", "m"}});
    ASSERT_EQ(confirm(id, ten).status, 201) << round;
  }
  auto over = confirm(id, {json::object{{"scheduledTime", at(now() + hours(2))}, {"message", "one more"}}});
  EXPECT_EQ(over.status, 409);
  // Completing one frees a place.
  auto first = list("/me/reminders").at(0).at("reminderId").as_string();
  ASSERT_EQ(api_.post("/me/reminders/" + std::string(first) + "/complete", json::object{}).status, 200);
  EXPECT_EQ(
      confirm(id, {json::object{{"scheduledTime", at(now() + hours(2))}, {"message", "one more"}}}).status,
      201);
}

TEST_F(ReminderApi, MyRemindersListPendingOnesUnlessIncludeAll) {
  auto id = create_batch({});
  auto keep = confirm_one(id, now() + hours(3));
  auto done = confirm_one(id, now() + hours(1));
  auto dropped = confirm_one(id, now() + hours(2));
  ASSERT_EQ(api_.post("/me/reminders/" + std::string(done.at("reminderId").as_string()) + "/complete",
                      json::object{})
                .status,
            200);
  ASSERT_EQ(api_.del("/me/reminders/" + std::string(dropped.at("reminderId").as_string())).status, 200);

  EXPECT_EQ(ids(list("/me/reminders")), ids(json::array{keep}));
  EXPECT_EQ(ids(list("/me/reminders?includeAll=false")), ids(json::array{keep}));
  EXPECT_EQ(ids(list("/me/reminders?includeAll=true")), ids(json::array{done, dropped, keep}));
  // The mobile alias: `completed` means includeAll.
  EXPECT_EQ(ids(list("/reminders?completed=false")), ids(json::array{keep}));
  EXPECT_EQ(ids(list("/reminders?completed=true")), ids(json::array{done, dropped, keep}));
  EXPECT_EQ(api_.get("/me/reminders?includeAll=yes").status, 400);
  EXPECT_EQ(api_.get("/reminders?completed=1").status, 400);

  // Another user sees none of them.
  ApiClient stranger(server_->base_url(), sign_in(*server_, unique_email("stranger")).access_token);
  EXPECT_TRUE(stranger.get("/me/reminders?includeAll=true").json().at("reminders").as_array().empty());
}

TEST_F(ReminderApi, PatchReschedulesAndEditsAPendingReminder) {
  auto id = create_batch({});
  auto reminder = confirm_one(id, now() + hours(1));
  const std::string path = "/me/reminders/" + std::string(reminder.at("reminderId").as_string());
  const auto snoozed = now() + hours(5);
  auto response = api_.patch(path, json::object{{"scheduledTime", at(snoozed)}, {"message", "Snoozed"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(time_of(response.json().at("reminder").at("scheduledTime")), snoozed);
  EXPECT_EQ(response.json().at("reminder").at("message"), "Snoozed");
  EXPECT_EQ(list("/me/reminders").at(0).at("message"), "Snoozed");

  EXPECT_EQ(api_.patch(path, json::object{{"scheduledTime", at(now() - hours(1))}}).status, 400);
  EXPECT_EQ(api_.patch(path, json::object{{"scheduledTime", at(now() + hours(24 * 61))}}).status, 400);
  EXPECT_EQ(api_.patch(path, json::object{{"message", ""}}).status, 400);
  EXPECT_EQ(api_.patch(path, json::object{{"status", "sent"}}).status, 400);

  ASSERT_EQ(api_.del(path).status, 200);
  auto not_pending = api_.patch(path, json::object{{"message", "too late"}});
  EXPECT_EQ(not_pending.status, 409);
  EXPECT_EQ(not_pending.json().at("code"), "CONFLICT");

  EXPECT_EQ(
      api_.patch("/me/reminders/6f1c1a52-50c4-4c0d-8f31-0e6c2b8f1a11", json::object{{"message", "x"}}).status,
      404);
  ApiClient stranger(server_->base_url(), sign_in(*server_, unique_email("stranger")).access_token);
  EXPECT_EQ(stranger.patch(path, json::object{{"message", "mine now"}}).status, 404);
}

TEST_F(ReminderApi, CompleteMarksDoneThroughBothPaths) {
  auto id = create_batch({});
  auto a = confirm_one(id, now() + hours(1));
  auto b = confirm_one(id, now() + hours(2));
  auto first =
      api_.post("/me/reminders/" + std::string(a.at("reminderId").as_string()) + "/complete", json::object{});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("reminder").at("completed"), true);
  EXPECT_FALSE(first.json().at("reminder").at("completedAt").is_null());
  // Completing again changes nothing.
  auto again =
      api_.post("/me/reminders/" + std::string(a.at("reminderId").as_string()) + "/complete", json::object{});
  EXPECT_EQ(again.json().at("reminder").at("completedAt"), first.json().at("reminder").at("completedAt"));

  auto alias =
      api_.post("/reminders/" + std::string(b.at("reminderId").as_string()) + "/complete", json::object{});
  ASSERT_EQ(alias.status, 200);
  EXPECT_EQ(alias.json().at("reminder").at("completed"), true);
  EXPECT_TRUE(list("/me/reminders").empty());
  EXPECT_EQ(api_.post("/reminders/6f1c1a52-50c4-4c0d-8f31-0e6c2b8f1a11/complete", json::object{}).status,
            404);
}

TEST_F(ReminderApi, DeleteCancels) {
  auto id = create_batch({});
  auto reminder = confirm_one(id, now() + hours(1));
  const std::string path = "/me/reminders/" + std::string(reminder.at("reminderId").as_string());
  auto response = api_.del(path);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json().at("reminder").at("status"), "cancelled");
  EXPECT_EQ(api_.del(path).status, 200);  // cancelling twice is still cancelled
  EXPECT_EQ(list("/batches/" + id + "/reminders").at(0).at("status"), "cancelled");
  EXPECT_EQ(api_.del("/me/reminders/not-a-uuid").status, 404);
}

TEST_F(ReminderApi, ArchivingABatchCancelsItsPendingReminders) {
  auto archived = create_batch({});
  auto other = create_batch({});
  confirm_one(archived, now() + hours(1));
  confirm_one(archived, now() + hours(2));
  auto untouched = confirm_one(other, now() + hours(1));
  ASSERT_EQ(api_.patch("/batches/" + archived, json::object{{"status", "archived"}}).status, 200);
  for (const auto& r : list("/batches/" + archived + "/reminders")) EXPECT_EQ(r.at("status"), "cancelled");
  EXPECT_EQ(ids(list("/me/reminders")), ids(json::array{untouched}));
}

TEST_F(ReminderApi, DeletingABatchOrTheAccountDeletesReminders) {
  auto gone = create_batch({});
  auto kept = create_batch({});
  confirm_one(gone, now() + hours(1));
  auto survivor = confirm_one(kept, now() + hours(1));
  ASSERT_EQ(api_.del("/batches/" + gone + "?permanent=true").status, 204);
  EXPECT_EQ(ids(list("/me/reminders?includeAll=true")), ids(json::array{survivor}));

  ASSERT_EQ(api_.del("/me").status, 204);
  SystemClock clock;
  store::SqliteItemStore store(server_->data_dir() + "/kefir.db", clock);
  store::Query query;
  query.partition = keys::user_pk(user_id_);
  query.sort = {store::SortOp::begins_with, std::string(keys::kReminderPrefix), {}};
  EXPECT_TRUE(store.query(query).items.empty());
}

TEST_F(ReminderApi, RequiresAnAccessToken) {
  ApiClient anonymous(server_->base_url());
  EXPECT_EQ(anonymous.get("/me/reminders").status, 401);
  EXPECT_EQ(anonymous.get("/reminders").status, 401);
  EXPECT_EQ(anonymous.post("/reminders/6f1c1a52-50c4-4c0d-8f31-0e6c2b8f1a11/complete", json::object{}).status,
            401);
}

}  // namespace
}  // namespace kefir::test
