#include "ops/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace kefir::ops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsRegistry, ExposesCountersWithEscapedLabelsSortedBySeries) {
  Registry registry;
  auto& family = registry.counter("demo_events_total", "events seen", {"kind", "detail"});
  family.with({"b", "plain"}).inc(2);
  family.with({"a", "quote \" backslash \\ newline \n"}).inc();

  auto text = registry.expose();
  EXPECT_EQ(text,
            "# HELP demo_events_total events seen\n"
            "# TYPE demo_events_total counter\n"
            "demo_events_total{kind=\"a\",detail=\"quote \\\" backslash \\\\ newline \\n\"} 1\n"
            "demo_events_total{kind=\"b\",detail=\"plain\"} 2\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& histogram = registry.histogram("demo_seconds", "durations", {"op"}, {0.1, 1}).with({"get"});
  histogram.observe(0.05);
  histogram.observe(0.1);  // upper bounds are inclusive
  histogram.observe(0.5);
  histogram.observe(7);

  auto text = registry.expose();
  EXPECT_THAT(text, HasSubstr("demo_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("demo_seconds_bucket{op=\"get\",le=\"1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("demo_seconds_bucket{op=\"get\",le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("demo_seconds_sum{op=\"get\"} 7.65\n"));
  EXPECT_THAT(text, HasSubstr("demo_seconds_count{op=\"get\"} 4\n"));
}

TEST(MetricsRegistry, GaugesWithoutLabelsAndCollectorsRunAtExposition) {
  Registry registry;
  auto& gauge = registry.gauge("demo_level", "a level").with({});
  int collected = 0;
  registry.on_collect([&] { gauge.set(++collected * 1.5); });
  EXPECT_THAT(registry.expose(), HasSubstr("demo_level 1.5\n"));
  EXPECT_THAT(registry.expose(), HasSubstr("demo_level 3\n"));
}

TEST(MetricsRegistry, RejectsWrongLabelCountAndDuplicateNames) {
  Registry registry;
  auto& family = registry.counter("demo_total", "x", {"a"});
  EXPECT_THROW(family.with({"1", "2"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("demo_total", "again"), std::invalid_argument);
}

TEST(MetricsRegistry, ConcurrentIncrementsOnNewAndExistingSeriesAreAllCounted) {
  Registry registry;
  auto& family = registry.counter("demo_hits_total", "hits", {"route"});
  auto& histogram = registry.histogram("demo_hit_seconds", "hit durations", {"route"}, {0.5});
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string route = "/r" + std::to_string((i + t) % 7);
        family.with({route}).inc();
        histogram.with({route}).observe(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::uint64_t total = 0;
  for (int r = 0; r < 7; ++r) total += family.with({"/r" + std::to_string(r)}).value();
  EXPECT_EQ(total, std::uint64_t{kThreads} * kPerThread);
  auto text = registry.expose();
  std::uint64_t counted = 0;
  for (int r = 0; r < 7; ++r) {
    auto marker = "demo_hit_seconds_count{route=\"/r" + std::to_string(r) + "\"} ";
    auto at = text.find(marker);
    ASSERT_NE(at, std::string::npos);
    counted += std::stoull(text.substr(at + marker.size()));
  }
  EXPECT_EQ(counted, std::uint64_t{kThreads} * kPerThread);
}

TEST(ServiceMetrics, RequestSeriesUseTemplatesAndNormaliseMethods) {
  ServiceMetrics service;
  service.request("GET", "/batches/{id}", 200, 0.002);
  service.request("BREW", "unmatched", 405, 0.001);
  service.request("POST", "/batches", 500, 0.02);
  auto text = service.expose();
  EXPECT_THAT(
      text, HasSubstr("kefir_http_requests_total{method=\"GET\",route=\"/batches/{id}\",status=\"200\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("kefir_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 1"));
  EXPECT_THAT(text, HasSubstr("kefir_http_handler_errors_total{route=\"/batches\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
  EXPECT_THAT(text, HasSubstr("kefir_http_request_duration_seconds_bucket{method=\"GET\",route=\"/batches/"
                              "{id}\",le=\"0.0025\"} 1"));
  EXPECT_THAT(text, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(text, HasSubstr("kefir_uptime_seconds "));
}

TEST(ServiceMetrics, ExternalLabelValuesAreBounded) {
  ServiceMetrics service;
  service.push_error(std::string(200, 'x') + "\n");
  service.push_error("");
  auto text = service.expose();
  EXPECT_THAT(text, HasSubstr("kefir_push_errors_total{code=\"" + std::string(64, 'x') + "\"} 1"));
  EXPECT_THAT(text, HasSubstr("kefir_push_errors_total{code=\"unknown\"} 1"));
}

}  // namespace
}  // namespace kefir::ops
