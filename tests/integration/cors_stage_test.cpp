// CORS by stage through the real binary (SPEC §10): dev allows any origin, prod only CORS_ORIGINS (wildcard
// subdomains included); preflights are answered for any path without a token.
#include <gtest/gtest.h>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::test {
namespace {

HttpResponse preflight(const std::string& url, const std::string& origin) {
  return send({.method = "OPTIONS",
               .url = url,
               .headers = {{"Origin", origin},
                           {"Access-Control-Request-Method", "PATCH"},
                           {"Access-Control-Request-Headers", "authorization,content-type,if-match"}}});
}

void expect_preflight_allows(const HttpResponse& response, const std::string& allowed_origin) {
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.header("access-control-allow-origin"), allowed_origin);
  EXPECT_EQ(response.header("access-control-allow-methods"), "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(response.header("access-control-allow-headers"),
            "Content-Type, Authorization, Idempotency-Key, If-Match");
  EXPECT_EQ(response.header("access-control-max-age"), "300");
}

TEST(CorsDevStage, AllowsAnyOriginOnRequestsAndPreflights) {
  ServerProcess server;
  auto response =
      send({.url = server.base_url() + "/healthz", .headers = {{"Origin", "http://localhost:19006"}}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("access-control-allow-origin"), "*");
  EXPECT_NE(response.header("access-control-expose-headers").find("X-Request-Id"), std::string::npos);

  // Any path, authenticated or not, even one that does not exist: no token needed.
  expect_preflight_allows(preflight(server.base_url() + "/batches/0190d1c2-7c2e-7000-8000-000000000001",
                                    "https://anything.example"),
                          "*");
  expect_preflight_allows(preflight(server.base_url() + "/no/such/route", "http://localhost:3000"), "*");
}

TEST(CorsDevStage, ErrorResponsesCarryCorsHeadersToo) {
  ServerProcess server;
  auto response =
      send({.url = server.base_url() + "/batches", .headers = {{"Origin", "http://localhost:3000"}}});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.header("access-control-allow-origin"), "*");
}

class CorsProdStage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({.env = {{"STAGE", "prod"},
                                         {"JWT_PRIVATE_KEY", generate_rsa_pem()},
                                         {"VAPID_PRIVATE_KEY", webpush::P256Key::generate().private_pem()},
                                         {"SMTP_URL", "smtp://127.0.0.1:9"},
                                         {"PUBLIC_BASE_URL", "https://api.kefirproducer.com"},
                                         {"CORS_ORIGINS",
                                          "https://kefirproducer.com, https://*.kefirproducer.com, "
                                          "http://localhost:19006"}}});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResponse get_from(const std::string& origin) {
    return send({.url = server_->base_url() + "/healthz", .headers = {{"Origin", origin}}});
  }
  static ServerProcess* server_;
};
ServerProcess* CorsProdStage::server_ = nullptr;

TEST_F(CorsProdStage, EchoesListedOriginsAndVariesOnOrigin) {
  for (std::string origin : {"https://kefirproducer.com", "http://localhost:19006"}) {
    auto response = get_from(origin);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("access-control-allow-origin"), origin);
    EXPECT_EQ(response.header("vary"), "Origin");
  }
}

TEST_F(CorsProdStage, WildcardEntryAdmitsSubdomainsOnly) {
  EXPECT_EQ(get_from("https://app.kefirproducer.com").header("access-control-allow-origin"),
            "https://app.kefirproducer.com");
  EXPECT_EQ(get_from("https://eu.app.kefirproducer.com").header("access-control-allow-origin"),
            "https://eu.app.kefirproducer.com");
  for (std::string origin : {"https://evil-kefirproducer.com", "https://kefirproducer.com.evil.net",
                             "http://app.kefirproducer.com", "https://.kefirproducer.com", "null"}) {
    auto response = get_from(origin);
    EXPECT_EQ(response.status, 200) << origin;  // the request itself is served; the browser withholds it
    EXPECT_EQ(response.header("access-control-allow-origin"), "") << origin;
    EXPECT_EQ(response.header("vary"), "Origin") << origin;
  }
}

TEST_F(CorsProdStage, PreflightsFromAllowedOriginsAreAnsweredWithoutToken) {
  expect_preflight_allows(
      preflight(server_->base_url() + "/me/reminders/abc", "https://www.kefirproducer.com"),
      "https://www.kefirproducer.com");
}

TEST_F(CorsProdStage, PreflightsFromOtherOriginsGetNoPermission) {
  auto response = preflight(server_->base_url() + "/batches", "https://evil.example");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.header("access-control-allow-origin"), "");
  EXPECT_EQ(response.header("access-control-allow-methods"), "");
}

TEST_F(CorsProdStage, HttpsPublicUrlAddsStrictTransportSecurity) {
  EXPECT_EQ(get_from("https://kefirproducer.com").header("strict-transport-security"),
            "max-age=31536000; includeSubDomains");
}

}  // namespace
}  // namespace kefir::test
