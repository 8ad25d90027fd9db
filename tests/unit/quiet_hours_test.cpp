// delivery_time and spoken_time on real zones, including the days their clocks change.
#include <gtest/gtest.h>

#include "adapters/fs/zoneinfo.hpp"
#include "domain/quiet_hours.hpp"

namespace kefir::reminders {
namespace {

TimePoint at(std::string_view rfc3339) {
  return *parse_rfc3339(rfc3339);
}

const tz::TimeZone& zone(std::string_view name) {
  auto found = tz::find_zone(name);
  if (!found) throw std::runtime_error("zone missing from the system database: " + std::string(name));
  return *found;
}

const QuietHours kDefault{};
const QuietHours kOff{.enabled = false};

TEST(ClockTime, ParsesAndFormatsHoursAndMinutes) {
  EXPECT_EQ(parse_clock_time("00:00"), minutes(0));
  EXPECT_EQ(parse_clock_time("08:30"), minutes(8 * 60 + 30));
  EXPECT_EQ(parse_clock_time("23:59"), minutes(23 * 60 + 59));
  for (std::string_view bad : {"", "8:30", "24:00", "12:60", "12-30", "12:3", "12:300", "ab:cd", " 8:30"})
    EXPECT_FALSE(parse_clock_time(bad)) << bad;
  EXPECT_EQ(format_clock_time(minutes(8 * 60 + 5)), "08:05");
  EXPECT_EQ(format_clock_time(minutes(22 * 60)), "22:00");
}

TEST(QuietHours, DefaultWindowHoldsEveningAndNightRemindersUntilEightLocal) {
  const auto& paris = zone("Europe/Paris");  // CET, UTC+1, in January
  // 23:00 local: tomorrow 08:00. 03:00 local: today 08:00.
  EXPECT_EQ(delivery_time(at("2026-01-14T22:00:00Z"), paris, kDefault), at("2026-01-15T07:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-15T02:00:00Z"), paris, kDefault), at("2026-01-15T07:00:00Z"));
  // The edges: 22:00 is inside, 08:00 and 21:59 are not.
  EXPECT_EQ(delivery_time(at("2026-01-14T21:00:00Z"), paris, kDefault), at("2026-01-15T07:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-15T07:00:00Z"), paris, kDefault), at("2026-01-15T07:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-14T20:59:59.999Z"), paris, kDefault), at("2026-01-14T20:59:59.999Z"));
  // Off, nothing moves; the same UTC instant is daytime in New York.
  EXPECT_EQ(delivery_time(at("2026-01-14T22:00:00Z"), paris, kOff), at("2026-01-14T22:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-14T22:00:00Z"), zone("America/New_York"), kDefault),
            at("2026-01-14T22:00:00Z"));
}

TEST(QuietHours, WindowWithinOneDayAndEmptyWindow) {
  const QuietHours siesta{.enabled = true, .start = minutes(13 * 60), .end = minutes(15 * 60 + 30)};
  const auto& utc = zone("UTC");
  EXPECT_EQ(delivery_time(at("2026-01-15T14:00:00Z"), utc, siesta), at("2026-01-15T15:30:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-15T12:59:00Z"), utc, siesta), at("2026-01-15T12:59:00Z"));
  EXPECT_EQ(delivery_time(at("2026-01-15T23:00:00Z"), utc, siesta), at("2026-01-15T23:00:00Z"));
  const QuietHours empty{.enabled = true, .start = minutes(60), .end = minutes(60)};
  EXPECT_EQ(delivery_time(at("2026-01-15T01:00:00Z"), utc, empty), at("2026-01-15T01:00:00Z"));
}

TEST(QuietHours, ParisTransitionNightsEndAtEightLocalTime) {
  const auto& paris = zone("Europe/Paris");
  // Spring forward (2026-03-29): 23:00 CET on the 28th waits until 08:00 CEST, 06:00 UTC (a 8-hour night).
  EXPECT_EQ(delivery_time(at("2026-03-28T22:00:00Z"), paris, kDefault), at("2026-03-29T06:00:00Z"));
  // Fall back (2026-10-25): 23:00 CEST on the 24th waits until 08:00 CET, 07:00 UTC (a 10-hour night).
  EXPECT_EQ(delivery_time(at("2026-10-24T21:00:00Z"), paris, kDefault), at("2026-10-25T07:00:00Z"));
  // 02:30 CET and CEST, both showings of the repeated hour, are inside.
  EXPECT_EQ(delivery_time(at("2026-10-25T00:30:00Z"), paris, kDefault), at("2026-10-25T07:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-10-25T01:30:00Z"), paris, kDefault), at("2026-10-25T07:00:00Z"));
}

