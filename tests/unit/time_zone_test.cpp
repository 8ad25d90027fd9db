// The TZif reader: hand-built files for the format's corners, the system's zoneinfo for real zones, and
// glibc's own reading of the same files as an independent oracle over a century of instants.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "adapters/fs/zoneinfo.hpp"
#include "domain/time_zone.hpp"
#include "util/time.hpp"

namespace kefir::tz {
namespace {

Seconds utc(std::string_view rfc3339) {
  return epoch_seconds(*parse_rfc3339(rfc3339));
}

// Local wall-clock seconds for "YYYY-MM-DDTHH:MM:SS", read as if it were UTC.
Seconds wall(std::string_view text) {
  return utc(std::string(text) + "Z");
}

const TimeZone& zone(std::string_view name) {
  auto found = find_zone(name);
  if (!found) throw std::runtime_error("zone missing from the system database: " + std::string(name));
  return *found;
}

// A TZif file built by hand: a v1 header with an empty 32-bit block, then the version's 64-bit block and
// footer (RFC 8536 §3).
struct LocalType {
  std::int32_t offset;
  bool dst;
};
std::string tzif(char version, const std::vector<std::pair<Seconds, std::uint8_t>>& transitions,
                 const std::vector<LocalType>& types, std::string_view footer) {
  auto be = [](std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (i * 8)) & 0xff));
  };
  auto header = [&](std::string& out, std::size_t timecnt, std::size_t typecnt, std::size_t charcnt) {
    out += "TZif";
    out.push_back(version);
    out.append(15, '\0');
    for (std::size_t count : {std::size_t{0}, std::size_t{0}, std::size_t{0}, timecnt, typecnt, charcnt})
      be(out, count, 4);
  };
  std::string out;
  header(out, 0, 1, 4);  // v1 block: one UTC type
  be(out, 0, 4);
  out += std::string("\0\0UTC\0", 6);
  header(out, transitions.size(), types.size(), 4);
  for (const auto& [at, type] : transitions) be(out, static_cast<std::uint64_t>(at), 8);
  for (const auto& [at, type] : transitions) out.push_back(static_cast<char>(type));
  for (const auto& type : types) {
    be(out, static_cast<std::uint32_t>(type.offset), 4);
    out.push_back(type.dst ? 1 : 0);
    out.push_back(0);
  }
  out += std::string("ABC\0", 4);
  out += "\n" + std::string(footer) + "\n";
  return out;
}

TEST(TimeZoneFile, FollowsTheExplicitTransitionsThenTheFooterRule) {
  // Paris-like: one explicit switch to summer time in 2020, then the footer's rule.
  auto paris =
      TimeZone::parse("Test/Paris", tzif('2', {{utc("2020-03-29T01:00:00Z"), 1}},
                                         {{3600, false}, {7200, true}}, "CET-1CEST,M3.5.0,M10.5.0/3"));
  ASSERT_TRUE(paris);
  EXPECT_EQ(paris->offset_at(utc("2020-01-01T00:00:00Z")), 3600);  // before the first transition: type 0
  EXPECT_EQ(paris->offset_at(utc("2020-06-01T00:00:00Z")), 7200);
  EXPECT_EQ(paris->offset_at(utc("2020-10-25T00:59:59Z")), 7200);  // footer: last Sunday of October, 03:00
  EXPECT_EQ(paris->offset_at(utc("2020-10-25T01:00:00Z")), 3600);
  EXPECT_EQ(paris->offset_at(utc("2041-03-31T00:59:59Z")), 3600);  // 2041: last Sunday of March is the 31st
  EXPECT_EQ(paris->offset_at(utc("2041-03-31T01:00:00Z")), 7200);
}

TEST(TimeZoneFile, VersionOneFilesUseTheir32BitData) {
  std::string v1;
  auto be = [&](std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) v1.push_back(static_cast<char>((value >> (i * 8)) & 0xff));
  };
  v1 += "TZif";
  v1.append(16, '\0');
  for (std::uint64_t count : {0, 0, 0, 1, 2, 4}) be(count, 4);
  be(static_cast<std::uint64_t>(utc("2000-01-01T00:00:00Z")), 4);
  v1.push_back(1);
  be(0, 4), v1 += std::string("\0\0", 2);
  be(static_cast<std::uint32_t>(-5 * 3600), 4), v1 += std::string("\0\0", 2);
  v1 += std::string("ABC\0", 4);
  auto zone = TimeZone::parse("Test/V1", v1);
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->offset_at(utc("1999-12-31T23:59:59Z")), 0);
  EXPECT_EQ(zone->offset_at(utc("2030-01-01T00:00:00Z")), -5 * 3600);
}

