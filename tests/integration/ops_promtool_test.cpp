// The Prometheus side of operations through Prometheus' own tool: the alarm rules load and behave as their
// unit tests say (fire over the threshold, stay silent under it), the example configuration loads, and every
// query of the Grafana dashboard parses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "support/command.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using ::testing::HasSubstr;

const std::string kOps = std::string(KEFIR_SOURCE_DIR) + "/ops";

CommandOutput promtool(const std::string& arguments) {
  return run("promtool " + arguments + " 2>&1");
}

TEST(Promtool, AlertRulesLoad) {
  auto result = promtool("check rules " + kOps + "/prometheus/alerts.yml");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("SUCCESS: 7 rules found"));
}

TEST(Promtool, EveryAlarmFiresOverItsThresholdAndNotUnder) {
  auto result = promtool("test rules " + kOps + "/prometheus/alerts_test.yml");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("SUCCESS"));
}

TEST(Promtool, ExampleConfigurationLoads) {
  auto result = promtool("check config " + kOps + "/prometheus/prometheus.yml");
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

// Grafana variables replaced by what they stand for, so promtool can parse the query.
std::string as_promql(std::string expr) {
  for (auto [from, to] : {std::pair{"$__rate_interval", "5m"}, std::pair{"$job", ".+"}}) {
    for (auto at = expr.find(from); at != std::string::npos; at = expr.find(from))
      expr.replace(at, std::string_view(from).size(), to);
  }
  return expr;
}

TEST(Promtool, EveryDashboardQueryParses) {
  std::ifstream in(kOps + "/grafana/kefir-dashboard.json");
  std::stringstream text;
  text << in.rdbuf();
  auto dashboard = boost::json::parse(text.str()).as_object();
  TempDir dir;
  auto rules = dir.path() / "dashboard-rules.yml";
  std::ofstream out(rules);
  out << "groups:\n  - name: dashboard\n    rules:\n";
  int queries = 0;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    const auto* targets = panel.as_object().if_contains("targets");
    if (!targets) continue;
    for (const auto& target : targets->as_array()) {
      auto expr = as_promql(std::string(target.as_object().at("expr").as_string()));
      out << "      - record: kefir:dashboard_query_" << ++queries
          << "\n        expr: " << boost::json::serialize(boost::json::value(expr)) << "\n";
    }
  }
  out.close();
  ASSERT_GT(queries, 15);
  auto result = promtool("check rules " + rules.string());
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

}  // namespace
}  // namespace kefir::test
