// The scaled-out shape (SPEC §13): two `kefir serve` processes on one DynamoDB Local table and one s3rver
// bucket behave as one service. A client alternating between them sees one state; due reminders are delivered
// once across both processors; a push token claimed for two users through the two processes at once ends with
// exactly one owner.
#include <gtest/gtest.h>

#include <future>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "integration/batches_support.hpp"
#include "integration/photos_support.hpp"
#include "reminder_seeding.hpp"
#include "support/dynamodb_local.hpp"
#include "support/fake_expo.hpp"
#include "support/s3rver.hpp"

namespace kefir::test {
namespace {

using std::chrono::seconds;

// Both processes sign with one key under one issuer (PUBLIC_BASE_URL, as behind a load balancer), so tokens
// from one are valid at the other, and share the table and bucket.
std::map<std::string, std::string> shared_env(const std::string& table, const std::string& bucket,
                                              const std::string& signing_key) {
  auto env = dynamodb_local_env(table);
  env.merge(s3rver_env(bucket));
  env["JWT_PRIVATE_KEY"] = signing_key;
  env["PUBLIC_BASE_URL"] = "http://kefir.test";
  return env;
}

class ScaledOut : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new std::string(create_dynamodb_local_table());
    bucket_ = new std::string(create_s3rver_bucket());
    signing_key_ = new std::string(generate_rsa_pem());
  }
  static void TearDownTestSuite() {
    delete table_;
    delete bucket_;
    delete signing_key_;
  }
  static ServerConfig config(std::map<std::string, std::string> extra = {}) {
    ServerConfig config;
    config.env = shared_env(*table_, *bucket_, *signing_key_);
    config.env.merge(extra);
    return config;
  }

  inline static std::string* table_ = nullptr;
  inline static std::string* bucket_ = nullptr;
  inline static std::string* signing_key_ = nullptr;
};