TEST(TimeZoneFile, RefusesWhatIsNotTzif) {
  const auto good = tzif('2', {{0, 1}}, {{0, false}, {3600, false}}, "<+01>-1");
  ASSERT_TRUE(TimeZone::parse("ok", good));
  EXPECT_FALSE(TimeZone::parse("empty", ""));
  EXPECT_FALSE(TimeZone::parse("text", "Europe/Paris is not a zone file"));
  for (std::size_t cut : {5ul, 44ul, 60ul, good.size() - 20})
    EXPECT_FALSE(TimeZone::parse("truncated", good.substr(0, cut))) << "cut at " << cut;
  // A type index beyond the types, and transitions out of order.
  EXPECT_FALSE(TimeZone::parse("bad index", tzif('2', {{0, 5}}, {{0, false}}, "UTC0")));
  EXPECT_FALSE(TimeZone::parse("unordered", tzif('2', {{100, 0}, {50, 0}}, {{0, false}}, "UTC0")));
}

TEST(PosixRule, ReadsTheFootersTheDatabaseUses) {
  auto paris = parse_posix_rule("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(paris);
  EXPECT_EQ(paris->standard_offset, 3600);
  EXPECT_EQ(paris->daylight_offset, 7200);
  EXPECT_EQ(paris->daylight_start.month, 3);
  EXPECT_EQ(paris->daylight_start.week, 5);
  EXPECT_EQ(paris->daylight_start.time, 2 * 3600);
  EXPECT_EQ(paris->daylight_end.time, 3 * 3600);

  auto new_york = parse_posix_rule("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(new_york);
  EXPECT_EQ(new_york->standard_offset, -5 * 3600);  // POSIX counts west as positive
  EXPECT_EQ(new_york->daylight_offset, -4 * 3600);

  auto kolkata = parse_posix_rule("IST-5:30");
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata->standard_offset, 5 * 3600 + 30 * 60);
  EXPECT_FALSE(kolkata->daylight_offset);

  auto nuuk = parse_posix_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");  // negative switch time (RFC 8536 v3)
  ASSERT_TRUE(nuuk);
  EXPECT_EQ(nuuk->standard_offset, -2 * 3600);
  EXPECT_EQ(nuuk->daylight_start.time, -3600);

  auto lord_howe = parse_posix_rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");  // half-hour daylight saving
  ASSERT_TRUE(lord_howe);
  EXPECT_EQ(lord_howe->daylight_offset, 11 * 3600);

  for (std::string_view bad :
       {"", "C-1", "CET", "CET-1CEST", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,J0,J365", "<+01-1",
        "CET-1CEST,M3.5.0,M10.5.0/168", "CET-1CEST,M3.5.0,M10.5.0x"})
    EXPECT_FALSE(parse_posix_rule(bad)) << bad;
}

TEST(PosixRule, JulianDaysSkipFebruaryTwentyNinthZeroBasedDaysDoNot) {
  // Daylight time from day J60 (always March 1) and from day 59 (March 1, or Feb 29 in a leap year).
  auto julian = TimeZone::parse("J", tzif('2', {}, {{0, false}}, "AAA0BBB,J60/0,J300/0"));
  auto zero_based = TimeZone::parse("n", tzif('2', {}, {{0, false}}, "AAA0BBB,59/0,299/0"));
  ASSERT_TRUE(julian && zero_based);
  EXPECT_EQ(julian->offset_at(utc("2028-02-29T12:00:00Z")), 0);
  EXPECT_EQ(julian->offset_at(utc("2028-03-01T00:00:00Z")), 3600);
  EXPECT_EQ(zero_based->offset_at(utc("2028-02-29T12:00:00Z")), 3600);
  EXPECT_EQ(zero_based->offset_at(utc("2027-02-28T23:59:59Z")), 0);
  EXPECT_EQ(zero_based->offset_at(utc("2027-03-01T00:00:00Z")), 3600);
}

TEST(PosixRule, SouthernHemisphereDaylightTimeSpansNewYear) {
  auto sydney = TimeZone::parse("S", tzif('2', {}, {{36000, false}}, "AEST-10AEDT,M10.1.0,M4.1.0/3"));
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney->offset_at(utc("2031-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney->offset_at(utc("2031-07-15T00:00:00Z")), 10 * 3600);
  EXPECT_EQ(sydney->offset_at(utc("2031-12-31T23:00:00Z")), 11 * 3600);
}

TEST(TimeZone, ParisSpringForwardLeavesAGapAndFallBackShowsAnHourTwice) {
  const auto& paris = zone("Europe/Paris");
  // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  EXPECT_EQ(paris.offset_at(utc("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(paris.offset_at(utc("2026-03-29T01:00:00Z")), 7200);
  EXPECT_TRUE(paris.instants_of(wall("2026-03-29T02:30:00")).empty());
  EXPECT_EQ(paris.resolve(wall("2026-03-29T02:30:00")), utc("2026-03-29T01:00:00Z"));  // the jump: 03:00
  EXPECT_EQ(paris.instants_of(wall("2026-03-29T03:30:00")),
            std::vector<Seconds>{utc("2026-03-29T01:30:00Z")});
  // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 shows twice.
  EXPECT_EQ(paris.instants_of(wall("2026-10-25T02:30:00")),
            (std::vector<Seconds>{utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:30:00Z")}));
  EXPECT_EQ(paris.resolve(wall("2026-10-25T02:30:00")), utc("2026-10-25T00:30:00Z"));
  EXPECT_EQ(paris.to_local(utc("2026-10-25T01:30:00Z")), wall("2026-10-25T02:30:00"));
}

TEST(TimeZone, NewYorkSpringForwardLeavesAGapAndFallBackShowsAnHourTwice) {
  const auto& new_york = zone("America/New_York");
  // 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
  EXPECT_TRUE(new_york.instants_of(wall("2026-03-08T02:30:00")).empty());
  EXPECT_EQ(new_york.resolve(wall("2026-03-08T02:30:00")), utc("2026-03-08T07:00:00Z"));
  EXPECT_EQ(new_york.offset_at(utc("2026-03-08T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(new_york.offset_at(utc("2026-03-08T07:00:00Z")), -4 * 3600);
  // 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:30 shows twice.
  EXPECT_EQ(new_york.instants_of(wall("2026-11-01T01:30:00")),
            (std::vector<Seconds>{utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:30:00Z")}));
  // A date far past any explicit transition follows the footer: 2090's second Sunday of March is the 12th.
  EXPECT_TRUE(new_york.instants_of(wall("2090-03-12T02:30:00")).empty());
  EXPECT_EQ(new_york.instants_of(wall("2090-03-11T02:30:00")).size(), 1u);
}

TEST(TimeZone, UtcAndFixedOffsetZones) {
  EXPECT_EQ(TimeZone::utc().offset_at(utc("2026-06-01T00:00:00Z")), 0);
  EXPECT_EQ(zone("UTC").offset_at(utc("2026-06-01T00:00:00Z")), 0);
  EXPECT_EQ(zone("Asia/Kolkata").offset_at(utc("2026-06-01T00:00:00Z")), 5 * 3600 + 30 * 60);
  EXPECT_EQ(zone("Etc/GMT+5").offset_at(utc("2026-06-01T00:00:00Z")), -5 * 3600);  // POSIX sign, as named
}

TEST(ZoneInfo, FindsZonesByIanaNameAndNothingElse) {
  EXPECT_TRUE(find_zone("Europe/Paris"));
  EXPECT_TRUE(find_zone("America/Argentina/Buenos_Aires"));
  EXPECT_EQ(find_zone("Europe/Paris"), find_zone("Europe/Paris"));  // read once
  for (std::string_view bad :
       {"", "Mars/Olympus_Mons", "Europe", "/etc/passwd", "../../etc/passwd", "Europe/../../../etc/passwd",
        "posix/Europe/Paris", "right/Europe/Paris", "Europe/Paris ", "zone.tab", "Europe//Paris"})
    EXPECT_FALSE(find_zone(bad)) << bad;
}

// glibc reads the same files: its answer for every twelve hours from 1900 to 2100 must be ours.
TEST(ZoneInfo, AgreesWithGlibcOverTwoCenturies) {
  const char* saved = std::getenv("TZ");
  const std::string previous = saved ? saved : "";
  for (std::string_view name :
       {"Europe/Paris", "America/New_York", "Australia/Sydney", "Europe/Dublin", "America/Sao_Paulo",
        "Africa/Casablanca", "America/Nuuk", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Tehran"}) {
    const auto& ours = zone(name);
    setenv("TZ", (":" + std::string(name)).c_str(), 1);
    tzset();
    int mismatches = 0;
    for (Seconds t = utc("1900-01-01T00:00:00Z"); t < utc("2100-01-01T00:00:00Z") && mismatches < 5;
         t += 12 * 3600 + 17) {
      const std::time_t time = static_cast<std::time_t>(t);
      std::tm local{};
      localtime_r(&time, &local);
      if (local.tm_gmtoff != ours.offset_at(t)) {
        ++mismatches;
        ADD_FAILURE() << name << " at " << format_rfc3339(TimePoint(seconds(t))) << ": glibc "
                      << local.tm_gmtoff << ", ours " << ours.offset_at(t);
      }
    }
  }
  if (saved)
    setenv("TZ", previous.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

}  // namespace
}  // namespace kefir::tz
