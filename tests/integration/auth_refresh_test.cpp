// Refresh-token rotation, reuse detection with its grace, logout, and the /me resource through the real
// server (SPEC §2). REFRESH_REUSE_GRACE is 2 s here so "after the grace" takes seconds, not half a minute.
#include <gtest/gtest.h>

#include <thread>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

class AuthRefreshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({.env = {{"REFRESH_REUSE_GRACE", "2"}}}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResponse refresh(const std::string& token) {
    return ApiClient(server_->base_url()).post("/auth/refresh", {{"refreshToken", token}});
  }
  static std::string refreshed(const std::string& token) {
    auto response = refresh(token);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status == 200 ? std::string(response.json().at("refreshToken").as_string()) : "";
  }
  static void expect_refused(const std::string& token, const std::string& what) {
    auto response = refresh(token);
    EXPECT_EQ(response.status, 401) << what << ": " << response.body;
    if (response.status == 401) {
      EXPECT_EQ(response.json().at("code"), "UNAUTHORIZED") << what;
    }
  }
  static ApiClient as(const SignedIn& session) {
    return ApiClient(server_->base_url(), session.access_token);
  }

  static ServerProcess* server_;
};
ServerProcess* AuthRefreshTest::server_ = nullptr;

TEST_F(AuthRefreshTest, RefreshRotatesAndIssuesWorkingTokens) {
  auto session = sign_in(*server_, unique_email("rotate"));
  auto response = refresh(session.refresh_token);
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = response.json().as_object();
  EXPECT_EQ(body.at("tokenType"), "Bearer");
  EXPECT_EQ(body.at("expiresIn"), 3600);
  EXPECT_EQ(response.header("cache-control"), "no-store");
  std::string next(body.at("refreshToken").as_string());
  EXPECT_NE(next, session.refresh_token);
  EXPECT_GE(next.size(), 43u);  // 256 bits, base64url
  std::string access(body.at("accessToken").as_string());
  EXPECT_NE(access, session.access_token);
  EXPECT_EQ(ApiClient(server_->base_url(), access).get("/me").status, 200);
  EXPECT_EQ(jwt_claims(access).at("sub").as_string(), session.user_id);
  EXPECT_EQ(jwt_claims(body.at("idToken").as_string()).at("token_use"), "id");
  // The chain goes on.
  auto third = refreshed(next);
  EXPECT_FALSE(refreshed(third).empty());
}

TEST_F(AuthRefreshTest, ReplayInsideTheGraceIsHonoured) {
  auto session = sign_in(*server_, unique_email("retry"));
  auto lost = refreshed(session.refresh_token);  // the response the phone never received
  ASSERT_FALSE(lost.empty());
  auto retried = refreshed(session.refresh_token);  // its retry, inside the grace
  ASSERT_FALSE(retried.empty());
  EXPECT_NE(retried, lost);
  EXPECT_FALSE(refreshed(retried).empty()) << "the session goes on from the retry's token";
}

TEST_F(AuthRefreshTest, ReuseAfterTheGraceRevokesTheWholeFamily) {
  auto victim = sign_in(*server_, unique_email("victim"));
  auto bystander = sign_in(*server_, unique_email("bystander"));
  auto current = refreshed(victim.refresh_token);
  ASSERT_FALSE(current.empty());
  std::this_thread::sleep_for(3s);
  expect_refused(victim.refresh_token, "a rotated token replayed after the grace");
  expect_refused(current, "the family's newest token after the reuse");
  EXPECT_FALSE(refreshed(bystander.refresh_token).empty()) << "other sessions are untouched";
}

TEST_F(AuthRefreshTest, LogoutRevokesTheFamily) {
  auto session = sign_in(*server_, unique_email("logout"));
  auto current = refreshed(session.refresh_token);
  auto response = ApiClient(server_->base_url()).post("/auth/logout", {{"refreshToken", current}});
  EXPECT_EQ(response.status, 204);
  expect_refused(current, "after logout");
  // Logging out twice, or with a token nobody knows, is fine and changes nothing.
  EXPECT_EQ(ApiClient(server_->base_url()).post("/auth/logout", {{"refreshToken", current}}).status, 204);
  EXPECT_EQ(ApiClient(server_->base_url()).post("/auth/logout", {{"refreshToken", "unknown"}}).status, 204);
}