TEST(QuietHours, AnEndInsideTheSpringGapIsTheJump) {
  // Quiet until 02:30, which 2026-03-29 skips in Paris: the window ends when the clocks jump to 03:00.
  const QuietHours until_half_past_two{
      .enabled = true, .start = minutes(22 * 60), .end = minutes(2 * 60 + 30)};
  const auto& paris = zone("Europe/Paris");
  EXPECT_EQ(delivery_time(at("2026-03-28T23:00:00Z"), paris, until_half_past_two),
            at("2026-03-29T01:00:00Z"));
  // The next night it exists again: 02:30 CEST.
  EXPECT_EQ(delivery_time(at("2026-03-29T22:00:00Z"), paris, until_half_past_two),
            at("2026-03-30T00:30:00Z"));
}

TEST(QuietHours, AnEndShownTwiceIsTheFirstShowingAfterTheReminder) {
  // Quiet until 01:30 in New York on 2026-11-01, where 01:00-02:00 shows twice (EDT, then EST).
  const QuietHours until_half_past_one{.enabled = true, .start = minutes(22 * 60), .end = minutes(90)};
  const auto& new_york = zone("America/New_York");
  // 23:00 EDT on Oct 31: the first 01:30 (EDT, 05:30 UTC).
  EXPECT_EQ(delivery_time(at("2026-11-01T03:00:00Z"), new_york, until_half_past_one),
            at("2026-11-01T05:30:00Z"));
  // 01:10 EST, in the repeated hour: its 01:30 is the second one (EST, 06:30 UTC), not one already past.
  EXPECT_EQ(delivery_time(at("2026-11-01T06:10:00Z"), new_york, until_half_past_one),
            at("2026-11-01T06:30:00Z"));
}

TEST(QuietHours, NewYorkTransitionNightsEndAtEightLocalTime) {
  const auto& new_york = zone("America/New_York");
  // Spring forward (2026-03-08): 23:00 EST on the 7th (04:00 UTC) until 08:00 EDT (12:00 UTC).
  EXPECT_EQ(delivery_time(at("2026-03-08T04:00:00Z"), new_york, kDefault), at("2026-03-08T12:00:00Z"));
  // 02:30 never shows that night; 01:59 EST and 03:00 EDT are inside.
  EXPECT_EQ(delivery_time(at("2026-03-08T06:59:00Z"), new_york, kDefault), at("2026-03-08T12:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-03-08T07:00:00Z"), new_york, kDefault), at("2026-03-08T12:00:00Z"));
  // Fall back (2026-11-01): 01:30 EDT and 01:30 EST are both held until 08:00 EST (13:00 UTC).
  EXPECT_EQ(delivery_time(at("2026-11-01T05:30:00Z"), new_york, kDefault), at("2026-11-01T13:00:00Z"));
  EXPECT_EQ(delivery_time(at("2026-11-01T06:30:00Z"), new_york, kDefault), at("2026-11-01T13:00:00Z"));
}

TEST(SpokenTime, NamesTheDayAsPeopleDo) {
  const auto& paris = zone("Europe/Paris");
  const TimePoint now = at("2026-01-15T09:00:00Z");  // Thursday 10:00 in Paris
  EXPECT_EQ(spoken_time(at("2026-01-15T17:30:00Z"), now, paris), "today 18:30");
  EXPECT_EQ(spoken_time(at("2026-01-16T07:00:00Z"), now, paris), "tomorrow 08:00");
  EXPECT_EQ(spoken_time(at("2026-01-15T23:30:00Z"), now, paris), "tomorrow 00:30");  // past midnight in Paris
  EXPECT_EQ(spoken_time(at("2026-01-17T08:15:00Z"), now, paris), "Saturday 09:15");
  EXPECT_EQ(spoken_time(at("2026-01-21T08:00:00Z"), now, paris), "Wednesday 09:00");
  EXPECT_EQ(spoken_time(at("2026-01-22T08:00:00Z"), now, paris), "22 January 09:00");
  // Across the spring change the clock time is the local one of that day.
  EXPECT_EQ(spoken_time(at("2026-03-29T06:00:00Z"), at("2026-03-28T12:00:00Z"), paris), "tomorrow 08:00");
}

}  // namespace
}  // namespace kefir::reminders
