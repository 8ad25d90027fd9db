// Browser devices (SPEC §6, docs/web-push.md) through the real server on both stores: a PushSubscription is
// registered as an upsert, claimed by the hash of its endpoint, moves to the account that registers it last,
// and is listed with its endpoint but never its keys.
#include <gtest/gtest.h>

#include "domain/keys.hpp"
#include "integration/on_each_store.hpp"
#include "util/crypto.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::test {
namespace {

json::object subscription(const std::string& endpoint) {
  return {{"endpoint", endpoint},
          {"expirationTime", nullptr},
          {"keys",
           {{"p256dh", crypto::base64url_encode(webpush::P256Key::generate().public_point())},
            {"auth", crypto::base64url_encode(crypto::random_bytes(16))}}}};
}

json::object web_device(const std::string& device_id, const json::object& subscription) {
  return {{"deviceId", device_id}, {"platform", "web"}, {"subscription", subscription}};
}

class WebPushDevices : public OnEachStoreTest {
 protected:
  static json::array devices_of(const User& user) {
    return user.api.get("/me/devices").json().at("devices").as_array();
  }
};

TEST_P(WebPushDevices, RegisteredAsAnUpsertClaimedByTheEndpointAndMovedToTheLastAccount) {
  const std::string endpoint = "https://updates.push.services.mozilla.com/wpush/v2/" + std::string(1500, 'e');
  auto alice = sign_in_user("web-alice");
  auto first = alice.api.post("/me/devices", web_device("firefox", subscription(endpoint)));
  ASSERT_EQ(first.status, 201) << first.body;
  const auto first_body = first.json();
  const auto& device = first_body.at("device");
  EXPECT_EQ(device.at("platform"), "web");
  EXPECT_EQ(text(device.at("endpoint")), endpoint);
  EXPECT_TRUE(device.at("token").is_null());
  EXPECT_EQ(first.body.find("p256dh"), std::string::npos);
  EXPECT_EQ(first.body.find("auth\""), std::string::npos);

  auto renewed = subscription(endpoint);  // the browser rotated its keys
  auto second = alice.api.post("/me/devices", web_device("firefox", renewed));
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(devices_of(alice).size(), 1u);

  auto store = open_store();
  auto claim_key = keys::push_token_claim(endpoint);
  EXPECT_EQ(claim_key.pk, "PUSHTOKEN#WEB#" + crypto::sha256_hex(endpoint));
  auto claim = store->get(claim_key);
  ASSERT_TRUE(claim);
  EXPECT_EQ(json_string(*claim, "userId"), alice.user_id);
  auto stored = store->get(keys::device(alice.user_id, "firefox"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(json_string(*stored, "p256dh"), std::string(renewed.at("keys").at("p256dh").as_string()));

  auto bob = sign_in_user("web-bob");
  auto moved = bob.api.post("/me/devices", web_device("shared-laptop", subscription(endpoint)));
  ASSERT_EQ(moved.status, 201) << moved.body;
  EXPECT_TRUE(devices_of(alice).empty());
  ASSERT_EQ(devices_of(bob).size(), 1u);
  EXPECT_EQ(json_string(*store->get(claim_key), "userId"), bob.user_id);

  ASSERT_EQ(bob.api.del("/me/devices/shared-laptop").status, 204);
  EXPECT_FALSE(store->get(claim_key));
}

TEST_P(WebPushDevices, PhonesAndBrowsersShareTheTwentyDeviceLimit) {
  auto user = sign_in_user("web-limit");
  for (int i = 0; i < 10; ++i) {
    auto phone =
        user.api.post("/me/devices", {{"deviceId", "phone-" + std::to_string(i)},
                                      {"platform", "android"},
                                      {"token", "ExponentPushToken[limit-" + std::to_string(i) + "]"}});
    ASSERT_EQ(phone.status, 201) << phone.body;
    auto browser =
        user.api.post("/me/devices", web_device("browser-" + std::to_string(i),
                                                subscription("https://push.example/" + std::to_string(i))));
    ASSERT_EQ(browser.status, 201) << browser.body;
  }
  auto one_more =
      user.api.post("/me/devices", web_device("browser-20", subscription("https://push.example/20")));
  EXPECT_EQ(one_more.status, 409) << one_more.body;
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, WebPushDevices, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kefir::test
