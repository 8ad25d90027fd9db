#pragma once
// When a reminder reaches the user: its scheduled time, unless that falls inside the user's quiet hours (a
// wall-clock window in their time zone, 22:00-08:00 unless they chose otherwise), in which case it waits for
// the end of the window. And how a time is said to that user ("tomorrow 08:00"). Pure: the zone is passed in.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time_zone.hpp"
#include "util/time.hpp"

namespace kefir::reminders {

struct QuietHours {
  bool enabled = true;
  minutes start{22 * 60};  // local wall-clock time of day
  minutes end{8 * 60};     // before start: the window spans midnight

  bool operator==(const QuietHours&) const = default;
};

// "HH:MM" (00:00-23:59) to minutes after midnight, and back.
std::optional<minutes> parse_clock_time(std::string_view text);
std::string format_clock_time(minutes time_of_day);

// The instant a reminder scheduled at `scheduled` is delivered: `scheduled` itself, or, when its local time
// of day is inside the quiet hours, the first instant after it at which the zone's clocks show their end. An
// end that does not exist that day (in a spring-forward gap) is the moment the clocks jump past it; an end
// that shows twice (fall-back overlap) is the first showing not before `scheduled`. Equal start and end make
// an empty window. The one rule for every reminder's delivery time.
TimePoint delivery_time(TimePoint scheduled, const tz::TimeZone& zone, const QuietHours& quiet);

// `when` as people say it in the zone, seen from `now`: "today 18:30", "tomorrow 08:00", a weekday within the
// week ("Friday 09:15"), else a date ("12 March 08:00").
std::string spoken_time(TimePoint when, TimePoint now, const tz::TimeZone& zone);

// The sentence a suggestion's description opens with: "Due tomorrow 08:00." or, when quiet hours hold it,
// "Due today 23:00, in your quiet hours: delivered tomorrow 08:00, when they end."
std::string delivery_note(TimePoint due, TimePoint deliver_at, TimePoint now, const tz::TimeZone& zone);

}  // namespace kefir::reminders
