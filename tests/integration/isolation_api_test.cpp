// A user never reaches another user's batches, events or devices (SPEC §1): every route answers 404 exactly
// as for a resource that does not exist, lists never show them, and a cursor does not carry over between
// users.
#include "batches_support.hpp"

namespace kefir::test {
namespace {

class Isolation : public CoreApiTest {};

TEST_F(Isolation, ASecondUserGets404OnEveryRouteOfTheFirstUsersResources) {
  auto owner = sign_in_user("owner");
  auto intruder = sign_in_user("intruder");
  std::vector<std::string> batch_ids;
  for (int i = 0; i < 3; ++i)
    batch_ids.push_back(text(create_batch(owner.api, {{"status", "ready"}}).at("batchId")));
  const auto& id = batch_ids.front();
  auto event = owner.api.post("/batches/" + id + "/events", json::object{{"type", "observation"}});
  ASSERT_EQ(event.status, 201);
  auto event_id = text(event.json().at("event").at("eventId"));
  ASSERT_EQ(owner.api
                .post("/me/devices", json::object{{"deviceId", "owner-phone"},
                                                  {"platform", "ios"},
                                                  {"token", "ExponentPushToken[owner-phone-token]"}})
                .status,
            201);
  const auto batch = "/batches/" + id;
  const auto events = batch + "/events";
  const json::object body{{"name", "mine now"}};

  // Exactly what a batch that does not exist answers.
  auto missing = intruder.api.get("/batches/0190a1b2-0000-7000-8000-000000000042");
  ASSERT_EQ(missing.status, 404);
  auto expect_missing = [&](const HttpResponse& response, const std::string& what) {
    EXPECT_EQ(response.status, 404) << what << ": " << response.body;
    EXPECT_EQ(error_code(response), "NOT_FOUND") << what;
  };
  auto get = intruder.api.get(batch);
  expect_missing(get, "GET batch");
  EXPECT_EQ(get.body, missing.body);
  expect_missing(intruder.api.put(batch, body), "PUT batch");
  expect_missing(intruder.api.patch(batch, body), "PATCH batch");
  expect_missing(intruder.api.patch(batch, body, {{"If-Match", "\"1\""}}), "PATCH batch with If-Match");
  expect_missing(intruder.api.del(batch), "DELETE batch");
  expect_missing(intruder.api.del(batch + "?permanent=true"), "DELETE batch permanently");
  expect_missing(intruder.api.post(events, json::object{{"type", "note"}}), "POST event");
  expect_missing(intruder.api.get(events), "GET events");
  expect_missing(intruder.api.get(events + "?order=desc&limit=1"), "GET events paged");
  expect_missing(intruder.api.del(events + "/" + event_id), "DELETE event");
  expect_missing(intruder.api.del("/me/devices/owner-phone"), "DELETE device");

  // Nothing of the owner's appears in the intruder's lists.
  EXPECT_EQ(intruder.api.get("/batches").json().at("count"), 0);
  EXPECT_EQ(intruder.api.get("/batches?status=ready").json().at("count"), 0);
  EXPECT_EQ(intruder.api.get("/batches?status=archived").json().at("count"), 0);
  EXPECT_EQ(intruder.api.get("/me/devices").json().at("devices"), json::array{});

  // The owner's cursors are refused, not read as the intruder's position or the owner's data.
  auto owner_page = owner.api.get("/batches?limit=1").json();
  auto cursor = text(owner_page.at("nextCursor"));
  EXPECT_EQ(problem_fields(intruder.api.get("/batches?limit=1&cursor=" + cursor)),
            std::vector<std::string>{"cursor"});
  ASSERT_EQ(owner.api.post(events, json::object{{"type", "note"}}).status, 201);
  auto event_cursor = text(owner.api.get(events + "?limit=1").json().at("nextCursor"));
  auto own_batch = text(create_batch(intruder.api).at("batchId"));
  EXPECT_EQ(
      problem_fields(intruder.api.get("/batches/" + own_batch + "/events?limit=1&cursor=" + event_cursor)),
      std::vector<std::string>{"cursor"});

  // The owner's data is untouched by all of it.
  auto after = owner.api.get(batch).json().at("batch");
  EXPECT_EQ(after.at("version"), 1);
  EXPECT_EQ(after.at("status"), "ready");
  EXPECT_EQ(owner.api.get(events).json().at("count"), 3);
  EXPECT_EQ(owner.api.get("/me/devices").json().at("devices").as_array().size(), 1u);
  EXPECT_EQ(list_all(owner.api, "/batches", "batches", 2).size(), 3u);
}

}  // namespace
}  // namespace kefir::test
