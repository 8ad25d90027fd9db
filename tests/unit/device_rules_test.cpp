// Device registration bodies (SPEC §6): Expo push tokens, platforms, device ids, lengths.
#include <gtest/gtest.h>

#include "validation_support.hpp"

#include "domain/device.hpp"
#include "http/errors.hpp"

namespace kefir::domain {
namespace {

std::vector<std::string> rejected_fields(const json::object& body) {
  return test::rejected_fields_of([&] { read_device_fields(body); });
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
  EXPECT_EQ(rejected_fields({}), (Fields{"deviceId", "platform", "token"}));
  for (const char* platform : {"ios", "android", "web"}) {
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
  auto fields = read_device_fields(valid_body());
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

}  // namespace
}  // namespace kefir::domain