TEST_F(ScaledOut, AClientAlternatingBetweenTwoServersSeesOneState) {
  ServerProcess first(config());
  ServerProcess second(config());
  auto session = sign_in(first, unique_email("scaled"));
  ApiClient a(first.base_url(), session.access_token);
  ApiClient b(second.base_url(), session.access_token);

  // Written through one, read through the other, and back.
  auto batch = create_batch(a, {{"name", "Shared across servers"}});
  auto id = text(batch.at("batchId"));
  auto read = b.get("/batches/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(text(read.json().at("batch").at("name")), "Shared across servers");
  auto patched =
      b.patch("/batches/" + id, {{"notes", "tasted on the second server"}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto stale = a.patch("/batches/" + id, {{"notes", "stale write"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412) << "the first server must see the second's write: " << stale.body;
  EXPECT_EQ(text(a.get("/batches/" + id).json().at("batch").at("notes")), "tasted on the second server");

  // A timeline written alternately, paged through alternately (cursors are valid at either server).
  for (int i = 0; i < 6; ++i) {
    auto& api = i % 2 ? b : a;
    auto added = api.post("/batches/" + id + "/events",
                          {{"type", "observation"}, {"description", "note " + std::to_string(i)}});
    ASSERT_EQ(added.status, 201) << added.body;
  }
  std::vector<std::string> descriptions;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto& api = page % 2 ? a : b;
    auto listed =
        api.get("/batches/" + id + "/events?order=asc&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(listed.status, 200) << listed.body;
    auto body = listed.json();
    for (const auto& event : body.at("events").as_array())
      descriptions.push_back(text(event.at("description")));
    if (body.at("nextCursor").is_null()) break;
    cursor = text(body.at("nextCursor"));
  }
  ASSERT_EQ(descriptions.size(), 7u);  // "Batch started" and the six notes, each once, in order
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(descriptions[static_cast<std::size_t>(i) + 1], "note " + std::to_string(i));

  // A refresh token rotated at one server is spent at the other.
  auto refreshed =
      ApiClient(second.base_url()).post("/auth/refresh", {{"refreshToken", session.refresh_token}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(b.get("/me").status, 200);

  // A photo uploaded through a URL from one server, attached through the other, downloaded through the first.
  auto upload =
      a.post("/batches/" + id + "/photo/upload-url", {{"filename", "a.jpg"}, {"contentType", "image/jpeg"}});
  ASSERT_EQ(upload.status, 200) << upload.body;
  auto upload_body = upload.json();
  HttpRequest put;
  put.method = "PUT";
  put.url = text(upload_body.at("uploadUrl"));
  for (const auto& [name, value] : upload_body.at("headers").as_object())
    put.headers.emplace_back(std::string(name), text(value));
  put.body = photos::image_bytes("image/jpeg", "jpeg bytes from the scaled-out test");
  ASSERT_EQ(send(put).status, 200);
  auto photo_key = text(upload_body.at("photoKey"));
  ASSERT_EQ(b.post("/batches/" + id + "/photo", {{"photoKey", photo_key}}).status, 200);
  auto photos = a.get("/batches/" + id + "/photos").json().at("photos").as_array();
  ASSERT_EQ(photos.size(), 1u);
  HttpRequest download;
  download.url = text(photos[0].at("url"));
  EXPECT_EQ(send(download).body, photos::image_bytes("image/jpeg", "jpeg bytes from the scaled-out test"));

  // Archived through one server: gone from the other's default list.
  ASSERT_EQ(a.del("/batches/" + id).status, 200);
  EXPECT_EQ(b.get("/batches").json().at("count"), 0);
  EXPECT_EQ(b.get("/batches?status=archived").json().at("count"), 1);
}

TEST_F(ScaledOut, TwoProcessorsDeliverEachDueReminderOnce) {
  FakeExpo fake;
  SystemClock clock;
  SeededBacklog seeded;
  {
    store::DynamoDbItemStore store(dynamodb_local_options(*table_), clock);
    auto due = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) -
               std::chrono::minutes(1);
    seeded = seed_reminder_backlog(store, {.users = 100, .reminders_per_user = 10, .due = due});
  }
  ASSERT_EQ(seeded.reminder_ids.size(), 1000u);

  std::map<std::string, std::string> expo{{"EXPO_PUSH_URL", fake.push_url()}, {"EXPO_RATE", "0"}};
  ServerProcess first(config(expo));
  ServerProcess second(config(expo));
  ASSERT_TRUE(fake.wait_for_accepted(1000, seconds(180))) << fake.accepted().size() << " delivered";
  std::this_thread::sleep_for(seconds(2));  // anything sent twice would arrive about now
  EXPECT_EQ(fake.accepted().size(), 1000u);
  std::map<std::string, int> once_each;
  for (const auto& id : seeded.reminder_ids) once_each[id] = 1;
  EXPECT_EQ(fake.accepted_by_reminder(), once_each);

  // A processor records `sent` after Expo accepted the message, so on a busy machine the last statuses can
  // land a moment after the last delivery.
  store::DynamoDbItemStore store(dynamodb_local_options(*table_), clock);
  std::size_t sent = 0;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(30);
       sent < 1000u && std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(seconds(1))) {
    sent = 0;
    for (const auto& user : seeded.user_ids)
      for (const auto& status : reminder_statuses(store, user)) sent += status == "sent" ? 1 : 0;
  }
  EXPECT_EQ(sent, 1000u);
}

TEST_F(ScaledOut, APushTokenClaimedThroughBothServersAtOnceHasOneOwner) {
  ServerProcess first(config());
  ServerProcess second(config());
  auto alice = sign_in(first, unique_email("alice"));
  auto bob = sign_in(second, unique_email("bob"));
  ApiClient alice_api(first.base_url(), alice.access_token);
  ApiClient bob_api(second.base_url(), bob.access_token);
  auto devices_holding = [](const ApiClient& api, const std::string& token) {
    std::size_t holding = 0;
    for (const auto& device : list_all(api, "/me/devices", "devices", 100))
      holding += text(device.at("token")) == token ? 1 : 0;
    return holding;
  };

  for (int round = 0; round < 10; ++round) {
    const std::string token =
        "ExponentPushToken[race" + std::to_string(round) + "-" + unique_email("t") + "]";
    auto registration = [&token](const std::string& device) {
      return json::object{{"deviceId", device}, {"platform", "ios"}, {"token", token}};
    };
    auto from_alice = std::async(std::launch::async, [&] {
      return alice_api.post("/me/devices", registration("alice-phone-" + std::to_string(round)));
    });
    auto from_bob = std::async(std::launch::async, [&] {
      return bob_api.post("/me/devices", registration("bob-phone-" + std::to_string(round)));
    });
    auto alice_answer = from_alice.get();
    auto bob_answer = from_bob.get();
    // Each registration either wins or loses the race cleanly; a lost race may be retried by the client.
    for (const auto* answer : {&alice_answer, &bob_answer})
      EXPECT_TRUE(answer->status == 201 || answer->status == 200 || answer->status == 409)
          << answer->status << " " << answer->body;
    EXPECT_EQ(devices_holding(alice_api, token) + devices_holding(bob_api, token), 1u) << "round " << round;
  }
}

}  // namespace
}  // namespace kefir::test
