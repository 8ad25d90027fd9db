// RFC 3339 formatting (hand-written digits, with snprintf kept only for years outside 0000-9999) and its
// round trip through the parser.
#include <gtest/gtest.h>

#include "util/time.hpp"

namespace kefir {
namespace {

using std::chrono::milliseconds;

TimePoint at(std::int64_t epoch_ms) {
  return TimePoint(milliseconds(epoch_ms));
}

TEST(TimeFormat, WritesUtcWithMillisecondsAndZeroPadding) {
  EXPECT_EQ(format_rfc3339(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(at(1'795'705'209'007)), "2026-11-26T15:00:09.007Z");
  EXPECT_EQ(format_rfc3339(at(951'782'400'000 + 86'399'999)), "2000-02-29T23:59:59.999Z");  // leap day
  EXPECT_EQ(format_rfc3339(at(253'402'300'799'000)), "9999-12-31T23:59:59.000Z");
}

TEST(TimeFormat, YearsOutsideFourDigitsStillFormat) {
  EXPECT_EQ(format_rfc3339(at(253'402'300'800'000)), "10000-01-01T00:00:00.000Z");
}

TEST(TimeFormat, RoundTripsThroughTheParser) {
  for (std::int64_t ms : {0LL, 1LL, 999LL, 1'795'705'209'007LL, 4'102'444'799'999LL}) {
    auto parsed = parse_rfc3339(format_rfc3339(at(ms)));
    ASSERT_TRUE(parsed.has_value()) << ms;
    EXPECT_EQ(*parsed, at(ms));
  }
}

}  // namespace
}  // namespace kefir
