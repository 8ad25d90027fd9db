// Security headers on every response through the real binary (SPEC §10): nosniff, Referrer-Policy, a strict
// CSP (the page policy on HTML), and Cache-Control: no-store on authenticated responses, errors included.
#include <gtest/gtest.h>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/shared_server_test.hpp"

namespace kefir::test {
namespace {

class SecurityHeadersTest : public SharedServerTest {};

void expect_common_headers(const HttpResponse& response, const std::string& what) {
  EXPECT_EQ(response.header("x-content-type-options"), "nosniff") << what;
  EXPECT_EQ(response.header("referrer-policy"), "no-referrer") << what;
  EXPECT_EQ(response.header("x-frame-options"), "DENY") << what;
  EXPECT_FALSE(response.header("content-security-policy").empty()) << what;
  EXPECT_FALSE(response.header("x-request-id").empty()) << what;
  EXPECT_EQ(response.header("strict-transport-security"), "") << what << " (http public URL)";
}

TEST_F(SecurityHeadersTest, EveryKindOfResponseCarriesThem) {
  expect_common_headers(api.get("/healthz"), "healthz");
  expect_common_headers(api.get("/no/such/route"), "404");
  expect_common_headers(api.raw("DELETE", "/healthz", ""), "405");
  expect_common_headers(api.get("/batches"), "401");
  expect_common_headers(api.get("/metrics"), "metrics");
  expect_common_headers(
      send({.method = "OPTIONS",
            .url = api.base_url() + "/batches",
            .headers = {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "GET"}}}),
      "preflight");
}

TEST_F(SecurityHeadersTest, JsonGetsTheLockDownPolicyAndHtmlThePagePolicy) {
  EXPECT_EQ(api.get("/healthz").header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'; sandbox");

  auto page = api.get("/b/0190d1c2-7c2e-7000-8000-000000000001");  // unknown batch: the "not shared" page
  EXPECT_EQ(page.status, 404);
  ASSERT_EQ(page.header("content-type").substr(0, 9), "text/html");
  auto policy = page.header("content-security-policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("script-src"), std::string::npos) << "no script may run: " << policy;
  expect_common_headers(page, "html page");
}

TEST_F(SecurityHeadersTest, AuthenticatedResponsesAreNeverStored) {
  auto user = sign_in(*server_, unique_email("headers"));
  ApiClient authed(server_->base_url(), user.access_token);
  auto created = authed.post("/batches", {{"name", "Cache test"}, {"stage", "stage1_open"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("cache-control"), "no-store");
  EXPECT_EQ(authed.get("/batches").header("cache-control"), "no-store");
  EXPECT_EQ(authed.get("/me").header("cache-control"), "no-store");
  EXPECT_EQ(authed.get("/batches/0190d1c2-7c2e-7000-8000-000000000009").header("cache-control"), "no-store");
  EXPECT_EQ(api.get("/batches").header("cache-control"), "no-store");  // the 401 too
}

TEST_F(SecurityHeadersTest, PublicDocumentsKeepTheirOwnCaching) {
  auto jwks = api.get("/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.header("cache-control"), "public, max-age=300");
  expect_common_headers(jwks, "jwks");
}

}  // namespace
}  // namespace kefir::test
