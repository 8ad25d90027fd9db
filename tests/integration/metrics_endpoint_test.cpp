// GET /metrics through the real binary: the spec's series with route templates (never raw paths), and the
// exposition accepted by Prometheus' own linter (`promtool check metrics`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "support/auth_helpers.hpp"
#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/metrics_text.hpp"
#include "support/server_process.hpp"
#include "support/shared_server_test.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// `promtool check metrics` on an exposition: exit code 0 and no output when it has nothing to say.
CommandOutput promtool_check_metrics(const std::string& exposition) {
  TempDir dir;
  auto file = dir.path() / "metrics.txt";
  std::ofstream(file) << exposition;
  return run("promtool check metrics < " + shell_quoted(file.string()) + " 2>&1");
}

class MetricsEndpointTest : public SharedServerTest {};

TEST_F(MetricsEndpointTest, IsPrometheusTextWithoutAuthentication) {
  auto response = api.get("/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response.body, HasSubstr("# TYPE kefir_http_requests_total counter\n"));
  EXPECT_THAT(response.body, HasSubstr("# TYPE kefir_http_request_duration_seconds histogram\n"));
  for (const char* family :
       {"kefir_reminders_sent_total", "kefir_reminders_failed_total", "kefir_reminders_retried_total",
        "kefir_push_errors_total", "kefir_storage_operation_duration_seconds",
        "kefir_storage_throttles_total", "kefir_http_throttled_requests_total", "kefir_otp_emails_sent_total",
        "process_resident_memory_bytes", "kefir_uptime_seconds"})
    EXPECT_THAT(response.body, HasSubstr(std::string("# TYPE ") + family + " ")) << family;
  EXPECT_GT(series_value(response.body, "process_resident_memory_bytes"), 1e6);
}

TEST_F(MetricsEndpointTest, CountsRequestsByRouteTemplateMethodAndStatus) {
  std::string id = "0190d1c2-7c2e-7000-8000-00000000abcd";
  std::string series_401 = "kefir_http_requests_total{method=\"GET\",route=\"/batches/{id}\",status=\"401\"}";
  double before = std::max(0.0, series_value(api.get("/metrics").body, series_401));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api.get("/batches/" + id).status, 401);
  EXPECT_EQ(api.get("/no/such/path/" + id).status, 404);

  auto body = api.get("/metrics").body;
  EXPECT_EQ(series_value(body, series_401), before + 3);
  EXPECT_GE(
      series_value(body, "kefir_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"), 1);
  EXPECT_GE(
      series_value(body, "kefir_http_request_duration_seconds_count{method=\"GET\",route=\"/batches/{id}\"}"),
      3);
  EXPECT_THAT(body, Not(HasSubstr(id)));
}

TEST_F(MetricsEndpointTest, CountsOtpMailAndStorageOperations) {
  sign_in(*server_, unique_email("metrics"));
  auto body = api.get("/metrics").body;
  EXPECT_GE(series_value(body, "kefir_otp_emails_sent_total{transport=\"console\"}"), 1);
  EXPECT_THAT(body, HasSubstr("kefir_storage_operation_duration_seconds_count{store=\"sqlite\","));
}

TEST_F(MetricsEndpointTest, PassesPromtoolCheckMetrics) {
  api.get("/healthz");
  api.get("/nope");
  auto result = promtool_check_metrics(api.get("/metrics").body);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace kefir::test
