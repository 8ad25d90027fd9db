// Device registration bodies (SPEC §6): Expo push tokens, web subscriptions, platforms, device ids, lengths.
#include <gtest/gtest.h>

#include "validation_support.hpp"

#include "domain/device.hpp"
#include "http/errors.hpp"
#include "util/crypto.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::domain {
namespace {

std::vector<std::string> rejected_fields(const json::object& body) {
  return test::rejected_fields_of([&] { read_device_fields(body, true); });
}
using Fields = std::vector<std::string>;

json::object valid_body() {
  return {
      {"deviceId", "iphone-1"}, {"platform", "ios"}, {"token", "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"}};
}

TEST(ExpoPushToken, AcceptsBothPrefixesOnly) {
  EXPECT_TRUE(is_expo_push_token("ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"));
  EXPECT_TRUE(is_expo_push_token("ExpoPushToken[abc-123_DEF]"));
  for (std::string_view bad : {"", "ExponentPushToken[]", "ExponentPushToken[abc", "exponentpushtoken[abc]",
                               "ExponentPushToken[a b]", "ExponentPushToken[a]b]", "FCMToken[abc]",
                               "ExponentPushToken[abc] ", "dGhpcyBpcyBhbiBGQ00gdG9rZW4"})
    EXPECT_FALSE(is_expo_push_token(bad)) << bad;
  EXPECT_FALSE(is_expo_push_token("ExpoPushToken[" + std::string(201, 'a') + "]"));
}

TEST(DeviceFields, RequiredFieldsAndValues) {
  EXPECT_TRUE(rejected_fields(valid_body()).empty());
  EXPECT_EQ(rejected_fields({}), (Fields{"deviceId", "platform"}));
  for (const char* platform : {"ios", "android"}) {
    auto body = valid_body();
    body["platform"] = platform;
    EXPECT_TRUE(rejected_fields(body).empty()) << platform;
  }
  auto body = valid_body();
  body["platform"] = "windows";
  EXPECT_EQ(rejected_fields(body), Fields{"platform"});
  body = valid_body();
  body["token"] = "not-a-token";
  EXPECT_EQ(rejected_fields(body), Fields{"token"});
  body = valid_body();
  body["deviceId"] = "has space";
  EXPECT_EQ(rejected_fields(body), Fields{"deviceId"});
  body["deviceId"] = std::string(129, 'd');
  EXPECT_EQ(rejected_fields(body), Fields{"deviceId"});
}

TEST(DeviceFields, OptionalNamesAndUnknownFields) {
  auto body = valid_body();
  body["deviceName"] = std::string(100, 'n');
  body["appVersion"] = "1.4.2";
  EXPECT_TRUE(rejected_fields(body).empty());
  body["deviceName"] = std::string(101, 'n');
  body["appVersion"] = std::string(51, 'v');
  body["pushToken"] = "x";
  EXPECT_EQ(rejected_fields(body), (Fields{"deviceName", "appVersion", "pushToken"}));
}

TEST(DeviceItems, DeviceAndClaimKeys) {
  auto fields = read_device_fields(valid_body(), true);
  auto now = *parse_rfc3339("2026-01-15T10:00:00Z");
  Device device{"alice", fields.device_id, fields.platform, fields.token, std::nullopt, "1.0", now, now};
  auto item = to_item(device);
  EXPECT_EQ(json_string(item, "PK"), "USER#alice");
  EXPECT_EQ(json_string(item, "SK"), "DEVICE#iphone-1");
  EXPECT_EQ(to_json(device_from_item(item)), to_json(device));
  auto claim = push_token_claim_item(device);
  EXPECT_EQ(json_string(claim, "PK"), "PUSHTOKEN#ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]");
  EXPECT_EQ(json_string(claim, "SK"), "CLAIM");
  EXPECT_EQ(json_string(claim, "userId"), "alice");
  EXPECT_EQ(json_string(claim, "deviceId"), "iphone-1");
}

json::object web_body() {
  auto p256dh = crypto::base64url_encode(webpush::P256Key::generate().public_point());
  return {{"deviceId", "firefox-1"},
          {"platform", "web"},
          {"subscription",
           {{"endpoint", "https://updates.push.services.mozilla.com/wpush/v2/gAAAA"},
            {"expirationTime", nullptr},
            {"keys", {{"p256dh", p256dh}, {"auth", crypto::base64url_encode(std::string(16, 'a'))}}}}}};
}

json::object& subscription_of(json::object& body) {
  return body["subscription"].as_object();
}

TEST(WebDeviceFields, ASubscriptionInsteadOfAToken) {
  auto body = web_body();
  EXPECT_TRUE(rejected_fields(body).empty());
  auto fields = read_device_fields(body, false);
  EXPECT_EQ(fields.token, "https://updates.push.services.mozilla.com/wpush/v2/gAAAA") << "the push address";
  ASSERT_TRUE(fields.subscription);
  EXPECT_EQ(fields.subscription->p256dh, json_string(subscription_of(body)["keys"].as_object(), "p256dh"));
  EXPECT_EQ(fields.subscription->expiration_time, std::nullopt);
  subscription_of(body)["expirationTime"] = 1767268800000;
  EXPECT_EQ(read_device_fields(body, false).subscription->expiration_time, 1767268800000);

  body["token"] = "ExponentPushToken[abc]";
  EXPECT_EQ(rejected_fields(body), Fields{"token"});
  body = web_body();
  body.erase("subscription");
  EXPECT_EQ(rejected_fields(body), Fields{"subscription"});
  auto phone = valid_body();
  phone["subscription"] = web_body()["subscription"];
  EXPECT_EQ(rejected_fields(phone), Fields{"subscription"});
}

TEST(WebDeviceFields, EndpointsAreAbsoluteHttpsUrlsUpTo2048Characters) {
  auto with_endpoint = [](std::string endpoint) {
    auto body = web_body();
    subscription_of(body)["endpoint"] = endpoint;
    return body;
  };
  EXPECT_TRUE(rejected_fields(with_endpoint("http://127.0.0.1:9000/push/1")).empty()) << "http in stage dev";
  EXPECT_THROW(read_device_fields(with_endpoint("http://127.0.0.1:9000/push/1"), false), domain::Error)
      << "https only in stage prod";
  auto longest = "https://push.example/" + std::string(2048 - 21, 'x');
  EXPECT_TRUE(rejected_fields(with_endpoint(longest)).empty());
  EXPECT_EQ(rejected_fields(with_endpoint(longest + "x")), Fields{"subscription.endpoint"});
  for (const char* bad : {"", "push.example/x", "/relative", "ftp://push.example/x", "https://", "not a url"})
    EXPECT_EQ(rejected_fields(with_endpoint(bad)), Fields{"subscription.endpoint"}) << bad;
}

TEST(WebDeviceFields, KeysDecodeToAPointOnTheCurveAnd16Bytes) {
  auto with_keys = [](json::value p256dh, json::value auth) {
    auto body = web_body();
    auto& keys = subscription_of(body)["keys"].as_object();
    if (!p256dh.is_null()) keys["p256dh"] = p256dh;
    if (!auth.is_null()) keys["auth"] = auth;
    return body;
  };
  auto point = webpush::P256Key::generate().public_point();
  auto off_curve = point;
  off_curve[64] = static_cast<char>(off_curve[64] ^ 1);
  for (const auto& bad : {crypto::base64url_encode(off_curve), crypto::base64url_encode(point.substr(0, 33)),
                          crypto::base64url_encode(point) + "=", std::string("not base64!")})
    EXPECT_EQ(rejected_fields(with_keys(json::value(bad), nullptr)), Fields{"subscription.keys.p256dh"})
        << bad;
  for (const auto& bad : {crypto::base64url_encode(std::string(15, 'a')),
                          crypto::base64url_encode(std::string(17, 'a')), std::string("%%%")})
    EXPECT_EQ(rejected_fields(with_keys(nullptr, json::value(bad))), Fields{"subscription.keys.auth"}) << bad;

  auto body = web_body();
  subscription_of(body)["keys"].as_object().erase("auth");
  subscription_of(body)["keys"].as_object()["extra"] = 1;
  subscription_of(body)["expirationTime"] = "tomorrow";
  subscription_of(body)["topic"] = "x";
  EXPECT_EQ(rejected_fields(body), (Fields{"subscription.expirationTime", "subscription.keys.auth",
                                           "subscription.keys.extra", "subscription.topic"}));
}

TEST(WebDeviceItems, KeysAreStoredButNeverShownAndTheClaimIsAHashOfTheEndpoint) {
  auto fields = read_device_fields(web_body(), true);
  auto now = *parse_rfc3339("2026-01-15T10:00:00Z");
  Device device{"alice", fields.device_id,   fields.platform, fields.token, "Firefox", std::nullopt, now,
                now,     fields.subscription};
  auto item = to_item(device);
  EXPECT_EQ(json_string(item, "p256dh"), fields.subscription->p256dh);
  EXPECT_EQ(json_string(item, "auth"), fields.subscription->auth);
  auto restored = device_from_item(item);
  ASSERT_TRUE(restored.subscription);
  EXPECT_EQ(restored.subscription->p256dh, fields.subscription->p256dh);
  EXPECT_EQ(restored.subscription->auth, fields.subscription->auth);
  auto shown = to_json(restored);
  EXPECT_EQ(shown, to_json(device));
  EXPECT_EQ(shown.at("platform"), "web");
  EXPECT_EQ(shown.at("endpoint"), "https://updates.push.services.mozilla.com/wpush/v2/gAAAA");
  EXPECT_TRUE(shown.at("token").is_null());
  EXPECT_FALSE(shown.contains("keys") || shown.contains("p256dh") || shown.contains("auth"));
  auto claim = push_token_claim_item(device);
  EXPECT_EQ(json_string(claim, "PK"), "PUSHTOKEN#WEB#" + crypto::sha256_hex(fields.token));
  EXPECT_EQ(json_string(claim, "deviceId"), "firefox-1");
}

}  // namespace
}  // namespace kefir::domain
