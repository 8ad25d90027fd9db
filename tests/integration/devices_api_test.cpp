// Device endpoints of SPEC §6 through a real server: upsert (201 then 200), Expo token validation, a token
// moving to the account that registers it last, the 20-device limit, listing and deletion.
#include <set>

#include "batches_support.hpp"

namespace kefir::test {
namespace {

class DevicesApi : public CoreApiTest {
 protected:
  static json::object registration(const std::string& device_id, const std::string& token,
                                   const std::string& platform = "ios") {
    return {{"deviceId", device_id}, {"platform", platform}, {"token", token}};
  }
  static std::string token(const std::string& suffix) { return "ExponentPushToken[" + suffix + "]"; }

  // deviceId -> token of every listed device.
  static std::map<std::string, std::string> devices_of(const User& user) {
    std::map<std::string, std::string> out;
    for (const auto& device : list_all(user.api, "/me/devices", "devices", 100))
      out[text(device.at("deviceId"))] = text(device.at("token"));
    return out;
  }
};

TEST_F(DevicesApi, RegisteringIsAnUpsert) {
  auto user = sign_in_user("devices");
  auto body = registration("pixel-7", token("aaaaaaaaaaaaaaaaaaaaaa"), "android");
  body["deviceName"] = "Pixel";
  body["appVersion"] = "1.0.0";
  auto first = user.api.post("/me/devices", body);
  ASSERT_EQ(first.status, 201) << first.body;
  auto device = first.json().at("device").as_object();
  EXPECT_EQ(device.at("deviceId"), "pixel-7");
  EXPECT_EQ(device.at("platform"), "android");
  EXPECT_EQ(text(device.at("token")), token("aaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_EQ(device.at("deviceName"), "Pixel");
  EXPECT_EQ(device.at("appVersion"), "1.0.0");

  body["appVersion"] = "1.1.0";
  body["token"] = "ExpoPushToken[bbbbbbbbbbbbbbbbbbbbbb]";
  auto second = user.api.post("/me/devices", body);
  ASSERT_EQ(second.status, 200) << second.body;
  auto updated = second.json().at("device").as_object();
  EXPECT_EQ(updated.at("appVersion"), "1.1.0");
  EXPECT_EQ(updated.at("createdAt"), device.at("createdAt"));

  auto listed = user.api.get("/me/devices");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json().at("devices").as_array().size(), 1u);
  EXPECT_EQ(listed.json().at("devices").at(0), updated);
  EXPECT_TRUE(listed.json().at("nextCursor").is_null());
}

TEST_F(DevicesApi, RegistrationRejectsBadInput) {
  auto user = sign_in_user("devices");
  using Fields = std::vector<std::string>;
  auto fields = [&](json::object body) { return problem_fields(user.api.post("/me/devices", body)); };
  EXPECT_EQ(fields({}), (Fields{"deviceId", "platform"}));
  EXPECT_EQ(fields(registration("d1", "fcm:abcdef")), Fields{"token"});
  EXPECT_EQ(fields(registration("d1", "ExponentPushToken[]")), Fields{"token"});
  EXPECT_EQ(fields(registration("d1", token("abc"), "blackberry")), Fields{"platform"});
  EXPECT_EQ(fields(registration("", token("abc"))), Fields{"deviceId"});
  EXPECT_EQ(fields(registration(std::string(129, 'd'), token("abc"))), Fields{"deviceId"});
  auto body = registration("d1", token("abc"));
  body["deviceName"] = std::string(101, 'n');
  body["os"] = "ios 17";
  EXPECT_EQ(fields(body), (Fields{"deviceName", "os"}));
  auto bad_json = user.api.raw("POST", "/me/devices", "{", {{"Content-Type", "application/json"}});
  EXPECT_EQ(error_code(bad_json), "BAD_JSON");
  EXPECT_TRUE(devices_of(user).empty());
}

TEST_F(DevicesApi, ATokenRegisteredByAnotherUserMovesToThatUser) {
  auto alice = sign_in_user("alice");
  auto bob = sign_in_user("bob");
  auto shared = token("shared-phone-000000000");
  ASSERT_EQ(alice.api.post("/me/devices", registration("phone", shared)).status, 201);
  ASSERT_EQ(alice.api.post("/me/devices", registration("tablet", token("alice-tablet"))).status, 201);

  // The phone changed account: bob registers the same token (under its own device id).
  ASSERT_EQ(bob.api.post("/me/devices", registration("bobs-phone", shared)).status, 201);
  EXPECT_EQ(devices_of(alice), (std::map<std::string, std::string>{{"tablet", token("alice-tablet")}}));
  EXPECT_EQ(devices_of(bob), (std::map<std::string, std::string>{{"bobs-phone", shared}}));

  // And back again.
  ASSERT_EQ(alice.api.post("/me/devices", registration("phone", shared)).status, 201);
  EXPECT_EQ(devices_of(alice).size(), 2u);
  EXPECT_TRUE(devices_of(bob).empty());
}

TEST_F(DevicesApi, AReinstalledAppWithANewDeviceIdReplacesItsOldEntry) {
  auto user = sign_in_user("devices");
  auto phone = token("reinstalled-000000000");
  ASSERT_EQ(user.api.post("/me/devices", registration("install-1", phone)).status, 201);
  ASSERT_EQ(user.api.post("/me/devices", registration("install-2", phone)).status, 201);
  EXPECT_EQ(devices_of(user), (std::map<std::string, std::string>{{"install-2", phone}}));
}

TEST_F(DevicesApi, ATokenADeviceGaveUpCanBeClaimedWithoutTouchingThatDevice) {
  auto alice = sign_in_user("alice");
  auto bob = sign_in_user("bob");
  ASSERT_EQ(alice.api.post("/me/devices", registration("phone", token("old-token"))).status, 201);
  ASSERT_EQ(alice.api.post("/me/devices", registration("phone", token("new-token"))).status, 200);
  ASSERT_EQ(bob.api.post("/me/devices", registration("other", token("old-token"))).status, 201);
  EXPECT_EQ(devices_of(alice), (std::map<std::string, std::string>{{"phone", token("new-token")}}));
  EXPECT_EQ(devices_of(bob), (std::map<std::string, std::string>{{"other", token("old-token")}}));
}

TEST_F(DevicesApi, AtMostTwentyDevicesPerUser) {
  auto user = sign_in_user("devices");
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(
        user.api.post("/me/devices", registration("d" + std::to_string(i), token("t" + std::to_string(i))))
            .status,
        201);
  auto over = user.api.post("/me/devices", registration("d20", token("t20")));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(error_code(over), "CONFLICT");
  // Updating one of the twenty is still fine, and so is moving a token between two of them.
  EXPECT_EQ(user.api.post("/me/devices", registration("d3", token("t3-new"))).status, 200);
  EXPECT_EQ(user.api.post("/me/devices", registration("d21", token("t4"))).status, 201);
  auto devices = devices_of(user);
  EXPECT_EQ(devices.size(), 20u);
  EXPECT_FALSE(devices.contains("d4"));
  EXPECT_FALSE(devices.contains("d20"));
  // Paged listing.
  EXPECT_EQ(list_all(user.api, "/me/devices", "devices", 6).size(), 20u);
  EXPECT_EQ(problem_fields(user.api.get("/me/devices?limit=0")), std::vector<std::string>{"limit"});
  EXPECT_EQ(problem_fields(user.api.get("/me/devices?cursor=zz")), std::vector<std::string>{"cursor"});
}

TEST_F(DevicesApi, DeleteRemovesTheDeviceAndReleasesItsToken) {
  auto alice = sign_in_user("alice");
  auto bob = sign_in_user("bob");
  ASSERT_EQ(alice.api.post("/me/devices", registration("phone", token("to-release"))).status, 201);
  auto response = alice.api.del("/me/devices/phone");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(alice.api.del("/me/devices/phone").status, 404);
  EXPECT_EQ(alice.api.del("/me/devices/never-registered").status, 404);
  EXPECT_TRUE(devices_of(alice).empty());
  ASSERT_EQ(bob.api.post("/me/devices", registration("phone", token("to-release"))).status, 201);
  // Registering the same id again afterwards is a new device.
  EXPECT_EQ(alice.api.post("/me/devices", registration("phone", token("fresh"))).status, 201);
}

TEST_F(DevicesApi, EveryRouteNeedsAToken) {
  ApiClient anonymous(server().base_url());
  EXPECT_EQ(anonymous.get("/me/devices").status, 401);
  EXPECT_EQ(anonymous.post("/me/devices", registration("d", token("x"))).status, 401);
  EXPECT_EQ(anonymous.del("/me/devices/d").status, 401);
}

}  // namespace
}  // namespace kefir::test
