// Sensors and ingest (issue 18) through the real server, on SQLite and DynamoDB Local: the token is shown
// once and stored only as a keyed hash, a sensor is attached to one of its owner's active batches, readings
// arrive in every device format, one per sensor per minute, and a revoked, rotated-away or deleted token is
// refused.
#include <gtest/gtest.h>

#include "domain/keys.hpp"
#include "integration/on_each_store.hpp"
#include "util/crypto.hpp"

namespace kefir::test {
namespace {

struct Created {
  std::string sensor_id;
  std::string token;
};

class Sensors : public OnEachStoreTest {
 protected:
  static Created create_sensor(const User& user, const std::string& name) {
    auto response = user.api.post("/me/sensors", json::object{{"name", name}});
    EXPECT_EQ(response.status, 201) << response.body;
    auto body = response.json().as_object();
    return {text(body.at("sensor").at("sensorId")), text(body.at("token"))};
  }

  HttpResponse ingest(const std::string& token, const json::object& reading) {
    return ApiClient(server_->base_url()).post("/ingest/" + token, reading);
  }
};

TEST_P(Sensors, TheTokenIsShownOnceAndStoredOnlyAsAKeyedHash) {
  auto user = sign_in_user("sensor-token");
  auto response = user.api.post("/me/sensors", json::object{{"name", "Windowsill jar"}});
  ASSERT_EQ(response.status, 201) << response.body;
  auto body = response.json().as_object();
  const auto token = text(body.at("token"));
  const auto sensor_id = text(body.at("sensor").at("sensorId"));
  EXPECT_EQ(token.size(), 47u);
  EXPECT_EQ(text(body.at("ingestUrl")), server_->base_url() + "/ingest/" + token);
  EXPECT_EQ(body.at("sensor").at("name"), "Windowsill jar");
  EXPECT_TRUE(body.at("sensor").at("batchId").is_null());

  // An idempotency record would keep the answer, token included: refused.
  auto keyed =
      user.api.post("/me/sensors", json::object{{"name", "Kept"}}, {{"Idempotency-Key", "sensor-1"}});
  EXPECT_EQ(problem_fields(keyed), std::vector<std::string>{"Idempotency-Key"});
  EXPECT_EQ(problem_fields(user.api.post("/me/sensors/" + sensor_id + "/rotate-token", json::object{},
                                         {{"Idempotency-Key", "rotate-1"}})),
            std::vector<std::string>{"Idempotency-Key"});

  auto listed = user.api.get("/me/sensors");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(token), std::string::npos);
  ASSERT_EQ(listed.json().at("sensors").as_array().size(), 1u);
  auto one = user.api.get("/me/sensors/" + sensor_id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("sensor"), listed.json().at("sensors").at(0));
  EXPECT_EQ(one.body.find(token), std::string::npos);

