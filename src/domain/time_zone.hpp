#pragma once
// IANA time zones from TZif data (RFC 8536), for quiet hours and for naming times in the user's zone.
// libstdc++ 12 has no std::chrono time zone database, so this reads the compiled zoneinfo files itself. Pure:
// parse() takes the file's bytes; finding and reading the file is adapters/fs/zoneinfo.hpp's.
//
// Instants before the first transition use the first local time type (RFC 8536 §3.2), those after the last
// one follow the footer's POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), so a zone compiled with only a few
// years of explicit transitions ("slim" files) still answers for any future date.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kefir::tz {

// Seconds since 1970-01-01T00:00:00 on a wall clock (local) or in UTC.
using Seconds = std::int64_t;

// A POSIX TZ string's daylight-saving switch: a day of the year and a local time of day.
struct PosixDate {
  enum class Kind { julian_no_leap, zero_based, month_week_day };  // "Jn", "n", "Mm.w.d"
  Kind kind = Kind::month_week_day;
  int day = 0;  // Jn: 1-365, n: 0-365, M: weekday 0 (Sunday)-6
  int month = 0;
  int week = 0;             // 1-5, 5 meaning the last
  Seconds time = 2 * 3600;  // local time of the switch, -167h..167h (RFC 8536 §3.3.1)
};

struct PosixRule {
  std::int32_t standard_offset = 0;  // seconds east of UTC (the POSIX string says west: "EST5" is -18000)
  std::optional<std::int32_t> daylight_offset;
  PosixDate daylight_start;  // in standard time
  PosixDate daylight_end;    // in daylight time
};
// The footer of a v2+ TZif file; nullopt when it is not a POSIX TZ string this reader understands.
std::optional<PosixRule> parse_posix_rule(std::string_view text);

class TimeZone {
 public:
  // RFC 8536 data: v1 (32-bit) files, or the v2+ 64-bit block and footer. nullopt when malformed.
  static std::optional<TimeZone> parse(std::string name, std::string_view tzif);
  static TimeZone utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at the instant.
  std::int32_t offset_at(Seconds utc) const;
  Seconds to_local(Seconds utc) const { return utc + offset_at(utc); }
  // The instants showing `local` on the zone's clocks, earliest first: one; two in a fall-back overlap (01:30
  // twice); none in a spring-forward gap (02:30 that never shows).
  std::vector<Seconds> instants_of(Seconds local) const;
  // The instant `local` names, as people mean it: in an overlap the first one; in a gap the moment the clocks
  // jump past it (02:30 in a 02:00 -> 03:00 gap is the jump, shown as 03:00).
  Seconds resolve(Seconds local) const;

 private:
  struct Transition {
    Seconds at;
    std::int32_t offset_after;
  };
  // Transitions in [from, to], explicit and from the footer rule, in order.
  std::vector<Transition> transitions_between(Seconds from, Seconds to) const;
  std::int32_t rule_offset_at(Seconds utc) const;

  std::string name_;
  std::vector<Transition> transitions_;
  std::int32_t initial_offset_ = 0;
  std::optional<PosixRule> footer_;
};

}  // namespace kefir::tz
