// Request throttling through the real binary (SPEC §10): a token bucket of THROTTLE_RATE per second up to
// THROTTLE_BURST; beyond it 429 THROTTLED with Retry-After, counted in the metrics; health and metrics
// exempt.
#include <gtest/gtest.h>

#include <thread>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace kefir::test {
namespace {

TEST(Throttle, BeyondTheBurstRequestsGet429WithRetryAfterUntilTokensRefill) {
  ServerProcess server({.env = {{"THROTTLE_RATE", "1"}, {"THROTTLE_BURST", "5"}}});
  ApiClient api(server.base_url());
  // The burst is served (these reach authentication, which refuses them), then the bucket is empty.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(api.get("/batches").status, 401) << i;
  auto refused = api.get("/batches");
  ASSERT_EQ(refused.status, 429);
  EXPECT_EQ(refused.json().as_object().at("code"), "THROTTLED");
  int retry_after = std::stoi(refused.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  EXPECT_EQ(api.post("/auth/login", {{"email", "a@example.com"}}).status, 429);

  // Health checks and scrapes are never throttled, and the scrape counts the refusals.
  EXPECT_EQ(api.get("/healthz").status, 200);
  EXPECT_EQ(api.get("/readyz").status, 200);
  auto metrics = api.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  auto at = metrics.body.find("\nkefir_http_throttled_requests_total ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stoi(metrics.body.substr(at + 37)), 2);
  EXPECT_NE(metrics.body.find("kefir_http_requests_total{method=\"GET\",route=\"/batches\",status=\"429\"}"),
            std::string::npos);

  std::this_thread::sleep_for(std::chrono::seconds(retry_after) + std::chrono::milliseconds(100));
  EXPECT_EQ(api.get("/batches").status, 401);
}

TEST(Throttle, RateZeroDisablesThrottling) {
  ServerProcess server({.env = {{"THROTTLE_RATE", "0"}, {"THROTTLE_BURST", "1"}}});
  ApiClient api(server.base_url());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(api.get("/batches").status, 401) << i;
}

}  // namespace
}  // namespace kefir::test