  auto store = open_store();
  auto item = store->get(keys::sensor(user.user_id, sensor_id));
  ASSERT_TRUE(item);
  const auto hash = json_string(*item, "tokenHash");
  EXPECT_EQ(json::serialize(*item).find(token), std::string::npos);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_NE(hash, crypto::sha256_hex(token));  // keyed: a leaked table does not let anyone test guesses
  auto claim = store->get(keys::sensor_token_claim(hash));
  ASSERT_TRUE(claim);
  EXPECT_EQ(json_string(*claim, "userId"), user.user_id);
  EXPECT_EQ(json_string(*claim, "sensorId"), sensor_id);
}

TEST_P(Sensors, ReadingsGoToTheAttachedBatchOnePerMinuteAndARevokedTokenIsRefused) {
  auto user = sign_in_user("sensor-ingest");
  auto batch_id = text(create_batch(user.api).at("batchId"));
  auto sensor = create_sensor(user, "Jar");

  // Not attached: accepted, kept nowhere.
  auto loose = ingest(sensor.token, {{"temperature", 21.5}});
  ASSERT_EQ(loose.status, 202) << loose.body;
  EXPECT_EQ(loose.json().at("stored"), false);

  auto attached = user.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"batchId", batch_id}});
  ASSERT_EQ(attached.status, 200) << attached.body;
  EXPECT_EQ(text(attached.json().at("sensor").at("batchId")), batch_id);

  const auto minute =
      format_rfc3339(std::chrono::floor<std::chrono::minutes>(
                         std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now())) -
                     std::chrono::minutes(5));
  auto first = ingest(sensor.token, {{"temperature", 21.5}, {"time", minute}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(text(first.json().at("reading").at("batchId")), batch_id);
  // Another post of the same minute merges into it: 202, newest value wins, the pH joins.
  auto again = ingest(sensor.token, {{"temperature", 22.0}, {"ph", 3.8}, {"time", minute}});
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.json().at("merged"), true);
  auto listed = user.api.get("/batches/" + batch_id + "/readings");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json().at("readings").as_array().size(), 1u);
  auto stored = listed.json().at("readings").at(0).as_object();
  EXPECT_EQ(stored.at("temperatureC"), 22.0);
  EXPECT_EQ(stored.at("ph"), 3.8);
  EXPECT_EQ(text(stored.at("sensorId")), sensor.sensor_id);

  // Rotating: the old token stops at once, the new one works.
  auto rotated = user.api.post("/me/sensors/" + sensor.sensor_id + "/rotate-token", json::object{});
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const auto new_token = text(rotated.json().at("token"));
  EXPECT_NE(new_token, sensor.token);
  EXPECT_EQ(ingest(sensor.token, {{"temperature", 21.0}}).status, 401);
  EXPECT_EQ(ingest(new_token, {{"temperature", 21.0}}).status, 201);

  // Deleting revokes.
  ASSERT_EQ(user.api.del("/me/sensors/" + sensor.sensor_id).status, 204);
  auto revoked = ingest(new_token, {{"temperature", 21.0}});
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(error_code(revoked), "UNAUTHORIZED");
  EXPECT_EQ(ingest("kst_" + std::string(43, 'A'), {{"temperature", 21.0}}).status, 401);
  EXPECT_EQ(ingest("not-a-token", {{"temperature", 21.0}}).status, 401);
  EXPECT_EQ(user.api.get("/me/sensors/" + sensor.sensor_id).status, 404);
}

TEST_P(Sensors, NobodyReachesAnotherUsersBatchThroughASensor) {
  auto alice = sign_in_user("sensor-alice");
  auto bob = sign_in_user("sensor-bob");
  auto bobs_batch = text(create_batch(bob.api).at("batchId"));
  auto sensor = create_sensor(alice, "Alice's probe");
  auto attach = alice.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"batchId", bobs_batch}});
  EXPECT_EQ(attach.status, 404) << attach.body;
  EXPECT_EQ(bob.api.get("/me/sensors/" + sensor.sensor_id).status, 404);
  EXPECT_EQ(bob.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"name", "mine"}}).status, 404);
  EXPECT_EQ(bob.api.del("/me/sensors/" + sensor.sensor_id).status, 404);
  EXPECT_EQ(ingest(sensor.token, {{"temperature", 20.0}}).json().at("stored"), false);
  EXPECT_TRUE(bob.api.get("/batches/" + bobs_batch + "/readings").json().at("readings").as_array().empty());
  EXPECT_EQ(alice.api.get("/batches/" + bobs_batch + "/readings").status, 404);
}

TEST_P(Sensors, ArchivingOrDeletingTheBatchDetachesAndDeletingTheAccountRevokes) {
  auto user = sign_in_user("sensor-hooks");
  auto sensor = create_sensor(user, "Probe");
  auto archived = text(create_batch(user.api).at("batchId"));
  ASSERT_EQ(user.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"batchId", archived}}).status,
            200);
  ASSERT_EQ(user.api.del("/batches/" + archived).status, 200);
  EXPECT_TRUE(user.api.get("/me/sensors/" + sensor.sensor_id).json().at("sensor").at("batchId").is_null());
  auto again = user.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"batchId", archived}});
  EXPECT_EQ(again.status, 409) << again.body;

  auto deleted = text(create_batch(user.api).at("batchId"));
  ASSERT_EQ(user.api.patch("/me/sensors/" + sensor.sensor_id, json::object{{"batchId", deleted}}).status,
            200);
  ASSERT_EQ(ingest(sensor.token, {{"temperature", 20.0}}).status, 201);
  ASSERT_EQ(user.api.del("/batches/" + deleted + "?permanent=true").status, 204);
  EXPECT_TRUE(user.api.get("/me/sensors/" + sensor.sensor_id).json().at("sensor").at("batchId").is_null());
  EXPECT_TRUE(open_store()->query({.partition = keys::events_pk(deleted)}).items.empty());

  ASSERT_EQ(user.api.del("/me").status, 204);
  EXPECT_EQ(ingest(sensor.token, {{"temperature", 20.0}}).status, 401);
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, Sensors, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kefir::test
