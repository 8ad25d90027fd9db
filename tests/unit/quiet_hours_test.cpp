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

// A reminder on a night the clocks change, and when quiet hours let it through.
struct TransitionNight {
  std::string_view zone;
  QuietHours quiet;
  std::string_view scheduled;
  std::string_view delivered;
  std::string_view why;
};

TEST(QuietHours, NightsTheClocksChangeEndAtTheLocalEnd) {
  // Ends that the transition night skips (Paris, 02:30 on 2026-03-29) or shows twice (New York, 01:30 on
  // 2026-11-01).
  const QuietHours until_half_past_two{.enabled = true, .start = minutes(22 * 60), .end = minutes(150)};
  const QuietHours until_half_past_one{.enabled = true, .start = minutes(22 * 60), .end = minutes(90)};
  const TransitionNight nights[] = {
      {"Europe/Paris", kDefault, "2026-03-28T22:00:00Z", "2026-03-29T06:00:00Z",
       "spring forward: 23:00 CET until 08:00 CEST, an 8-hour night"},
      {"Europe/Paris", kDefault, "2026-10-24T21:00:00Z", "2026-10-25T07:00:00Z",
       "fall back: 23:00 CEST until 08:00 CET, a 10-hour night"},
      {"Europe/Paris", kDefault, "2026-10-25T00:30:00Z", "2026-10-25T07:00:00Z",
       "02:30 CEST, first of the repeated hour"},
      {"Europe/Paris", kDefault, "2026-10-25T01:30:00Z", "2026-10-25T07:00:00Z",
       "02:30 CET, second of the repeated hour"},
      {"America/New_York", kDefault, "2026-03-08T04:00:00Z", "2026-03-08T12:00:00Z",
       "spring forward: 23:00 EST until 08:00 EDT"},
      {"America/New_York", kDefault, "2026-03-08T06:59:00Z", "2026-03-08T12:00:00Z",
       "01:59 EST, just before the gap"},
      {"America/New_York", kDefault, "2026-03-08T07:00:00Z", "2026-03-08T12:00:00Z",
       "03:00 EDT, just after it"},
      {"America/New_York", kDefault, "2026-11-01T05:30:00Z", "2026-11-01T13:00:00Z",
       "fall back: 01:30 EDT until 08:00 EST"},
      {"America/New_York", kDefault, "2026-11-01T06:30:00Z", "2026-11-01T13:00:00Z",
       "01:30 EST, the repeated hour"},
      {"Europe/Paris", until_half_past_two, "2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z",
       "an end of 02:30 that never shows: the jump to 03:00"},
      {"Europe/Paris", until_half_past_two, "2026-03-29T22:00:00Z", "2026-03-30T00:30:00Z",
       "the next night 02:30 exists again (CEST)"},
      {"America/New_York", until_half_past_one, "2026-11-01T03:00:00Z", "2026-11-01T05:30:00Z",
       "23:00 EDT: the first 01:30 (EDT)"},
      {"America/New_York", until_half_past_one, "2026-11-01T06:10:00Z", "2026-11-01T06:30:00Z",
       "01:10 EST: the second 01:30 (EST), not one already past"},
  };
  for (const auto& night : nights)
    EXPECT_EQ(delivery_time(at(night.scheduled), zone(night.zone), night.quiet), at(night.delivered))
        << night.zone << " " << night.scheduled << ": " << night.why;
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

TEST(DeliveryNote, SaysWhenAndWhetherQuietHoursHoldIt) {
  const auto& new_york = zone("America/New_York");
  const TimePoint now = at("2026-03-07T15:00:00Z");  // Saturday 10:00 EST
  EXPECT_EQ(delivery_note(at("2026-03-07T23:30:00Z"), at("2026-03-07T23:30:00Z"), now, new_york),
            "Due today 18:30.");
  // 23:00 EST on the eve of spring forward, held until 08:00 EDT.
  const TimePoint late = at("2026-03-08T04:00:00Z");
  EXPECT_EQ(delivery_note(late, delivery_time(late, new_york, kDefault), now, new_york),
            "Due today 23:00, in your quiet hours: delivered tomorrow 08:00, when they end.");
}

}  // namespace
}  // namespace kefir::reminders