TEST_F(AuthRefreshTest, UnknownOrMalformedRefreshTokensAreRefused) {
  expect_refused("not-a-token", "unknown token");
  auto session = sign_in(*server_, unique_email("access-as-refresh"));
  expect_refused(session.access_token, "an access token");
  // docs/openapi.yaml: refreshToken is 1-4096 characters; anything within is a token, unknown here.
  expect_refused(std::string(4096, 'a'), "the longest string the document allows");
  auto too_long = refresh(std::string(4097, 'a'));
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.json().at("code"), "VALIDATION_ERROR");
  auto missing = ApiClient(server_->base_url()).post("/auth/refresh", boost::json::object{});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json().at("code"), "VALIDATION_ERROR");
}

TEST_F(AuthRefreshTest, MeShowsAndUpdatesTheProfile) {
  auto email = unique_email("me");
  auto session = sign_in(*server_, email);
  auto me = as(session).get("/me");
  ASSERT_EQ(me.status, 200) << me.body;
  auto user = me.json().at("user").as_object();
  EXPECT_EQ(user.at("userId").as_string(), session.user_id);
  EXPECT_EQ(user.at("email").as_string(), email);
  EXPECT_TRUE(user.at("createdAt").as_string().ends_with("Z"));
  const auto& defaults = user.at("preferences").as_object();
  EXPECT_TRUE(defaults.at("notificationsEnabled").is_bool());
  EXPECT_EQ(defaults.at("timezone"), "UTC");
  EXPECT_EQ(defaults.at("quietHours"),
            (boost::json::object{{"enabled", true}, {"start", "22:00"}, {"end", "08:00"}}));

  auto patched = as(session).patch("/me", {{"name", "Ada"}, {"preferences", {{"timezone", "Europe/Paris"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto after = patched.json().at("user").as_object();
  EXPECT_EQ(after.at("name"), "Ada");
  EXPECT_EQ(after.at("preferences").at("timezone"), "Europe/Paris");
  EXPECT_EQ(after.at("preferences").at("notificationsEnabled"), defaults.at("notificationsEnabled"));

  ASSERT_EQ(
      as(session)
          .patch("/me", {{"preferences", {{"notificationsEnabled", false}, {"defaultTemperatureC", 24}}}})
          .status,
      200);
  auto stored = as(session).get("/me").json().at("user").as_object();
  EXPECT_EQ(stored.at("name"), "Ada");
  EXPECT_EQ(stored.at("preferences").at("notificationsEnabled"), false);
  EXPECT_EQ(stored.at("preferences").at("defaultTemperatureC").to_number<double>(), 24);
  EXPECT_EQ(stored.at("preferences").at("timezone"), "Europe/Paris");
  EXPECT_EQ(stored.at("createdAt"), user.at("createdAt"));

  // Quiet hours change part by part: turned off, the window is kept for when they are turned on again.
  auto quiet = as(session).patch("/me", {{"preferences", {{"quietHours", {{"enabled", false}}}}}});
  ASSERT_EQ(quiet.status, 200) << quiet.body;
  EXPECT_EQ(quiet.json().at("user").at("preferences").at("quietHours"),
            (boost::json::object{{"enabled", false}, {"start", "22:00"}, {"end", "08:00"}}));
  ASSERT_EQ(as(session)
                .patch("/me", {{"preferences", {{"quietHours", {{"enabled", true}, {"start", "21:30"}}}}}})
                .status,
            200);
  EXPECT_EQ(as(session).get("/me").json().at("user").at("preferences").at("quietHours"),
            (boost::json::object{{"enabled", true}, {"start", "21:30"}, {"end", "08:00"}}));
}

TEST_F(AuthRefreshTest, PatchMeValidatesEveryField) {
  auto session = sign_in(*server_, unique_email("patch"));
  auto problem_field = [&](const boost::json::object& body) {
    auto response = as(session).patch("/me", body);
    EXPECT_EQ(response.status, 400) << boost::json::serialize(body) << " -> " << response.body;
    if (response.status != 400) return std::string();
    EXPECT_EQ(response.json().at("code"), "VALIDATION_ERROR");
    return std::string(response.json().at("details").at(0).at("field").as_string());
  };
  EXPECT_EQ(problem_field({{"name", std::string(101, 'x')}}), "name");
  EXPECT_EQ(problem_field({{"email", "other@example.com"}}), "email");
  EXPECT_EQ(problem_field({{"preferences", {{"defaultTemperatureC", 9}}}}),
            "preferences.defaultTemperatureC");
  EXPECT_EQ(problem_field({{"preferences", {{"defaultTemperatureC", 41}}}}),
            "preferences.defaultTemperatureC");
  EXPECT_EQ(problem_field({{"preferences", {{"timezone", "Mars/Olympus_Mons"}}}}), "preferences.timezone");
  EXPECT_EQ(problem_field({{"preferences", {{"timezone", "../../etc/passwd"}}}}), "preferences.timezone");
  EXPECT_EQ(problem_field({{"preferences", {{"notificationsEnabled", "yes"}}}}),
            "preferences.notificationsEnabled");
  EXPECT_EQ(problem_field({{"preferences", {{"colour", "blue"}}}}), "preferences.colour");
  EXPECT_EQ(problem_field({{"preferences", "dark"}}), "preferences");
  EXPECT_EQ(problem_field({{"preferences", {{"timezone", "posix/Europe/Paris"}}}}), "preferences.timezone");
  EXPECT_EQ(problem_field({{"preferences", {{"timezone", "Europe"}}}}), "preferences.timezone");
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", {{"start", "24:00"}}}}}}),
            "preferences.quietHours.start");
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", {{"end", "8:00"}}}}}}),
            "preferences.quietHours.end");
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", {{"enabled", "no"}}}}}}),
            "preferences.quietHours.enabled");
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", {{"from", "22:00"}}}}}}),
            "preferences.quietHours.from");
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", {{"start", "08:00"}}}}}}),
            "preferences.quietHours.end");  // the same as the end: an empty window
  EXPECT_EQ(problem_field({{"preferences", {{"quietHours", true}}}}), "preferences.quietHours");
  // Nothing of the refused bodies was applied.
  auto user = as(session).get("/me").json().at("user").as_object();
  EXPECT_EQ(user.at("name"), "");
  EXPECT_EQ(as(session)
                .patch("/me", {{"name", std::string(100, 'x')}, {"preferences", {{"timezone", "UTC"}}}})
                .status,
            200);
  EXPECT_EQ(as(session).patch("/me", {{"name", nullptr}}).json().at("user").at("name"), "");
}

TEST_F(AuthRefreshTest, DeleteMeRemovesTheAccountAndItsSessions) {
  auto email = unique_email("delete");
  auto session = sign_in(*server_, email);
  auto other_device = refreshed(session.refresh_token);
  ASSERT_EQ(as(session).del("/me").status, 204);
  EXPECT_EQ(as(session).get("/me").status, 401) << "the deleted account's token is refused";
  expect_refused(other_device, "a refresh token of the deleted account");
  EXPECT_EQ(as(session).del("/me").status, 401) << "the token went with the account";
  // The address is free again: signing in makes a new account.
  auto again = sign_in(*server_, email);
  EXPECT_NE(again.user_id, session.user_id);
  EXPECT_EQ(as(again).get("/me").json().at("user").at("name"), "");
}

TEST_F(AuthRefreshTest, MeNeedsAnAccessToken) {
  ApiClient anonymous(server_->base_url());
  EXPECT_EQ(anonymous.get("/me").status, 401);
  EXPECT_EQ(anonymous.patch("/me", {{"name", "x"}}).status, 401);
  EXPECT_EQ(anonymous.del("/me").status, 401);
}

}  // namespace
}  // namespace kefir::test
